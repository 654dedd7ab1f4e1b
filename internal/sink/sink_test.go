package sink_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/sink"
)

// TestResult: done and duplicates 200; permanent failures a 4xx that
// Knative does not retry; transient ones 5xx (retried).
func TestResult(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"done", nil, 200},
		{"malformed", errcode.New(events.MalformedEvent, "bad"), 400},
		{"validation", errcode.New(errcode.ValidationFailed, "bad"), 400},
		{"not found is not retried", errcode.New(errcode.NotFound, "gone"), 422},
		{"conflict is not retried", errcode.New(errcode.Conflict, "dup"), 422},
		{"database down", errors.New("dial tcp: connection refused"), 500},
		{"unavailable", errcode.New(errcode.Unavailable, "later"), 503},
	}
	for _, tt := range tests {
		if got := sink.Status(sink.Result(context.Background(), "test", event.New(), tt.err)); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := sink.Status(sink.NotStarted("test")); got != 503 {
		t.Errorf("not started: %d", got)
	}
}
