package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// helloMain is the floor of the cold-start rows: a Go HTTP server that
// answers its first request as soon as it listens.
const helloMain = `package main

import (
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("hello\n")) })
	if err := http.ListenAndServe(os.Getenv("LISTEN_ADDRESS"), nil); err != nil {
		os.Exit(1)
	}
}
`

// scaffoldMain is the main func's host builder generates around a Go HTTP
// function (knative/func templates/go/scaffolding/instanced-http/main.go):
// func-go's http.Start over the instance New returns.
const scaffoldMain = `package main

import (
	"fmt"
	"os"

	"knative.dev/func-go/http"

	f %q
)

func main() {
	if err := http.Start(f.New()); err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
}
`

// buildColdStartBinaries builds, into dir/bin, the binaries of the
// cold-start rows: hello, create-post, follow-feed and dailyfeed (the root
// package) through the func scaffolding, and cmd-dailyfeed. It returns
// their paths by name.
func buildColdStartBinaries(ctx context.Context, dir string) (map[string]string, error) {
	m, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	bins := map[string]string{}
	start := time.Now()

	hello := filepath.Join(dir, "hello")
	if err := writeFiles(hello, map[string]string{"go.mod": "module hello\n\ngo 1.22\n", "main.go": helloMain}); err != nil {
		return nil, err
	}
	bins["hello"] = binPath(dir, "hello")
	if err := goBuild(ctx, hello, bins["hello"], "."); err != nil {
		return nil, err
	}

	for name, pkg := range map[string]string{
		"create-post": m.path + "/functions/create-post",
		"follow-feed": m.path + "/functions/follow-feed",
		"dailyfeed":   m.path,
	} {
		bins[name] = binPath(dir, name)
		if err := buildFunction(ctx, filepath.Join(dir, "scaffold-"+name), m, pkg, bins[name]); err != nil {
			return nil, err
		}
	}

	bins["cmd-dailyfeed"] = binPath(dir, "cmd-dailyfeed")
	if err := goBuild(ctx, m.dir, bins["cmd-dailyfeed"], "./cmd/dailyfeed"); err != nil {
		return nil, err
	}
	slog.Info("cold start: binaries built", "took", time.Since(start).Round(time.Millisecond))
	return bins, nil
}

// buildFunction builds pkg's function as func's host builder does: a main
// module of its own in dir holding only the scaffolding main, which
// requires the function's module through a replace to its source (func
// stages the function as module "function"; the import path differs, the
// program is the same).
func buildFunction(ctx context.Context, dir string, m mainModule, pkg, out string) error {
	sum, err := os.ReadFile(filepath.Join(m.dir, "go.sum"))
	if err != nil {
		return fmt.Errorf("read go.sum: %w", err)
	}
	goMod := fmt.Sprintf("module scaffold\n\ngo %s\n\nrequire %s v0.0.0\n\nreplace %s => %s\n",
		m.goVersion, m.path, m.path, m.dir)
	if err := writeFiles(dir, map[string]string{
		"go.mod": goMod, "go.sum": string(sum), "main.go": fmt.Sprintf(scaffoldMain, pkg),
	}); err != nil {
		return err
	}
	return goBuild(ctx, dir, out, ".")
}

// goBuild runs go build in dir (module mode, no workspace).
func goBuild(ctx context.Context, dir, out, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-mod=mod", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %w: %s", pkg, dir, err, b)
	}
	return nil
}

// mainModule is the module cmd/bench runs from (the repository).
type mainModule struct{ dir, path, goVersion string }

func moduleRoot(ctx context.Context) (mainModule, error) {
	b, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}\t{{.Path}}\t{{.GoVersion}}").Output()
	if err != nil {
		return mainModule{}, fmt.Errorf("go list -m: %w", err)
	}
	f := strings.Split(strings.TrimSpace(string(b)), "\t")
	if len(f) != 3 {
		return mainModule{}, fmt.Errorf("go list -m: unexpected %q", b)
	}
	return mainModule{dir: f[0], path: f[1], goVersion: f[2]}, nil
}

func writeFiles(dir string, files map[string]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", dir, err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
