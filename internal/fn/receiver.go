package fn

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
)

// Event is Base with the Handle of a CloudEvent function that keeps its
// own Receive (one that answers an event; a sink embeds Sink, a job Job).
// A function embeds it:
//
//	type Function struct{ fn.Event }
//
//	func New() *Function {
//		f := &Function{}
//		f.Event = fn.NewEvent("replay-dead-letters", stack.Postgres, f.Receive)
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
	apply    Apply
	receiver lazyReceiver
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
	s.receiver.serve(&s.Base, w, r, s.Receive)
}

// Job is Base with the Receive and the Handle of a CloudEvent function
// that a PingSource triggers: each event runs the function's work once
// over its stack, the same work the local runner runs on a timer
// (local.go). A function embeds it:
//
//	type Function struct{ fn.Job }
//
//	func New() *Function {
//		return &Function{fn.NewJob("rotate-keys", stack.Postgres|stack.Redis, Run)}
//	}
type Job struct {
	Base
	run      func(context.Context, *stack.Stack) error
	receiver lazyReceiver
}

// NewJob returns the base of the job called name, which uses needs, whose
// Receive runs run. It does no I/O.
func NewJob(name string, needs stack.Needs, run func(context.Context, *stack.Stack) error) Job {
	return Job{Base: New(name, needs), run: run}
}

// Receive runs the job once for a PingSource event (whatever its data); an
// error, "not started" before Start too, makes the event be retried.
func (j *Job) Receive(ctx context.Context, _ event.Event) error {
	s := j.Stack()
	if s == nil {
		return fmt.Errorf("%s: not started", j.name)
	}
	return j.run(ctx, s)
}

// Handle serves Receive over HTTP, as Event's Handle serves its function's
// Receive.
func (j *Job) Handle(w http.ResponseWriter, r *http.Request) {
	j.receiver.serve(&j.Base, w, r, j.Receive)
}

// lazyReceiver is the Receiver of a Receive that Sink and Job can bind
// only where the function holds them, so it is made on the first delivery.
type lazyReceiver struct {
	once sync.Once
	h    http.Handler
}

// serve serves a delivery to b's receive (serveEvent).
func (l *lazyReceiver) serve(b *Base, w http.ResponseWriter, r *http.Request, receive func(context.Context, event.Event) error) {
	l.once.Do(func() { l.h = Receiver(b.name, sink.Sink(receive)) })
	b.serveEvent(w, r, l.h)
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
