// Command dailyfeed runs the all-in-one dailyfeed function locally (`make
// run`): every HTTP route on LISTEN_ADDRESS (default 127.0.0.1:8080) through
// func-go's HTTP runtime, plus what a Knative cluster would otherwise do for
// it, in-process: the scheduled jobs that PingSources trigger there, and the
// event sinks (record-activity, store-dead-letter, ...) on the loopback
// SINKS_LISTEN_ADDRESS (default 127.0.0.1:8081) fed by the KafkaSource
// emulator, one consumer group per sink.
package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only with -pprof, on a loopback address
	"os"
	"os/signal"
	"syscall"

	fnhttp "knative.dev/func-go/http"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
)

func main() {
	pprof := flag.String("pprof", "", "serve net/http/pprof on this loopback address (e.g. 127.0.0.1:6060); off when empty")
	flag.Parse()
	// Lines written inside a request or a delivery carry its trace_id and span_id.
	slog.SetDefault(slog.New(tracing.LogHandler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	if os.Getenv("LISTEN_ADDRESS") == "" {
		os.Setenv("LISTEN_ADDRESS", "127.0.0.1:8080")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *pprof != "" {
		servePprof(*pprof)
	}

	// LOCAL_SINKS=off leaves the sinks and the KafkaSource emulator to their
	// own process (cmd/sinks), as on a cluster.
	sinks := os.Getenv("LOCAL_SINKS") != "off"
	srv := dailyfeed.New()
	local := make(chan struct{})
	go func() { defer close(local); srv.RunLocal(ctx, sinks) }()
	slog.Info("dailyfeed: serving every route", "addr", "http://"+os.Getenv("LISTEN_ADDRESS"))
	err := fnhttp.New(srv).Start(ctx)
	<-local // the delivery commits what its sinks answered
	if err != nil {
		slog.Error("dailyfeed stopped", "err", err)
		os.Exit(1)
	}
}

// servePprof serves the profiling endpoints of net/http/pprof (registered on
// http.DefaultServeMux, which nothing else uses) on addr, which must be a
// loopback address: profiles expose the process's internals.
func servePprof(addr string) {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		slog.Error("-pprof needs a loopback address such as 127.0.0.1:6060", "addr", addr)
		os.Exit(2)
	}
	go func() {
		slog.Info("pprof: serving", "addr", "http://"+addr+"/debug/pprof/")
		if err := http.ListenAndServe(addr, nil); err != nil {
			slog.Error("pprof not served", "err", err)
		}
	}()
}
