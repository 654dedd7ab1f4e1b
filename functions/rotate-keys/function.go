// Package rotatekeys is the rotate-keys function, a CloudEvent sink that a
// PingSource triggers: it makes a new primary signing key when the primary
// is older than JWT_KEY_ROTATION, and retires replaced keys once their grace
// period (JWT_KEY_GRACE) is over. The local runner calls Run on a timer.
package rotatekeys

import (
	"context"
	"errors"
	"log/slog"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the rotate-keys function.
type Function struct {
	fn.Event
}

// New returns the function; it does no I/O.
func New() *Function {
	f := &Function{}
	f.Event = fn.NewEvent("rotate-keys", stack.Postgres|stack.Redis, sink.Sink(f.Receive))
	return f
}

// Receive runs the rotation for a PingSource event. An error makes the
// event be retried.
func (f *Function) Receive(ctx context.Context, _ event.Event) error {
	s := f.Stack()
	if s == nil {
		return errors.New("rotate-keys: not started")
	}
	return Run(ctx, s)
}

// Run rotates the signing keys. It is idempotent and safe to run from
// several replicas at once (one transaction under an advisory lock): a
// second run within JWT_KEY_ROTATION changes nothing.
func Run(ctx context.Context, s *stack.Stack) error {
	r, err := fn.AuthService(s).Rotate(ctx)
	if err != nil {
		return err
	}
	if r.Created != "" || len(r.Retired) > 0 {
		slog.InfoContext(ctx, "signing keys rotated", "new_primary", r.Created, "retired", r.Retired)
	}
	return nil
}
