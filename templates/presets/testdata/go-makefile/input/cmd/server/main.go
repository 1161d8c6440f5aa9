package main

import (
	"fmt"
	"net/http"
	"os"
)

func Hello(name string) string { return "hello " + name }

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "9090"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, Hello("world")) })
	http.ListenAndServe(":"+port, nil)
}
