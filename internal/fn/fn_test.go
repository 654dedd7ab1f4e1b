package fn_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// TestBaseServe is the request matching every HTTP function shares: what
// Base.Serve answers before the handler runs, and that the handler gets
// the path values of its route. It needs no server: a request that reaches
// the handler is only recorded.
func TestBaseServe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		started      bool
		method, path string
		status       int
		code         string
	}{
		{"before Start", false, "PUT", "/api/posts/7", http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE"},
		{"unknown path", true, "PUT", "/api/nothing/7", http.StatusNotFound, "NOT_FOUND"},
		{"unknown path before Start", false, "GET", "/api/nothing", http.StatusNotFound, "NOT_FOUND"},
		{"other method", true, "GET", "/api/posts/7", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"NUL in the path", true, "PUT", "/api/posts/7%00", http.StatusBadRequest, "VALIDATION_FAILED"},
		{"NUL in the query", true, "PUT", "/api/posts/7?q=%00", http.StatusBadRequest, "VALIDATION_FAILED"},
		{"routed", true, "PUT", "/api/posts/7", http.StatusTeapot, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := fn.New("update-post", stack.Postgres)
			if tt.started {
				b.Share(&stack.Stack{})
			}
			w := httptest.NewRecorder()
			b.Serve(w, httptest.NewRequest(tt.method, tt.path, nil), func(w http.ResponseWriter, r *http.Request, d *fn.Deps) {
				if d == nil || d.Stack == nil || d.Source != "update-post" || r.PathValue("postId") != "7" {
					t.Errorf("handler got deps %+v, postId %q", d, r.PathValue("postId"))
				}
				w.WriteHeader(http.StatusTeapot)
			})
			if w.Code != tt.status {
				t.Fatalf("%s %s: %d %s, want %d", tt.method, tt.path, w.Code, w.Body, tt.status)
			}
			if tt.code == "" {
				return
			}
			var body struct {
				Code string `json:"code"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Code != tt.code {
				t.Errorf("body %s (%v), want code %s", w.Body, err, tt.code)
			}
		})
	}
}

// TestNewUnknownFunction is the route table guarding the function names: a
// name it does not have is a programming error found at New.
func TestNewUnknownFunction(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("fn.New of an unknown function did not panic")
		}
	}()
	fn.New("no-such-function", 0)
}
