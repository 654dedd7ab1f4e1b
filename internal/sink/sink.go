// Package sink is what every CloudEvent sink of dailyfeed (record-activity,
// fanout-feed, update-stats, store-dead-letter) answers its KafkaSource
// with: one mapping from a domain error to the CloudEvent result, so every
// sink treats duplicates, bad events and outages alike.
//
//	func (f *Function) Handle(ctx context.Context, e event.Event) error {
//		ctx, span := sink.Start(ctx, f.Name(), e)
//		defer span.End()
//		s := f.Stack()
//		if s == nil {
//			return sink.NotStarted(f.Name())
//		}
//		return sink.Result(ctx, f.Name(), e, record(ctx, s, e))
//	}
//
// The answers (docs/architecture.md, "Errors" and "Delivery"):
//
//	nil (done, or a duplicate)        200: delivered, the offset is committed
//	a coded 4xx (bad event)           that 4xx, but never 404/408/409/429
//	                                  (errcode.CloudEventStatus makes those
//	                                  422): dead-lettered at once
//	an uncoded error (database down)  500: retried with backoff, then
//	                                  dead-lettered
//
// A duplicate is a success: never answer it with 409, which Knative
// retries.
package sink

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/protocol"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Result maps the outcome err of handling e in the sink called name to the
// result its Handle returns (func-go and the CloudEvents sdk turn it into
// the HTTP status). Failures are logged: permanent ones as warnings (the
// event goes to the dead letters), transient ones as errors.
func Result(ctx context.Context, name string, e event.Event, err error) protocol.Result {
	if err == nil {
		return nil
	}
	status := errcode.CloudEventStatus(err)
	web.Note(ctx, errcode.Of(err))
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	span.RecordError(err)
	span.SetStatus(codes.Error, string(errcode.Of(err)))
	log := slog.With("sink", name, "event", e.ID(), "type", e.Type(), "status", status)
	if errcode.Retryable(err) {
		log.ErrorContext(ctx, "sink failed, the event will be retried", "err", err)
	} else {
		log.WarnContext(ctx, "sink refused the event", "err", err)
	}
	return cehttp.NewResult(status, "%s: %s", errcode.Of(err), errcode.MessageOf(err))
}

// Start starts the span of sink name's work on e (end it when Handle
// returns): a child of the span of ctx when it is in e's trace (the sink
// listener's request, continued from the delivery's traceparent header),
// else of e's traceparent extension, so the work is in the trace of the
// write that published e either way (a delivery without the header, or a
// request span of another trace).
func Start(ctx context.Context, name string, e event.Event) (context.Context, trace.Span) {
	if ev := trace.SpanContextFromContext(tracing.FromEvent(context.Background(), e)); ev.IsValid() &&
		trace.SpanContextFromContext(ctx).TraceID() != ev.TraceID() {
		// No span, or one of another trace: the event's.
		ctx = trace.ContextWithRemoteSpanContext(ctx, ev)
	}
	return tracing.Tracer().Start(ctx, name+" process", trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("faas.name", name),
			attribute.String("cloudevents.event_id", e.ID()),
			attribute.String("cloudevents.event_type", e.Type()),
			attribute.String("cloudevents.event_source", e.Source())))
}

// NotStarted is the result of an event that arrives before Start: 503, so
// it is retried.
func NotStarted(name string) protocol.Result {
	return cehttp.NewResult(http.StatusServiceUnavailable, "%s is starting", name)
}

// Status returns the HTTP status of a result Handle returned (200 for
// nil), for tests and local callers.
func Status(res error) int {
	if res == nil {
		return http.StatusOK
	}
	var r *cehttp.Result
	if errors.As(res, &r) {
		return r.StatusCode
	}
	if protocol.IsACK(res) {
		return http.StatusOK
	}
	return http.StatusInternalServerError
}
