package kafka_test

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// parker keeps what it is given.
type parker struct{ n atomic.Int64 }

func (p *parker) Park(context.Context, event.Event, string) error { p.n.Add(1); return nil }

// TestRepeatedFailuresAreLoggedOnce: a sink answering 500 again and again
// and a dead-letter sink that is down make the partition park every
// record; that is logged once when each target starts failing, then once
// per report interval with counts, then once when the sink recovers, never
// once per retry or per parked record.
func TestRepeatedFailuresAreLoggedOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var down atomic.Bool
	down.Store(true)
	sink := newFakeSink(t, func(int, event.Event) int {
		if down.Load() {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	dls := newFakeSink(t, func(int, event.Event) int { return http.StatusBadGateway })
	logs := &testenv.Logs{}
	park := &parker{}
	const records = 8
	h.publish(records)
	src := kafka.NewSource(kafka.SourceOptions{
		Name: h.name, Brokers: h.opts.Brokers, Topics: h.opts.Topics, Topic: h.opts.Topic,
		Sink: sink.srv.URL, DeadLetterSink: dls.srv.URL, Park: park, Refresh: 50 * time.Millisecond,
		Delivery:      kafka.Delivery{Retry: 3, BackoffPolicy: kafka.Exponential, BackoffDelay: 5 * time.Millisecond, Timeout: 2 * time.Second},
		FailureReport: 300 * time.Millisecond,
		Logger:        slog.New(slog.NewJSONHandler(logs, nil)),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = src.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	began := time.Now()
	testenv.Eventually(t, "every record parked", func() bool { return park.n.Load() == records })
	took := time.Since(began)

	attempts := len(sink.events()) + len(dls.events())
	if attempts < 2*records*4 {
		t.Fatalf("%d attempts: the failures did not repeat", attempts)
	}
	for _, target := range []string{"sink", "dead-letter sink"} {
		started := logs.Lines(t, "kafka source: "+target+" failing")
		if len(started) != 1 {
			t.Errorf("%s: %d lines for the start of its failures, want 1", target, len(started))
			continue
		}
		if s := started[0]; s["offset"] != float64(0) || s["topic"] != h.opts.Topics.Day(0) || s["partition"] != float64(0) {
			t.Errorf("%s: the start of the failures has no record coordinates: %v", target, s)
		}
		// At most one report per interval while they lasted.
		reports := logs.Lines(t, "kafka source: "+target+" still failing")
		if max := int(took/(300*time.Millisecond)) + 1; len(reports) > max {
			t.Errorf("%s: %d reports in %v, want at most %d", target, len(reports), took, max)
		}
	}
	if n := len(logs.Lines(t, "kafka source: event parked")); n != 0 {
		t.Errorf("%d parked records logged one by one", n)
	}

	// The sink recovers: one line with the totals.
	down.Store(false)
	h.publish(1)
	testenv.Eventually(t, "the sink to recover", func() bool {
		return len(logs.Lines(t, "kafka source: sink recovered")) == 1
	})
	end := logs.Lines(t, "kafka source: sink recovered")[0]
	if end["parked"] != float64(records) || end["records"] != float64(records) || end["failures"] != float64(records*4) {
		t.Errorf("recovery line %v, want %d records parked after %d failures", end, records, records*4)
	}
	if n := len(logs.Lines(t, "kafka source: sink failing")); n != 1 {
		t.Errorf("%d lines for the start of the sink's failures, want 1", n)
	}
}
