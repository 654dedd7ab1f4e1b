//go:build tools

// Package tools keeps modules required that no regular build imports. The
// scaffolding func's host builder writes around a CloudEvent function
// imports func-go's cloudevents runtime, so `go mod tidy` must not drop it
// (the HTTP runtime is imported by cmd/dailyfeed).
package tools

import (
	_ "knative.dev/func-go/cloudevents"
)
