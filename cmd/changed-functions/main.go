// Command changed-functions prints, as a JSON array, the functions whose
// image must be rebuilt between two commits: a function is affected when a
// changed file lies in a package it imports (go list -deps), or when go.mod,
// go.sum or migrations change. "dailyfeed" is the all-in-one function.
//
//	changed-functions -base <sha> -head <sha>
//	changed-functions -all
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dailyfeed/dailyfeed/internal/route"
)

const allInOne = "dailyfeed"

func main() {
	base := flag.String("base", "", "base commit")
	head := flag.String("head", "HEAD", "head commit")
	all := flag.Bool("all", false, "every function")
	flag.Parse()

	fns := append([]string{allInOne}, names()...)
	if !*all && *base != "" && strings.Trim(*base, "0") != "" {
		files, err := changedFiles(*base, *head)
		if err != nil {
			fail(err)
		}
		if fns, err = affected(fns, files); err != nil {
			fail(err)
		}
	}
	out, _ := json.Marshal(fns)
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "changed-functions:", err)
	os.Exit(1)
}

func names() []string {
	var n []string
	for _, f := range route.Functions {
		n = append(n, f.Name)
	}
	return n
}

func changedFiles(base, head string) ([]string, error) {
	out, err := exec.Command("git", "diff", "--name-only", base, head).Output()
	if err != nil {
		return nil, fmt.Errorf("git diff: %w", err)
	}
	return strings.Fields(string(out)), nil
}

// affected keeps the functions that depend on one of files.
func affected(fns, files []string) ([]string, error) {
	dirs := map[string]bool{}
	for _, f := range files {
		if f == "go.mod" || f == "go.sum" || strings.HasPrefix(f, "migrations/") {
			return fns, nil
		}
		dirs[filepath.Dir(f)] = true
	}
	module, err := goList("-m")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, fn := range fns {
		pkg, yaml := "./functions/"+fn, "functions/"+fn
		if fn == allInOne {
			pkg, yaml = ".", "."
		}
		deps, err := goList("-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg)
		if err != nil {
			return nil, err
		}
		hit := dirs[yaml]
		for _, d := range strings.Fields(deps) {
			rel := strings.TrimPrefix(strings.TrimPrefix(d, module), "/")
			if rel == "" {
				rel = "."
			}
			if dirs[rel] {
				hit = true
			}
		}
		if hit {
			out = append(out, fn)
		}
	}
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out, nil
}

func goList(args ...string) (string, error) {
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}
