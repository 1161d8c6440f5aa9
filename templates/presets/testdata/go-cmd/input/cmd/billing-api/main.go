package main

import "net/http"

func main() {
	http.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) {})
	http.ListenAndServe("0.0.0.0:9090", nil)
}
