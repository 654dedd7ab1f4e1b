package dailyfeed

import (
	"context"
	"log/slog"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// job is a scheduled function run in-process by the local runner; on a
// cluster a PingSource triggers the same Run through its CloudEvent handler.
type job struct {
	name  string
	every time.Duration
	run   func(context.Context, *stack.Stack) error
}

// RunLocal runs, once the stack is open, what a cluster would run beside the
// HTTP functions: the scheduled jobs. It returns when ctx ends.
func (s *Server) RunLocal(ctx context.Context) {
	st := s.waitStarted(ctx)
	if st == nil {
		return
	}
	for _, j := range localJobs {
		go runEvery(ctx, st, j)
	}
	<-ctx.Done()
}

func (s *Server) waitStarted(ctx context.Context) *stack.Stack {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		if st := s.Stack(); st != nil {
			return st
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func runEvery(ctx context.Context, st *stack.Stack, j job) {
	slog.InfoContext(ctx, "job scheduled in-process", "job", j.name, "every", j.every)
	t := time.NewTicker(j.every)
	defer t.Stop()
	for {
		if err := j.run(ctx, st); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "job failed", "job", j.name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
