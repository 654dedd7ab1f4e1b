package manifest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dailyfeed/dailyfeed/internal/manifest"
)

// TestCommittedFilesAreGenerated fails when a generated file was edited by
// hand or the route table changed without `make manifests`.
func TestCommittedFilesAreGenerated(t *testing.T) {
	files, err := manifest.Files()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	for _, path := range manifest.Paths(files) {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Errorf("%s: %v (run `make manifests`)", path, err)
			continue
		}
		if diff := cmp.Diff(string(files[path]), string(got)); diff != "" {
			t.Errorf("%s differs from the generator (run `make manifests`), -want +got:\n%s", path, diff)
		}
	}
}

// TestEveryFunctionIsInvokedOverHTTP: every func.yaml, a CloudEvent
// function's included, asks func for func-go's http service, never its
// cloudevents one, whose receiver stalls deliveries (cloudevents/sdk-go#1224).
func TestEveryFunctionIsInvokedOverHTTP(t *testing.T) {
	files, err := manifest.Files()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range manifest.Paths(files) {
		if filepath.Base(path) != "func.yaml" {
			continue
		}
		n++
		if !bytes.Contains(files[path], []byte("\ninvoke: http\n")) {
			t.Errorf("%s is not invoke: http", path)
		}
	}
	if n == 0 {
		t.Error("no func.yaml generated")
	}
}
