// Package fn is what every dailyfeed function is built on: the func-go
// instance hooks (Start, Stop, Ready, Alive) over a stack of connections, and
// the route matching of the function's own routes. A function embeds Base
// with its Handle: HTTP (NewHTTP with its Handler, which returns its answer
// for HTTP to write), or a CloudEvent function's: Sink (NewSink with its
// Apply on one event), Job (NewJob with the Run a PingSource triggers) or
// Event (NewEvent with its own Receive).
package fn

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Base implements func-go's Start, Stop, Ready and Alive for a function
// named in the route table.
type Base struct {
	name  string
	needs stack.Needs
	mux   *route.Mux

	mu    sync.RWMutex
	stack *stack.Stack
	deps  *Deps
	owned bool
	// red observes the requests of a function that runs as its own process
	// (Start); nil in the all-in-one, which observes them at its router.
	red         *metrics.HTTP
	stopMetrics context.CancelFunc
	// endTracing flushes the spans of a Start's tracing (nil: none).
	endTracing func(context.Context) error
}

// New returns the base of the function called name, which uses needs. It
// does no I/O. A name missing from the route table is a programming error.
func New(name string, needs stack.Needs) Base {
	f, ok := route.Lookup(name)
	if !ok {
		panic(fmt.Sprintf("fn: function %q is not in the route table", name))
	}
	return Base{name: name, needs: needs, mux: route.NewMux(f)}
}

// Name returns the function's name.
func (b *Base) Name() string { return b.name }

// Needs returns what the function uses.
func (b *Base) Needs() stack.Needs { return b.needs }

// Start reads the configuration from env and opens what the function needs.
// It does no network I/O (stack.Open; the migrate job has set up the schema
// and the bucket) and warms the connections in the background, so the
// process answers its first request within milliseconds of exec. It does
// nothing when a stack is already shared with the function.
func (b *Base) Start(ctx context.Context, env map[string]string) error {
	if b.Stack() != nil {
		return nil
	}
	cfg, err := config.Load(env)
	if err != nil {
		return err
	}
	endTracing, err := tracing.Setup(ctx, env, b.name)
	if err != nil {
		return fmt.Errorf("start %s: %w", b.name, err)
	}
	s, err := stack.Open(ctx, cfg, b.needs)
	if err != nil {
		_ = endTracing(ctx)
		return fmt.Errorf("start %s: %w", b.name, err)
	}
	// Metrics on METRICS_ADDRESS ("off": none) until Stop.
	reg := metrics.NewRegistry()
	metrics.Instrument(reg, s)
	mctx, stopMetrics := context.WithCancel(context.WithoutCancel(ctx))
	metrics.ServeSetting(mctx, env["METRICS_ADDRESS"], reg)
	b.mu.Lock()
	b.stack, b.deps, b.owned, b.endTracing = s, NewDeps(s, b.name), true, endTracing
	b.red, b.stopMetrics = metrics.NewHTTP(reg), stopMetrics
	b.mu.Unlock()
	go s.Warm(context.WithoutCancel(ctx))
	slog.InfoContext(ctx, "function started", "function", b.name)
	return nil
}

// Share gives the function an already opened stack (the all-in-one server
// opens one for every function). The function will not close it.
func (b *Base) Share(s *stack.Stack) {
	b.mu.Lock()
	b.stack, b.deps, b.owned = s, NewDeps(s, b.name), false
	b.mu.Unlock()
}

// Stop closes what Start opened and flushes its spans.
func (b *Base) Stop(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.owned && b.stack != nil {
		b.stack.Close()
	}
	if b.stopMetrics != nil {
		b.stopMetrics()
	}
	b.stack, b.deps, b.red, b.stopMetrics = nil, nil, nil, nil
	if end := b.endTracing; end != nil {
		b.endTracing = nil
		return end(ctx)
	}
	return nil
}

// Ready reports whether the function has started and what it cannot serve
// without (stack.Hard) answers. Redis and Kafka being down does not make a
// function unready: it falls back to Postgres or keeps events in the outbox.
func (b *Base) Ready(ctx context.Context) (bool, error) {
	s := b.Stack()
	if s == nil {
		return false, nil
	}
	if err := s.Check(ctx, stack.Hard); err != nil {
		slog.WarnContext(ctx, "not ready", "function", b.name, "err", err)
		return false, nil
	}
	return true, nil
}

// Alive reports that the process is alive.
func (b *Base) Alive(context.Context) (bool, error) { return true, nil }

// Stack returns the open stack, nil before Start.
func (b *Base) Stack() *stack.Stack {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.stack
}

