package dailyfeed

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	relayoutbox "github.com/dailyfeed/dailyfeed/functions/relay-outbox"
	rotatekeys "github.com/dailyfeed/dailyfeed/functions/rotate-keys"
	rotatetopics "github.com/dailyfeed/dailyfeed/functions/rotate-topics"
	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// localJobs are the scheduled functions the local runner runs in-process.
// Knative runs them from PingSources on their route-table schedules; locally
// they run more often so a demo sees their effect quickly.
var localJobs = []job{
	{name: "rotate-keys", every: 10 * time.Minute, run: rotatekeys.Run},
	{name: "relay-outbox", every: 5 * time.Second, run: relayoutbox.Run},
	{name: "rotate-topics", every: time.Hour, run: rotatetopics.Run},
}

// job is a scheduled function run in-process by the local runner; on a
// cluster a PingSource triggers the same Run through its CloudEvent handler.
type job struct {
	name  string
	every time.Duration
	run   func(context.Context, *stack.Stack) error
}

// RunLocal runs, once the stack is open, what a cluster would run beside the
// HTTP functions: the scheduled jobs (PingSources there), and the event
// sinks with the KafkaSource emulator delivering to them (KafkaSources
// there). The sinks are served on their own loopback listener,
// SINKS_LISTEN_ADDRESS (default 127.0.0.1:8081), at /<function>, never on
// the public all-in-one handler: whoever can POST to a sink can forge
// events. It returns when ctx ends.
//
// With sinks false the sinks and the emulator are left to another process
// (cmd/sinks), as on a cluster where they scale on their own. The metrics
// of what runs here join the all-in-one's registry, which Start serves on
// METRICS_ADDRESS (default 127.0.0.1:9464, "off" for none). RunLocal
// returns when ctx ends and the sources have committed what their sinks
// answered.
func (s *Server) RunLocal(ctx context.Context, sinks bool) {
	st := s.waitStarted(ctx)
	if st == nil {
		return
	}
	reg := s.Registry()
	for _, j := range localJobs {
		go runEvery(ctx, st, j)
	}
	if !sinks {
		<-ctx.Done()
		return
	}
	addr := os.Getenv("SINKS_LISTEN_ADDRESS")
	if addr == "" {
		addr = DefaultSinksAddress
	}
	if err := RunSinks(ctx, st, addr, reg); err != nil {
		slog.ErrorContext(ctx, "sinks and kafka source emulator not started", "err", err)
		<-ctx.Done()
	}
}

// ServeMetrics serves reg on METRICS_ADDRESS (default 127.0.0.1:9464;
// "off" serves nothing) until ctx ends.
func ServeMetrics(ctx context.Context, reg *prometheus.Registry) {
	metrics.ServeSetting(ctx, os.Getenv("METRICS_ADDRESS"), reg)
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
