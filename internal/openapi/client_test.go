package openapi_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/openapi"

	// The generated client's runtime, kept in go.mod by this import.
	_ "github.com/oapi-codegen/runtime"
)

// TestGeneratedClientCompiles generates a Go client from the description
// with oapi-codegen (the go.mod tool) into a temporary directory and builds
// it inside the module through an overlay, so nothing is written to the tree.
func TestGeneratedClientCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds oapi-codegen")
	}
	b, err := openapi.JSON()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(spec, b, 0o644); err != nil {
		t.Fatal(err)
	}
	client := filepath.Join(dir, "client.go")
	gen := exec.Command("go", "tool", "oapi-codegen", "-generate", "types,client", "-package", "dailyfeedclient", "-o", client, spec)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, out)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(root, "internal", "openapi", "generated", "dailyfeedclient")
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(pkg, "client.go"): client}})
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-overlay", overlayFile, "./internal/openapi/generated/dailyfeedclient")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("generated client does not build: %v\n%s", err, out)
	}
}
