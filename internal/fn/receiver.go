package fn

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
)

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