// Deps returns the function's dependencies, nil before Start.
func (b *Base) Deps() *Deps {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.deps
}

// Serve matches r against the function's routes, sets the path values and
// calls h with the function's dependencies. Unknown paths are 404, other methods 405, and
// requests before Start 503. A function started as its own process counts
// and times the request (internal/metrics).
func (b *Base) Serve(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request, *Deps)) {
	b.mu.RLock()
	red := b.red
	b.mu.RUnlock()
	red.Wrap(b.resolve, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.serve(w, r, h) })).ServeHTTP(w, r)
}

// resolve names the function and the route pattern serving r.
func (b *Base) resolve(r *http.Request) (function, pattern string) {
	m, _, _ := b.mux.Find(r.Method, r.URL.Path)
	return b.name, m.Route.Path
}

func (b *Base) serve(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request, *Deps)) {
	m, found, ok := b.mux.Find(r.Method, r.URL.Path)
	if !ok {
		notRouted(w, r, found)
		return
	}
	d := b.Deps()
	if d == nil {
		web.Error(w, r, errcode.New(errcode.Unavailable, "function is starting"))
		return
	}
	// Text PostgreSQL cannot store (a NUL, invalid UTF-8) never reaches a
	// handler from the path or the query; bodies are checked by web.Decode.
	if err := web.CheckURL(r); err != nil {
		web.Error(w, r, err)
		return
	}
	for k, v := range m.Params {
		r.SetPathValue(k, v)
	}
	// The request's span, continued from its traceparent header.
	tracing.ServeHTTP(w, r, m.Route.Path, func(w http.ResponseWriter, r *http.Request) { h(w, r, d) })
}

// HTTP is Base with the Handle of an HTTP function: Serve with the
// function's handler, whose answer it writes. A function embeds it:
//
//	type Function struct{ fn.HTTP }
//
//	func New() *Function {
//		return &Function{fn.NewHTTP("like-post", stack.Postgres|stack.Redis|stack.Kafka, handle)}
//	}
type HTTP struct {
	Base
	handle Handler
}

// Handler is an HTTP function's work on one request, transport only: it
// decodes, authenticates and validates the request, makes one call into the
// domain and returns what to answer. It writes no envelope itself: HTTP's
// Handle answers (Answer) a non-nil error in the failure envelope (web.Error) and
// the value in the success envelope, with status 200, or with the status
// of a web.Status (web.Created). A handler that answers other than with the
// envelope (a redirect, a file, a bare JSON document) writes its response
// and returns Written.
//
//	func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
//		// Authenticate the caller: the like is theirs.
//		p, err := fn.Authenticate(w, r, s.Stack)
//		if err != nil {
//			return nil, err
//		}
//		// Which post.
//		id, err := web.PathID(r, "postId")
//		if err != nil {
//			return nil, err
//		}
//		// Record the like (409 twice) with its LIKE_POST event.
//		return s.Content().LikePost(r.Context(), p.MemberID, id)
//	}
//
// Headers and cookies of a successful answer (fn.SetSession, Location) are
// set on w before returning.
type Handler func(w http.ResponseWriter, r *http.Request, s *Deps) (any, error)

// Written is what a Handler returns when it has written its response
// itself: HTTP's Handle then writes nothing more.
var Written written

type written struct{}

// NewHTTP returns the base of the HTTP function called name, which uses
// needs, whose Handle serves handle on the function's routes (Serve). It
// does no I/O.
func NewHTTP(name string, needs stack.Needs, handle Handler) HTTP {
	return HTTP{Base: New(name, needs), handle: handle}
}

// Handle serves the function's routes: Base matches them, sets the path
// values and calls the function's handler, whose answer Handle writes
// (Answer).
func (h *HTTP) Handle(w http.ResponseWriter, r *http.Request) {
	h.Serve(w, r, func(w http.ResponseWriter, r *http.Request, s *Deps) {
		out, err := h.handle(w, r, s)
		Answer(w, r, out, err)
	})
}

// Answer writes what a Handler returned, the one place an HTTP function's
// answer is written: err in the failure envelope, a web.Status with its
// status, nothing for Written, any other out with 200. HTTP's Handle calls
// it, and so does a test that calls a handler itself.
func Answer(w http.ResponseWriter, r *http.Request, out any, err error) {
	if err != nil {
		web.Error(w, r, err)
		return
	}
	switch v := out.(type) {
	case written:
	case web.Status:
		web.Write(w, v.Code, v.Data)
	default:
		web.OK(w, out)
	}
}
