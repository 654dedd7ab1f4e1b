// Command manifests writes every generated deployment file (each
// function's func.yaml, the root func.yaml, knative/) from the route table.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dailyfeed/dailyfeed/internal/manifest"
)

func main() {
	files, err := manifest.Files()
	if err != nil {
		fmt.Fprintln(os.Stderr, "manifests:", err)
		os.Exit(1)
	}
	for _, path := range manifest.Paths(files) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "manifests:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, files[path], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "manifests:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("manifests: wrote %d files\n", len(files))
}
