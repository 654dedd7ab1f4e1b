package deadletter

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/dailyfeed/dailyfeed/internal/tracing"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// Replayer delivers dead letters again.
type Replayer struct {
	Store Store
	// Client sends the events (default: 30 s timeout per event).
	Client *http.Client
	// Base, when set, is where the sinks are served: a letter of sink fn
	// goes to Base + "/" + fn (the local runner's sink listener). Empty
	// sends each letter back to the URL it failed at (knativeerrordest,
	// the sink's Service on a cluster).
	Base string
}

// Outcome is the result of replaying one dead letter.
type Outcome struct {
	ID     int64  `json:"id"`
	Sink   string `json:"sink"`
	Target string `json:"target"`
	Status int    `json:"status"`          // the sink's answer, 0 when none
	Error  string `json:"error,omitempty"` // why it is still waiting
}

// Report is the result of one replay.
type Report struct {
	Replayed int       `json:"replayed"`
	Failed   int       `json:"failed"`
	Letters  []Outcome `json:"letters"`
}

// Replay re-delivers the dead letters sel chooses, oldest first, and
// marks each replayed or records why not. Only a database failure is an
// error; a sink refusing a letter is in the report.
func (r Replayer) Replay(ctx context.Context, sel Selector) (Report, error) {
	letters, err := r.Store.List(ctx, sel)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Letters: []Outcome{}}
	for _, l := range letters {
		o := r.replay(ctx, l)
		if err := r.Store.markReplayed(ctx, l.ID, o.Error); err != nil {
			return rep, err
		}
		if o.Error == "" {
			rep.Replayed++
		} else {
			rep.Failed++
		}
		rep.Letters = append(rep.Letters, o)
	}
	return rep, nil
}

func (r Replayer) target(l Letter) string {
	if r.Base != "" {
		return strings.TrimRight(r.Base, "/") + "/" + l.Sink
	}
	return l.SinkURL
}

func (r Replayer) replay(ctx context.Context, l Letter) Outcome {
	o := Outcome{ID: l.ID, Sink: l.Sink, Target: r.target(l)}
	if o.Target == "" {
		o.Error = "no sink URL to replay to"
		return o
	}
	e, err := l.CloudEvent()
	if err != nil {
		o.Error = err.Error()
		return o
	}
	// The event as first published: without the delivery failure's marks.
	for _, k := range []string{kafka.ErrorDestExtension, kafka.ErrorCodeExtension, kafka.ErrorDataExtension,
		kafka.TopicExtension, kafka.PartitionExtension, kafka.OffsetExtension, kafka.KeyExtension, kafka.HeadersExtension} {
		_ = e.Context.SetExtension(k, nil)
	}
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	// The replay goes on the trace of the event's first publish (its kept
	// traceparent), linked to the replay's request.
	ctx, span := tracing.Tracer().Start(tracing.FromEvent(ctx, e), "replay "+l.Sink,
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithLinks(trace.LinkFromContext(ctx)),
		trace.WithAttributes(attribute.Int64("dailyfeed.dead_letter_id", l.ID),
			attribute.String("cloudevents.event_id", e.ID()), attribute.String("url.full", o.Target)))
	defer func() { span.SetAttributes(attribute.Int("http.response.status_code", o.Status)); span.End() }()
	status, body, err := kafka.PostEvent(ctx, client, o.Target, e)
	o.Status = status
	switch {
	case err != nil:
		o.Error = err.Error()
	case status < 200 || status >= 300:
		o.Error = fmt.Sprintf("sink answered %d: %s", status, bytes.TrimSpace(body))
	}
	return o
}
