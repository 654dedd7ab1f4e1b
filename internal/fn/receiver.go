package fn

import (
	"net/http"

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
func (e *Event) Handle(w http.ResponseWriter, r *http.Request) {
	e.mu.RLock()
	red := e.red
	e.mu.RUnlock()
	red.Wrap(e.resolveEvent, e.receiver).ServeHTTP(w, r)
}

func (e *Event) resolveEvent(*http.Request) (function, pattern string) { return e.name, "/" }

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
