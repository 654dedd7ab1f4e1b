package fn_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
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

// TestSinkReceive is the Receive an fn.Sink gives a CloudEvent sink: 503
// before Start, then the function's Apply with its dependencies, its
// error answered as the sink's result, on the local runner's Receive and
// over Handle alike.
func TestSinkReceive(t *testing.T) {
	t.Parallel()
	bad := errcode.New(errcode.ValidationFailed, "bad event")
	var got []string
	f := &struct{ fn.Sink }{fn.NewSink("update-stats", stack.Postgres, func(_ context.Context, s *fn.Deps, e event.Event) error {
		if s == nil || s.Source != "update-stats" {
			t.Errorf("apply got deps %+v", s)
		}
		got = append(got, e.ID())
		if e.ID() == "bad" {
			return bad
		}
		return nil
	})}
	ev := func(id string) event.Event {
		e := event.New()
		e.SetID(id)
		e.SetSource("/test")
		e.SetType("test.v1")
		return e
	}
	ctx := context.Background()
	if status := sink.Status(f.Receive(ctx, ev("early"))); status != http.StatusServiceUnavailable {
		t.Errorf("before Start: status %d, want 503", status)
	}
	f.Share(&stack.Stack{})
	if status := sink.Status(f.Receive(ctx, ev("ok"))); status != http.StatusOK {
		t.Errorf("applied: status %d, want 200", status)
	}
	if status, want := sink.Status(f.Receive(ctx, ev("bad"))), errcode.CloudEventStatus(bad); status != want {
		t.Errorf("failed: status %d, want %d", status, want)
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	for k, v := range map[string]string{"Ce-Id": "posted", "Ce-Specversion": "1.0", "Ce-Source": "/test", "Ce-Type": "test.v1", "Content-Type": "application/json"} {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.Handle(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("over Handle: status %d, want 200", w.Code)
	}
	if want := []string{"ok", "bad", "posted"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("applied %v, want %v", got, want)
	}
}

// TestJobReceive is the Receive an fn.Job gives a job: an error before
// Start (the event is retried), then one run over the function's stack for
// each event.
func TestJobReceive(t *testing.T) {
	t.Parallel()
	runs := 0
	var st *stack.Stack
	f := &struct{ fn.Job }{fn.NewJob("rotate-keys", stack.Postgres, func(_ context.Context, s *stack.Stack) error {
		runs++
		if s != st {
			t.Errorf("run got stack %p, want %p", s, st)
		}
		return nil
	})}
	if err := f.Receive(context.Background(), event.New()); err == nil || err.Error() != "rotate-keys: not started" {
		t.Errorf("before Start: %v, want rotate-keys: not started", err)
	}
	st = &stack.Stack{}
	f.Share(st)
	if err := f.Receive(context.Background(), event.New()); err != nil || runs != 1 {
		t.Errorf("started: %v after %d runs, want nil after 1", err, runs)
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
