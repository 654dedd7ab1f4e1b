package storedeadletter_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	storedeadletter "github.com/dailyfeed/dailyfeed/functions/store-dead-letter"
	"github.com/dailyfeed/dailyfeed/internal/deadletter"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
)

func TestSinkOf(t *testing.T) {
	for dest, want := range map[string]string{
		"http://127.0.0.1:8081/record-activity":                  "record-activity",
		"http://record-activity.dailyfeed.svc.cluster.local":     "record-activity",
		"http://fanout-feed.dailyfeed.svc.cluster.local/":        "fanout-feed",
		"https://update-stats.dailyfeed.svc.cluster.local:8443/": "update-stats",
		"http://10.0.0.7:8080":                                   "10.0.0.7",
		"":                                                       "unknown",
	} {
		if got := deadletter.SinkOf(dest); got != want {
			t.Errorf("SinkOf(%q) = %q, want %q", dest, got, want)
		}
	}
}

// TestKeepsTheEventWhole: every attribute, extension and the data are
// kept, with the sink and the reason; the same event dead-lettered again
// for the same sink counts an attempt on its row.
func TestKeepsTheEventWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if got := sink.Status(storedeadletter.New().Receive(ctx, event.New())); got != http.StatusServiceUnavailable {
		t.Errorf("before Start: %d, want 503", got)
	}
	s := testenv.Stack(t, stack.Postgres)
	f := storedeadletter.New()
	f.Share(s)

	e, err := events.New("create-post", events.Payload{MemberID: 3, TargetMemberID: 3, PostID: 5,
		MemberActivityType: events.PostCreate, CreatedAt: time.Now()}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	e.SetExtension("traceparent", "00-abc-def-01")
	dl := e.Clone()
	dl.SetExtension(kafka.ErrorDestExtension, "http://record-activity.dailyfeed.svc.cluster.local")
	dl.SetExtension(kafka.ErrorCodeExtension, 422)
	dl.SetExtension(kafka.ErrorDataExtension, base64.StdEncoding.EncodeToString([]byte("unknown event type")))
	for range 2 {
		if got := sink.Status(f.Receive(ctx, dl)); got != http.StatusOK {
			t.Fatalf("Receive: %d", got)
		}
	}
	ls, err := deadletter.Store{DB: s.DB}.List(ctx, deadletter.Selector{All: true})
	if err != nil || len(ls) != 1 {
		t.Fatalf("letters %v, %v", ls, err)
	}
	l := ls[0]
	if l.Sink != "record-activity" || l.ErrorCode == nil || *l.ErrorCode != 422 || l.ErrorData == nil ||
		*l.ErrorData != "unknown event type" || l.Attempts != 2 || l.EventID != e.ID() || l.EventType != e.Type() {
		t.Errorf("letter %+v", l)
	}
	kept, err := l.CloudEvent()
	if err != nil {
		t.Fatal(err)
	}
	if kept.ID() != e.ID() || kept.Source() != e.Source() || kept.Subject() != e.Subject() ||
		!kept.Time().Equal(e.Time()) || string(kept.Data()) != string(e.Data()) ||
		kept.DataContentType() != e.DataContentType() || events.DedupKeyOf(kept) != events.DedupKeyOf(e) ||
		kept.Extensions()["traceparent"] != "00-abc-def-01" {
		t.Errorf("kept %v, want %v", kept, e)
	}

	// An event without Knative's extensions is kept too (never refused).
	if got := sink.Status(f.Receive(ctx, e)); got != http.StatusOK {
		t.Errorf("plain event: %d", got)
	}
	// A destination whose path decodes to a NUL (found by fuzzing) is kept:
	// PostgreSQL refused the row, so the letter could not be stored at all.
	nul := e.Clone()
	nul.SetID("nul-in-the-destination")
	nul.SetExtension(kafka.ErrorDestExtension, "http://127.0.0.1:8081/record%00activity")
	if got := sink.Status(f.Receive(ctx, nul)); got != http.StatusOK {
		t.Errorf("destination with %%00: %d, want 200", got)
	}
}
