package fn_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// TestEventHandle is the Handle an fn.Event gives a CloudEvent function:
// a delivery reaches the function's Receive, and what is not a CloudEvent
// is a 400 that never reaches it.
func TestEventHandle(t *testing.T) {
	t.Parallel()
	var got []string
	f := fn.NewEvent("update-stats", stack.Postgres, sink.Sink(func(_ context.Context, e event.Event) error {
		got = append(got, e.ID())
		return nil
	}))
	if f.Name() != "update-stats" {
		t.Errorf("Name() = %q, want update-stats", f.Name())
	}
	post := func(headers map[string]string) int {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		f.Handle(w, r)
		return w.Code
	}
	if code := post(map[string]string{
		"Ce-Id": "e-1", "Ce-Specversion": "1.0", "Ce-Source": "/test", "Ce-Type": "test.v1",
		"Content-Type": "application/json",
	}); code != http.StatusOK {
		t.Errorf("a valid event: status %d, want 200", code)
	}
	if code := post(map[string]string{"Content-Type": "application/json"}); code != http.StatusBadRequest {
		t.Errorf("not a CloudEvent: status %d, want 400", code)
	}
	if len(got) != 1 || got[0] != "e-1" {
		t.Errorf("Receive got %v, want [e-1]", got)
	}
}

// TestHTTPHandle is the Handle an fn.HTTP gives an HTTP function: Base's
// Serve over its routes (404 off them, 503 before Start, the handler never
// called).
func TestHTTPHandle(t *testing.T) {
	t.Parallel()
	called := false
	f := fn.NewHTTP("get-me", stack.Postgres, func(http.ResponseWriter, *http.Request, *fn.Deps) (any, error) {
		called = true
		return nil, nil
	})
	for path, want := range map[string]int{"/api/members": http.StatusServiceUnavailable, "/api/nowhere": http.StatusNotFound} {
		w := httptest.NewRecorder()
		f.Handle(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != want {
			t.Errorf("GET %s: status %d, want %d", path, w.Code, want)
		}
	}
	if called {
		t.Error("the handler ran before Start")
	}
}
