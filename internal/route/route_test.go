package route

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMuxPicksMostSpecificRoute(t *testing.T) {
	m := NewMux(
		Function{Name: "by-ref", Routes: []Route{get("/api/members/profile/{memberRef}")}},
		Function{Name: "by-id", Routes: []Route{get("/api/members/{memberId}/profile")}},
		Function{Name: "mine", Routes: []Route{get("/api/members/profile")}},
		Function{Name: "change", Routes: []Route{put("/api/members/profile/handle")}},
	)
	tests := []struct {
		method, path string
		want         Match
		found, ok    bool
	}{
		{"GET", "/api/members/profile", Match{Function: "mine", Route: get("/api/members/profile"), Params: map[string]string{}}, true, true},
		{"GET", "/api/members/profile/@kim", Match{Function: "by-ref", Route: get("/api/members/profile/{memberRef}"), Params: map[string]string{"memberRef": "@kim"}}, true, true},
		{"GET", "/api/members/7/profile", Match{Function: "by-id", Route: get("/api/members/{memberId}/profile"), Params: map[string]string{"memberId": "7"}}, true, true},
		// Both patterns match; the literal "profile" in the third segment wins.
		{"GET", "/api/members/profile/profile", Match{Function: "by-ref", Route: get("/api/members/profile/{memberRef}"), Params: map[string]string{"memberRef": "profile"}}, true, true},
		{"PUT", "/api/members/profile/handle", Match{Function: "change", Route: put("/api/members/profile/handle"), Params: map[string]string{}}, true, true},
		{"HEAD", "/api/members/profile", Match{Function: "mine", Route: get("/api/members/profile"), Params: map[string]string{}}, true, true},
		{"DELETE", "/api/members/profile", Match{}, true, false},
		{"GET", "/api/nothing", Match{}, false, false},
		{"GET", "/api/members/profile/a/b", Match{}, false, false},
	}
	for _, tt := range tests {
		got, found, ok := m.Find(tt.method, tt.path)
		if found != tt.found || ok != tt.ok {
			t.Errorf("%s %s: found, ok = %v, %v; want %v, %v", tt.method, tt.path, found, ok, tt.found, tt.ok)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s %s: -want +got\n%s", tt.method, tt.path, diff)
		}
	}
}

// TestTableIsConsistent checks the table every deployment is generated from.
func TestTableIsConsistent(t *testing.T) {
	names := map[string]bool{}
	routes := map[Route]string{}
	for _, f := range Functions {
		if names[f.Name] {
			t.Errorf("function %s listed twice", f.Name)
		}
		names[f.Name] = true
		if _, ok := Scales[f.Group]; !ok {
			t.Errorf("function %s: group %q has no scale bounds", f.Name, f.Group)
		}
		switch f.Kind {
		case HTTP:
			if len(f.Routes) == 0 {
				t.Errorf("HTTP function %s has no route", f.Name)
			}
		case CloudEvent:
			if len(f.Routes) != 0 {
				t.Errorf("CloudEvent function %s must not have public routes", f.Name)
			}
		default:
			t.Errorf("function %s: unknown kind %q", f.Name, f.Kind)
		}
		if f.Group == Job && f.Schedule == "" {
			t.Errorf("job %s has no schedule", f.Name)
		}
		for _, r := range f.Routes {
			key := Route{Method: r.Method, Path: r.Path}
			if other, dup := routes[key]; dup {
				t.Errorf("%s %s served by both %s and %s", r.Method, r.Path, other, f.Name)
			}
			routes[key] = f.Name
		}
	}
	if err := CheckAccess(Functions...); err != nil {
		t.Error(err)
	}
}

// TestCheckAccessFindsUndeclaredRoutes plants routes without (or with an
// unknown) access in a synthetic table.
func TestCheckAccessFindsUndeclaredRoutes(t *testing.T) {
	fns := []Function{
		{Name: "declared", Kind: HTTP, Routes: []Route{get("/a").as(Public), put("/a/{id}").as(Owner)}},
		{Name: "planted", Kind: HTTP, Routes: []Route{get("/b"), post("/c").as("admin")}},
	}
	err := CheckAccess(fns...)
	if err == nil {
		t.Fatal("no error for routes without declared access")
	}
	for _, want := range []string{"GET /b (planted)", "POST /c (planted)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "/a") {
		t.Errorf("error %q names a declared route", err)
	}
	if err := CheckAccess(fns[0]); err != nil {
		t.Errorf("declared table: %v", err)
	}
}

// TestEveryFunctionHasADirectory checks that functions/ and the table agree:
// each function has its package, and no directory is left without a row.
func TestEveryFunctionHasADirectory(t *testing.T) {
	root := filepath.Join("..", "..", "functions")
	for _, f := range Functions {
		if _, err := os.Stat(filepath.Join(root, f.Name, "function.go")); err != nil {
			t.Errorf("function %s: %v", f.Name, err)
		}
	}
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, ok := Lookup(d.Name()); d.IsDir() && !ok {
			t.Errorf("functions/%s is not in the route table", d.Name())
		}
	}
}
