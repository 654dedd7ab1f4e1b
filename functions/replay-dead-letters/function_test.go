package replaydeadletters_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	replaydeadletters "github.com/dailyfeed/dailyfeed/functions/replay-dead-letters"
	"github.com/dailyfeed/dailyfeed/internal/deadletter"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
	"github.com/dailyfeed/dailyfeed/kafka"
)

func request(t *testing.T, typ string, sel any) event.Event {
	t.Helper()
	e := event.New()
	e.SetID("replay-1")
	e.SetSource("/operator")
	e.SetType(typ)
	if err := e.SetData(event.ApplicationJSON, sel); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestReplaysChosenLetters: the event's selector chooses the letters; they
// go back to the URL they failed at without the error extensions, and the
// report says what happened.
func TestReplaysChosenLetters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.Stack(t, stack.Postgres)
	var got atomic.Int32
	var sawErrorExt atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		if r.Header.Get("Ce-Knativeerrorcode") != "" {
			sawErrorExt.Store(true)
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)

	store := deadletter.Store{DB: s.DB}
	for i := range 2 {
		e, err := events.New("create-post", events.Payload{MemberID: 3, TargetMemberID: 3, PostID: int64(5 + i),
			MemberActivityType: events.PostCreate, CreatedAt: time.Now()}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		sinkName := []string{"record-activity", "fanout-feed"}[i]
		e.SetExtension(kafka.ErrorDestExtension, srv.URL+"/"+sinkName)
		e.SetExtension(kafka.ErrorCodeExtension, 500)
		if _, err := store.Keep(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	f := replaydeadletters.New()
	if _, err := f.Receive(ctx, request(t, replaydeadletters.RequestType, map[string]any{"all": true})); sink.Status(err) != http.StatusServiceUnavailable {
		t.Errorf("before Start: %v", err)
	}
	f.Share(s)
	for name, e := range map[string]event.Event{
		"wrong type":    request(t, "something.else", map[string]any{"all": true}),
		"empty choice":  request(t, replaydeadletters.RequestType, map[string]any{}),
		"not an object": request(t, replaydeadletters.RequestType, []int{1}),
	} {
		if _, err := f.Receive(ctx, e); sink.Status(err) != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, sink.Status(err))
		}
	}

	out, err := f.Receive(ctx, request(t, replaydeadletters.RequestType, map[string]any{"sink": "fanout-feed"}))
	if err != nil {
		t.Fatal(err)
	}
	var rep deadletter.Report
	if err := json.Unmarshal(out.Data(), &rep); err != nil || out.Type() != replaydeadletters.ReportType {
		t.Fatalf("report %s: %v", out.Data(), err)
	}
	if rep.Replayed != 1 || rep.Failed != 0 || len(rep.Letters) != 1 || rep.Letters[0].Sink != "fanout-feed" || got.Load() != 1 {
		t.Errorf("report %+v, sink got %d", rep, got.Load())
	}
	if sawErrorExt.Load() {
		t.Error("the replayed event still carried knativeerrorcode")
	}
	// The other letter still waits; a dead sink keeps it waiting with the reason.
	srv.Close()
	out, err = f.Receive(ctx, request(t, replaydeadletters.RequestType, map[string]any{"all": true}))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(out.Data(), &rep)
	if rep.Replayed != 0 || rep.Failed != 1 || rep.Letters[0].Sink != "record-activity" || rep.Letters[0].Error == "" {
		t.Errorf("report %+v", rep)
	}
	ls, _ := store.List(ctx, deadletter.Selector{All: true})
	if len(ls) != 1 || ls[0].ReplayError == nil {
		t.Errorf("waiting letters %+v", ls)
	}
}

// TestReplayKeepsTheTrace: a dead letter keeps its event's traceparent
// extension, and its replay goes out in that trace: the event still
// carries it (ce-traceparent) and the request's traceparent header is of
// the same trace.
func TestReplayKeepsTheTrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	end, err := tracing.Setup(ctx, map[string]string{}, "replay-dead-letters")
	if err != nil {
		t.Fatal(err)
	}
	defer end(ctx)
	s := testenv.Stack(t, stack.Postgres)
	headers := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers <- r.Header.Clone()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)

	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	e, err := events.New("create-post", events.Payload{MemberID: 3, TargetMemberID: 3, PostID: 9,
		MemberActivityType: events.PostCreate, CreatedAt: time.Now()}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	e.SetExtension(tracing.TraceParentExtension, traceparent)
	e.SetExtension(kafka.ErrorDestExtension, srv.URL+"/update-stats")
	l, err := deadletter.Store{DB: s.DB}.Keep(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := l.CloudEvent()
	if err != nil || kept.Extensions()[tracing.TraceParentExtension] != traceparent {
		t.Fatalf("kept letter: %v, extensions %v", err, kept.Extensions())
	}

	f := replaydeadletters.New()
	f.Share(s)
	if _, err := f.Receive(ctx, request(t, replaydeadletters.RequestType, map[string]any{"ids": []int64{l.ID}})); err != nil {
		t.Fatal(err)
	}
	h := <-headers
	if got := h.Get("Ce-Traceparent"); got != traceparent {
		t.Errorf("replayed event's ce-traceparent %q, want %q", got, traceparent)
	}
	if got := h.Get("Traceparent"); len(got) < 35 || got[3:35] != traceparent[3:35] {
		t.Errorf("replay request's traceparent %q, want one of trace %s", got, traceparent[3:35])
	}
}
