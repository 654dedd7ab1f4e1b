package sink_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/sink"
)

// receiver is the handler under test. With the sdk's
// client.NewHTTPReceiveHandler in its place, TestAGivenUpRequestDoesNotHoldUpTheNext
// fails (no answer) and a body that is no CloudEvent gets 415.
func receiver(h func(context.Context, event.Event) error) http.Handler {
	return sink.Receiver(sink.Sink(h))
}

func request(t *testing.T, ctx context.Context, id string) *http.Request {
	t.Helper()
	e := event.New()
	e.SetID(id)
	e.SetSource("/test")
	e.SetType("dailyfeed.test.v1")
	if err := e.SetData(event.ApplicationJSON, map[string]string{"id": id}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/sink", nil)
	if err := cehttp.WriteRequest(ctx, binding.ToMessage(&e), req); err != nil {
		t.Fatal(err)
	}
	return req
}

// serve runs h on req and reports the status, or 0 when h did not answer
// within a second.
func serve(h http.Handler, req *http.Request) int {
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { h.ServeHTTP(rec, req); close(done) }()
	select {
	case <-done:
		return rec.Code
	case <-time.After(time.Second):
		return 0
	}
}

// A request whose client gave up before it was served (its context ended)
// must not hold up the next request: with the sdk's receive handler its
// goroutine left without taking its message, and every later request then
// waited for the one after it (cloudevents/sdk-go#1224).
func TestAGivenUpRequestDoesNotHoldUpTheNext(t *testing.T) {
	h := receiver(func(context.Context, event.Event) error { return nil })
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	serve(h, request(t, gone, "given-up"))
	for i := range 3 {
		if got := serve(h, request(t, context.Background(), "next-"+strconv.Itoa(i))); got != http.StatusOK {
			t.Fatalf("request %d after a given-up one: status %d (0: no answer within 1 s), want 200", i, got)
		}
	}
}

type reqKey struct{}

// Each event is handled under the context of the request that carried it.
func TestEachEventUnderItsOwnRequestContext(t *testing.T) {
	var mu sync.Mutex
	var wrong []string
	inner := receiver(func(ctx context.Context, e event.Event) error {
		if got, _ := ctx.Value(reqKey{}).(string); got != e.ID() {
			mu.Lock()
			wrong = append(wrong, got+" handled "+e.ID())
			mu.Unlock()
		}
		return nil
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), reqKey{}, r.Header.Get("Ce-Id"))))
	})
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if got := serve(h, request(t, context.Background(), "e"+strconv.Itoa(i))); got != http.StatusOK {
				mu.Lock()
				wrong = append(wrong, "status "+strconv.Itoa(got))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(wrong) > 0 {
		t.Fatalf("%d of 200 events handled under another request's context or not answered, e.g. %v", len(wrong), wrong[:min(len(wrong), 5)])
	}
}

func TestReceiverStatuses(t *testing.T) {
	e := event.New()
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"done", nil, http.StatusOK},
		{"bad event", sink.Result(context.Background(), "t", e, errcode.New(errcode.MalformedEvent, "bad")), http.StatusBadRequest},
		{"outage", sink.Result(context.Background(), "t", e, errors.New("database down")), http.StatusInternalServerError},
		{"plain error", errors.New("boom"), http.StatusInternalServerError},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := receiver(func(context.Context, event.Event) error { return c.err })
			if got := serve(h, request(t, context.Background(), "x")); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}
	t.Run("panic", func(t *testing.T) {
		h := receiver(func(context.Context, event.Event) error { panic("boom") })
		if got := serve(h, request(t, context.Background(), "x")); got != http.StatusInternalServerError {
			t.Errorf("status %d, want 500", got)
		}
	})
	t.Run("not a CloudEvent", func(t *testing.T) {
		h := receiver(func(context.Context, event.Event) error { t.Error("handled"); return nil })
		req := httptest.NewRequest(http.MethodPost, "/sink", strings.NewReader("{not json"))
		req.Header.Set("Content-Type", "application/json")
		if got := serve(h, req); got != http.StatusBadRequest {
			t.Errorf("status %d, want 400", got)
		}
	})
}
