package sink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/protocol"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Handle is a CloudEvent function's work on one event: the event it
// answers with (nil for none) and its result (nil, or one of Result's).
type Handle func(context.Context, event.Event) (*event.Event, error)

// Receiver serves handle over HTTP, in binary or structured mode: every
// request is decoded on its own and handled under its own context, and
// its answer is written before ServeHTTP returns.
//
// It replaces the sdk's client.NewHTTPReceiveHandler, which hands the
// decoded request to whichever request's goroutine is waiting on the
// protocol's shared channel and gives up waiting when that request's
// context ends: a request that finishes while another's goroutine has not
// yet taken a message leaves one message without a taker for good, and
// from then on each request waits for the next one to arrive
// (cloudevents/sdk-go#1224). Under a KafkaSource, which posts one event at
// a time per partition, the last busy partition then times out on every
// attempt (RELIABILITY.md, "What the runs found").
//
// Statuses: what is not a valid CloudEvent 400 (no retry can help); the
// handler's result as Result made it (an http result's status), 200 for
// nil, 500 for any other error.
func Receiver(handle Handle) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		e, err := binding.ToEvent(ctx, cehttp.NewMessageFromHttpRequest(r))
		if err == nil {
			err = e.Validate()
		}
		if err != nil {
			web.Note(ctx, errcode.MalformedEvent)
			http.Error(w, fmt.Sprintf("not a valid CloudEvent: %v", err), http.StatusBadRequest)
			return
		}
		answer, res := invoke(ctx, handle, *e)
		status := http.StatusOK
		var text string
		if res != nil {
			var hr *cehttp.Result
			switch {
			case protocol.ResultAs(res, &hr):
				if hr.StatusCode > 100 && hr.StatusCode < 600 {
					status = hr.StatusCode
				}
				text = fmt.Errorf(hr.Format, hr.Args...).Error()
			case !protocol.IsACK(res):
				status, text = http.StatusInternalServerError, res.Error()
			}
		}
		if answer != nil && status < 300 {
			if err := cehttp.WriteResponseWriter(ctx, binding.ToMessage(answer), status, w); err != nil {
				slog.ErrorContext(ctx, "sink: cannot write the answer event", "event", e.ID(), "err", err)
			}
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(text))
	})
}

// invoke runs handle, turning a panic into a 500 result.
func invoke(ctx context.Context, handle Handle, e event.Event) (answer *event.Event, res error) {
	defer func() {
		if p := recover(); p != nil {
			slog.ErrorContext(ctx, "sink: handler panicked", "event", e.ID(), "type", e.Type(), "panic", p)
			answer, res = nil, errors.New("handler panicked")
		}
	}()
	return handle(ctx, e)
}

// Sink adapts the Handle of a sink (no answer event) to a Handle.
func Sink(h func(context.Context, event.Event) error) Handle {
	return func(ctx context.Context, e event.Event) (*event.Event, error) { return nil, h(ctx, e) }
}
