package main

import "testing"

func TestServer(t *testing.T) {}
