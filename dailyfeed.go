// Package dailyfeed is the all-in-one dailyfeed function: New serves every
// HTTP route of the route table on one port, with one stack of connections
// shared by every function. `func deploy` at the repository root deploys it
// as one Knative Service for small installs; `make run` runs it locally
// together with the scheduled jobs and the KafkaSource emulator.
package dailyfeed

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
)

// Instance is what every HTTP function of functions/ is.
type Instance = fn.Instance

// Functions returns the constructor of every HTTP function, by name. The
// test kits (internal/content/contenttest, internal/search/searchtest)
// build the functions they drive from it, and import none.
func Functions() map[string]func() Instance { return maps.Clone(httpFunctions) }

// Server is the all-in-one function.
type Server struct {
	router *fn.Router
	// reg is the process's one metrics registry, and handler the router
	// with its requests observed.
	reg     *prometheus.Registry
	handler http.Handler

	mu          sync.RWMutex
	stack       *stack.Stack
	owned       bool
	stopMetrics context.CancelFunc
	// endTracing flushes the spans of Start's tracing (nil: none).
	endTracing func(context.Context) error
}

// New returns the all-in-one function serving every HTTP function. It does
// no I/O; Start opens the stack.
func New() *Server {
	functions := map[string]Instance{}
	for _, f := range route.Functions {
		if f.Kind != route.HTTP {
			continue
		}
		newFn, ok := httpFunctions[f.Name]
		if !ok {
			panic(fmt.Sprintf("dailyfeed: function %q of the route table has no constructor in functions.go", f.Name))
		}
		functions[f.Name] = newFn()
	}
	s := &Server{router: fn.NewRouter(functions), reg: metrics.NewRegistry()}
	s.handler = metrics.NewHTTP(s.reg).Wrap(s.router.Resolve, s.router)
	return s
}

// Registry returns the registry of the all-in-one's metrics, which Start
// serves on METRICS_ADDRESS.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// NewShared returns the all-in-one function over an open stack (tests and
// the local runner).
func NewShared(st *stack.Stack) *Server {
	s := New()
	s.share(st, false)
	return s
}

func (s *Server) share(st *stack.Stack, owned bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stack, s.owned = st, owned
	metrics.Instrument(s.reg, st)
	s.router.Share(st)
}

// Start opens the stack every function shares. With DAILYFEED_MODE=migrate
// (the migrate Job of knative/jobs) the process is the one-shot setup job
// instead: it applies the migrations, creates the bucket and exits, 0 on
// success.
func (s *Server) Start(ctx context.Context, env map[string]string) error {
	if s.Stack() != nil {
		return nil
	}
	cfg, err := config.Load(env)
	if err != nil {
		return err
	}
	if env[config.ModeEnv] == config.MigrateMode {
		if err := stack.Prepare(ctx, cfg, stack.Postgres|stack.S3); err != nil {
			slog.ErrorContext(ctx, "migrate failed", "err", err)
			os.Exit(1)
		}
		slog.InfoContext(ctx, "migrate: schema migrated and bucket ready")
		os.Exit(0)
	}
	endTracing, err := tracing.Setup(ctx, env, "dailyfeed")
	if err != nil {
		return fmt.Errorf("start dailyfeed: %w", err)
	}
	st, err := stack.Open(ctx, cfg, stack.All)
	if err != nil {
		_ = endTracing(ctx)
		return fmt.Errorf("start dailyfeed: %w", err)
	}
	s.share(st, true)
	// Metrics on METRICS_ADDRESS ("off": none) until Stop.
	mctx, stopMetrics := context.WithCancel(context.WithoutCancel(ctx))
	metrics.ServeSetting(mctx, env["METRICS_ADDRESS"], s.reg)
	s.mu.Lock()
	s.stopMetrics = stopMetrics
	s.endTracing = endTracing
	s.mu.Unlock()
	go st.Warm(context.WithoutCancel(ctx))
	slog.InfoContext(ctx, "dailyfeed started")
	return nil
}

// Stop closes the stack if Start opened it and flushes the spans.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owned && s.stack != nil {
		s.stack.Close()
	}
	if s.stopMetrics != nil {
		s.stopMetrics()
	}
	s.stack, s.stopMetrics = nil, nil
	if end := s.endTracing; end != nil {
		s.endTracing = nil
		return end(ctx)
	}
	return nil
}

// Stack returns the shared stack, nil before Start.
func (s *Server) Stack() *stack.Stack {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stack
}

// Ready reports whether PostgreSQL, Redis, Kafka and the object store answer.
func (s *Server) Ready(ctx context.Context) (bool, error) {
	st := s.Stack()
	if st == nil {
		return false, nil
	}
	if err := st.Check(ctx, stack.All); err != nil {
		slog.WarnContext(ctx, "not ready", "err", err)
		return false, nil
	}
	return true, nil
}

// Alive reports that the process is alive.
func (s *Server) Alive(context.Context) (bool, error) { return true, nil }

// apiDescription is the OpenAPI 3.1 description `make manifests` writes
// (internal/openapi; not imported here, so the function does not link the
// generator and its validator).
//
//go:embed openapi.json
var apiDescription []byte

// Handle routes the request to the function serving its method and path,
// and answers GET /openapi.json with the API's description.
func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/openapi.json" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(apiDescription)
		return
	}
	s.handler.ServeHTTP(w, r)
}
