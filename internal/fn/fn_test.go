package fn_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
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

// TestHTTPAnswer is the one place an HTTP function's answer is written:
// what its handler returns becomes the failure envelope, the success
// envelope with 200 or the status of a web.Status, or nothing more when
// the handler wrote the response itself.
func TestHTTPAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		out    any
		err    error
		status int
		body   string
	}{
		{"data", map[string]int{"n": 1}, nil, http.StatusOK, `{"status":200,"result":"SUCCESS","data":{"n":1}}`},
		{"nil data", nil, nil, http.StatusOK, `{"status":200,"result":"SUCCESS","data":null}`},
		{"created", web.Created(7), nil, http.StatusCreated, `{"status":201,"result":"SUCCESS","data":7}`},
		{"written", fn.Written, nil, http.StatusTeapot, "tea"},
		{"error", "ignored", errcode.New(errcode.ValidationFailed, "bad"), http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := fn.NewHTTP("get-me", stack.Postgres, func(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
				if tt.out == fn.Written {
					w.WriteHeader(http.StatusTeapot)
					_, _ = w.Write([]byte("tea"))
				}
				return tt.out, tt.err
			})
			f.Share(&stack.Stack{})
			w := httptest.NewRecorder()
			f.Handle(w, httptest.NewRequest(http.MethodGet, "/api/members", nil))
			if w.Code != tt.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.status)
			}
			if tt.err != nil {
				var body struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Code != "VALIDATION_FAILED" || body.Message != "bad" {
					t.Errorf("body %s (%v), want the failure envelope of the error", w.Body, err)
				}
				return
			}
			if got := strings.TrimSpace(w.Body.String()); got != tt.body {
				t.Errorf("body %s, want %s", got, tt.body)
			}
		})
	}
}

// TestInputKeepsTheFirstError is Input's sticky error: the first failing
// read is the one reported, and the reads after it do nothing (the body is
// not read).
func TestInputKeepsTheFirstError(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPut, "/api/posts/x?size=0", strings.NewReader("{"))
	r.SetPathValue("postId", "x")
	in := fn.Read(httptest.NewRecorder(), r)
	if id := in.PathID("postId"); id != 0 {
		t.Errorf("PathID = %d, want 0", id)
	}
	in.Timeline(20)
	var v struct{}
	in.Decode(&v)
	if got := errcode.MessageOf(in.Err()); got != "postId must be a positive integer" {
		t.Errorf("Err = %q, want the path id's", got)
	}
	if n, _ := r.Body.Read(make([]byte, 1)); n != 1 {
		t.Error("the body was read after the first error")
	}

	r = httptest.NewRequest(http.MethodGet, "/api/posts/7?size=0", nil)
	r.SetPathValue("postId", "7")
	in = fn.Read(httptest.NewRecorder(), r)
	if id := in.PathID("postId"); id != 7 {
		t.Errorf("PathID = %d, want 7", id)
	}
	in.Timeline(20)
	if got := errcode.MessageOf(in.Err()); !strings.HasPrefix(got, "size must be between 1 and") {
		t.Errorf("Err = %q, want the size's", got)
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
