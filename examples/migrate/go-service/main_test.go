package main

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHello(t *testing.T) {
	srv := httptest.NewServer(handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(b), "hello") {
		t.Fatalf("GET / = %d %q", res.StatusCode, b)
	}
}
