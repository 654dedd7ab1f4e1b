package fn

import (
	"context"
	"net/http"
	"sync"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
)

// Event is Base with the Handle of a CloudEvent function. A function
// embeds it and keeps its own Receive:
//
//	type Function struct{ fn.Event }
//
//	func New() *Function {
//		f := &Function{}
//		f.Event = fn.NewEvent("update-stats", stack.Postgres|stack.Redis, sink.Sink(f.Receive))
//		return f
//	}
type Event struct {
	Base
	receiver http.Handler
}

// NewEvent returns the base of the CloudEvent function called name, which
// uses needs, whose Handle serves handle (Receiver). It does no I/O.
func NewEvent(name string, needs stack.Needs, handle sink.Handle) Event {
	return Event{Base: New(name, needs), receiver: Receiver(name, handle)}
}

// Handle serves the function's Receive over HTTP; func-go's http service
// calls it (the function is generated with invoke: http, Receiver says
// why). A function started as its own process counts each delivery in its
// request metrics, as route "/" (where a KafkaSource posts), with the
// status and the error code of its result.
func (e *Event) Handle(w http.ResponseWriter, r *http.Request) { e.serveEvent(w, r, e.receiver) }

// serveEvent serves a delivery with receiver, counted in the request
// metrics of a function started as its own process (Event.Handle).
func (b *Base) serveEvent(w http.ResponseWriter, r *http.Request, receiver http.Handler) {
	b.mu.RLock()
	red := b.red
	b.mu.RUnlock()
	red.Wrap(b.resolveEvent, receiver).ServeHTTP(w, r)
}

func (b *Base) resolveEvent(*http.Request) (function, pattern string) { return b.name, "/" }

// Sink is Base with the Receive and the Handle of a CloudEvent sink, a
// function whose work on one event is an Apply. A function embeds it:
//
//	type Function struct{ fn.Sink }
//
//	func New() *Function {
//		return &Function{fn.NewSink("update-stats", stack.Postgres|stack.Redis, Apply)}
//	}
type Sink struct {
	Base
	apply Apply

	once     sync.Once
	receiver http.Handler
}

// Apply is a sink's work on one event with the function's dependencies.
// Its error is the sink's answer (sink.Result): nil is a success (a
// duplicate too), a permanent failure is dead-lettered, a transient one
// retried.
type Apply func(ctx context.Context, s *Deps, e event.Event) error

// NewSink returns the base of the CloudEvent sink called name, which uses
// needs, whose Receive applies each event with apply. It does no I/O.
func NewSink(name string, needs stack.Needs, apply Apply) Sink {
	return Sink{Base: New(name, needs), apply: apply}
}

// Receive applies e, in the event's span (sink.Start), with the function's
// dependencies (503 before Start: sink.NotStarted), and returns the sink's
// result of apply's error (sink.Result). The local runner calls it; Handle
// serves it.
func (s *Sink) Receive(ctx context.Context, e event.Event) error {
	ctx, span := sink.Start(ctx, s.name, e)
	defer span.End()
	d := s.Deps()
	if d == nil {
		return sink.NotStarted(s.name)
	}
	return sink.Result(ctx, s.name, e, s.apply(ctx, d, e))
}

// Handle serves Receive over HTTP, as Event's Handle serves its function's
// Receive.
func (s *Sink) Handle(w http.ResponseWriter, r *http.Request) {
	s.once.Do(func() { s.receiver = Receiver(s.name, sink.Sink(s.Receive)) })
	s.serveEvent(w, r, s.receiver)
}

// Receiver is the Handle of a CloudEvent function named name: handle
// served over HTTP by sink.Receiver, each request decoded and handled under
// its own context, in a span continued from the delivery's traceparent
// header.
//
// CloudEvent functions are generated with `invoke: http`, so func scaffolds
// them with func-go's http service and calls this Handle. func-go's
// cloudevents service serves a function through the sdk's
// client.NewHTTPReceiveHandler, which can leave a decoded request without
// a taker and from then on answer each request only when the next one
// arrives (cloudevents/sdk-go#1224): under a KafkaSource the last busy
// partition then times out on every attempt.
func Receiver(name string, handle sink.Handle) http.Handler {
	return tracing.Handler(sink.Receiver(handle), "POST /"+name)
}
