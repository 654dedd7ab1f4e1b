// Package rotatekeys is the rotate-keys function, a CloudEvent sink that a
// PingSource triggers: it makes a new primary signing key when the primary
// is older than JWT_KEY_ROTATION, and retires replaced keys once their grace
// period (JWT_KEY_GRACE) is over. The local runner calls Run on a timer.
package rotatekeys

import (
	"context"
	"log/slog"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the rotate-keys function.
type Function struct{ fn.Job }

// New returns the function; it does no I/O. Its Receive runs the rotation
// (Run) for a PingSource event; an error makes the event be retried
// (fn.Job).
func New() *Function {
	return &Function{fn.NewJob("rotate-keys", stack.Postgres|stack.Redis, Run)}
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
