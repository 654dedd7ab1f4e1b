// Package replaydeadletters is the replay-dead-letters function: an
// operator's tool that delivers chosen dead letters again to the sink that
// refused them and marks those it accepts replayed (internal/deadletter).
//
// It is not public API: it has no route (neither the Istio gateway nor the
// all-in-one handler serves it) and its Knative Service is cluster-local,
// so only a caller inside the cluster can reach it:
//
//	kubectl -n dailyfeed run replay --rm -i --restart=Never --image=curlimages/curl -- \
//	  curl -sS http://replay-dead-letters.dailyfeed.svc.cluster.local \
//	  -H 'Ce-Id: replay-1' -H 'Ce-Specversion: 1.0' -H 'Ce-Source: /operator' \
//	  -H 'Ce-Type: dailyfeed.deadletters.replay.v1' -H 'Content-Type: application/json' \
//	  -d '{"sink": "record-activity"}'
//
// The data chooses the dead letters: {"ids": [1, 2]}, {"sink": "..."} or
// {"all": true}. The answer is a dailyfeed.deadletters.replayed.v1 event
// whose data is the report. Locally the same function is served on the
// loopback sink listener, and `make replay-dead-letters ARGS=...` runs the
// same replay from the command line (cmd/replay).
package replaydeadletters

import (
	"context"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/deadletter"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// The event types of the function.
const (
	RequestType = "dailyfeed.deadletters.replay.v1"
	ReportType  = "dailyfeed.deadletters.replayed.v1"
)

// Function is the replay-dead-letters function.
type Function struct {
	fn.Event
}

// New returns the function; it does no I/O.
func New() *Function {
	f := &Function{}
	f.Event = fn.NewEvent("replay-dead-letters", stack.Postgres, f.Receive)
	return f
}

// Receive replays the dead letters the event's data chooses and answers the
// report.
func (f *Function) Receive(ctx context.Context, e event.Event) (*event.Event, error) {
	s := f.Stack()
	if s == nil {
		return nil, sink.NotStarted(f.Name())
	}
	// Decode the selector; a request that cannot be one is a 400
	// (MALFORMED_EVENT), answered like every sink's refusal.
	var sel deadletter.Selector
	if e.Type() != RequestType {
		return nil, sink.Result(ctx, f.Name(), e, errcode.Errorf(errcode.MalformedEvent, "event type %q, want %s", e.Type(), RequestType))
	}
	if err := e.DataAs(&sel); err != nil {
		return nil, sink.Result(ctx, f.Name(), e, errcode.Wrap(errcode.MalformedEvent, "data is not a selector", err))
	}
	if len(sel.IDs) == 0 && sel.Sink == "" && !sel.All {
		return nil, sink.Result(ctx, f.Name(), e, errcode.New(errcode.MalformedEvent, deadletter.ErrNothingSelected.Error()))
	}
	// Replay to the URLs the letters failed at.
	rep, err := deadletter.Replayer{Store: deadletter.Store{DB: s.DB, Now: s.Now}}.Replay(ctx, sel)
	if err != nil {
		return nil, sink.Result(ctx, f.Name(), e, err)
	}
	// Answer the report.
	out := event.New()
	out.SetID(e.ID() + "-report")
	out.SetSource("/dailyfeed/" + f.Name())
	out.SetType(ReportType)
	if err := out.SetData(event.ApplicationJSON, rep); err != nil {
		return nil, sink.Result(ctx, f.Name(), e, err)
	}
	return &out, nil
}
