package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
)

func get(t *testing.T, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	newHandler().ServeHTTP(rec, req)
	return rec
}

func TestIndexGreets(t *testing.T) {
	rec := get(t, "/", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body["message"] != Greeting {
		t.Fatalf("message %q", body["message"])
	}
}

func TestHealthz(t *testing.T) {
	if rec := get(t, "/healthz", nil); rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestUnknownPathIs404(t *testing.T) {
	if rec := get(t, "/nope", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestRequestID(t *testing.T) {
	rec := get(t, "/", nil)
	if _, err := uuid.Parse(rec.Header().Get("X-Request-Id")); err != nil {
		t.Fatalf("generated X-Request-Id: %v", err)
	}
	id := uuid.NewString()
	rec = get(t, "/", http.Header{"X-Request-Id": {id}})
	if got := rec.Header().Get("X-Request-Id"); got != id {
		t.Fatalf("X-Request-Id %q, want the client's %q", got, id)
	}
}
