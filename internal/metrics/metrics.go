// Package metrics is dailyfeed's Prometheus exposition: one registry per
// process, served at /metrics on METRICS_ADDRESS (default 127.0.0.1:9464,
// the OpenTelemetry Prometheus exporter's port), and the collectors of
// what an operator alerts on.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultAddress is where /metrics is served when METRICS_ADDRESS is unset.
const DefaultAddress = "127.0.0.1:9464"

// NewRegistry returns a registry with the Go runtime's and the process's
// collectors.
func NewRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Off is the METRICS_ADDRESS that serves no metrics.
const Off = "off"

// ServeSetting serves reg in the background until ctx ends, on the address
// setting names (METRICS_ADDRESS): "" is DefaultAddress, Off nothing. A
// listener that cannot be opened is logged: the function serves on without
// metrics.
func ServeSetting(ctx context.Context, setting string, reg *prometheus.Registry) {
	if setting == Off {
		return
	}
	if setting == "" {
		setting = DefaultAddress
	}
	go func() {
		if err := Serve(ctx, setting, reg); err != nil {
			slog.ErrorContext(ctx, "metrics not served", "err", err)
		}
	}()
}

// Handler serves reg at GET /metrics in the Prometheus exposition format.
func Handler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}

// Serve serves reg at /metrics on addr until ctx ends.
func Serve(ctx context.Context, addr string, reg *prometheus.Registry) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: Handler(reg), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	slog.InfoContext(ctx, "metrics: serving", "addr", "http://"+ln.Addr().String()+"/metrics")
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
