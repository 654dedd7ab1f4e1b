// Command sinks runs dailyfeed's event delivery as its own process: the
// CloudEvent sinks (record-activity, fanout-feed, update-stats,
// store-dead-letter, replay-dead-letters) on the loopback
// SINKS_LISTEN_ADDRESS (default 127.0.0.1:8081), the KafkaSource emulator
// delivering the dated topics to them, and the delivery-lag monitor, with
// metrics on METRICS_ADDRESS (default 127.0.0.1:9464). It is what a
// cluster runs as the sinks' Services and KafkaSources; the all-in-one
// leaves it to this process when started with LOCAL_SINKS=off (the chaos
// run kills and restarts it).
//
// On SIGTERM or SIGINT the sources finish the attempts in flight, commit
// what the sinks answered, and the process exits.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
)

func main() {
	// Lines written inside a request or a delivery carry its trace_id and span_id.
	slog.SetDefault(slog.New(tracing.LogHandler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("sinks stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	endTracing, err := tracing.Setup(ctx, environ(), "dailyfeed-sinks")
	if err != nil {
		return err
	}
	defer func() { _ = endTracing(context.WithoutCancel(ctx)) }()
	st, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	addr := os.Getenv("SINKS_LISTEN_ADDRESS")
	if addr == "" {
		addr = dailyfeed.DefaultSinksAddress
	}
	reg := metrics.NewRegistry()
	metrics.Instrument(reg, st)
	dailyfeed.ServeMetrics(ctx, reg)
	return dailyfeed.RunSinks(ctx, st, addr, reg)
}

// open opens the stack, waiting for servers that are down (a restart of
// the process while PostgreSQL restarts too).
func open(ctx context.Context, cfg config.Config) (*stack.Stack, error) {
	for {
		st, err := stack.Open(ctx, cfg, stack.Postgres|stack.Redis|stack.Kafka|stack.S3)
		if err == nil {
			return st, nil
		}
		slog.WarnContext(ctx, "sinks: stack not ready, retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// environ is the process's environment as a map.
func environ() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}
