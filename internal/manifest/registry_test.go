package manifest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/manifest"
	"github.com/dailyfeed/dailyfeed/internal/route"
)

// TestRegistryHasEveryServedFunction: the generated functions.go has a
// constructor for every HTTP function (httpFunctions) and every CloudEvent
// function but the jobs (eventFunctions), and nothing else.
func TestRegistryHasEveryServedFunction(t *testing.T) {
	files, err := manifest.Files()
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), manifest.RegistryPath, files[manifest.RegistryPath], 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		v := g.Specs[0].(*ast.ValueSpec)
		for _, e := range v.Values[0].(*ast.CompositeLit).Elts {
			name, err := strconv.Unquote(e.(*ast.KeyValueExpr).Key.(*ast.BasicLit).Value)
			if err != nil {
				t.Fatal(err)
			}
			got[v.Names[0].Name] = append(got[v.Names[0].Name], name)
		}
	}
	want := map[string][]string{}
	for _, fn := range route.Functions {
		switch {
		case fn.Kind == route.HTTP:
			want["httpFunctions"] = append(want["httpFunctions"], fn.Name)
		case fn.Kind == route.CloudEvent && fn.Group != route.Job:
			want["eventFunctions"] = append(want["eventFunctions"], fn.Name)
		}
	}
	for _, m := range []string{"httpFunctions", "eventFunctions"} {
		if !slices.Equal(got[m], want[m]) {
			t.Errorf("%s: %v, want %v", m, got[m], want[m])
		}
	}
}
