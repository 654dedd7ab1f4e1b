package errcode

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"strings"
	"testing"
)

func TestMapping(t *testing.T) {
	tests := []struct {
		err     error
		code    Code
		status  int
		ce      int
		retried bool
		message string
	}{
		{New(ValidationFailed, "content is required"), ValidationFailed, 400, 400, false, "content is required"},
		{fmt.Errorf("create post: %w", New(Forbidden, "not yours")), Forbidden, 403, 403, false, "not yours"},
		{New(NotFound, "no post"), NotFound, 404, 422, false, "no post"},             // Knative retries 404
		{New(Conflict, "already liked"), Conflict, 409, 422, false, "already liked"}, // and 409
		{New(RateLimited, "slow down"), RateLimited, 429, 429, true, "slow down"},
		{Wrap(Unavailable, "database down", errors.New("dial tcp: refused")), Unavailable, 503, 503, true, "database down"},
		{errors.New("pgx: secret detail"), Internal, 500, 500, true, "internal error"},
	}
	for _, tt := range tests {
		if got := Of(tt.err); got != tt.code {
			t.Errorf("Of(%v) = %s, want %s", tt.err, got, tt.code)
		}
		if got := HTTPStatus(tt.err); got != tt.status {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tt.err, got, tt.status)
		}
		if got := CloudEventStatus(tt.err); got != tt.ce {
			t.Errorf("CloudEventStatus(%v) = %d, want %d", tt.err, got, tt.ce)
		}
		if got := Retryable(tt.err); got != tt.retried {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.retried)
		}
		if got := MessageOf(tt.err); got != tt.message {
			t.Errorf("MessageOf(%v) = %q, want %q", tt.err, got, tt.message)
		}
	}
	if got := CloudEventStatus(nil); got != http.StatusAccepted {
		t.Errorf("CloudEventStatus(nil) = %d, want 202", got)
	}
}

// TestEveryCodeHasAStatus: every Code constant of this package (the one
// place codes are declared) has a 4xx or 5xx status, and no two constants
// share a string.
func TestEveryCodeHasAStatus(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "errcode.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[Code]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for i, name := range v.Names {
				lit := v.Values[i].(*ast.BasicLit)
				c := Code(strings.Trim(lit.Value, `"`))
				if other, dup := declared[c]; dup {
					t.Errorf("%s and %s are both %s", other, name.Name, c)
				}
				declared[c] = name.Name
			}
		}
	}
	if len(declared) < 40 {
		t.Fatalf("found %d codes in errcode.go, the parse missed some", len(declared))
	}
	for c, name := range declared {
		if s, ok := status[c]; !ok || s < 400 || s > 599 {
			t.Errorf("%s (%s) maps to %d", name, c, s)
		}
	}
	for c := range status {
		if _, ok := declared[c]; !ok {
			t.Errorf("the status table has %s, which no constant declares", c)
		}
	}
}
