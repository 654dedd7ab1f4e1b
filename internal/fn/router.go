package fn

import (
	"fmt"
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Instance is an HTTP function of functions/.
type Instance interface {
	Handle(http.ResponseWriter, *http.Request)
	Share(*stack.Stack)
}

// Router serves the routes of several HTTP functions on one handler, each
// request going to the function whose route matches: the all-in-one
// function, and HTTP tests that serve a group of functions.
type Router struct {
	mux       *route.Mux
	functions map[string]Instance
}

// NewRouter returns a router over functions, keyed by their name in the
// route table. A name missing from the table is a programming error.
func NewRouter(functions map[string]Instance) *Router {
	var served []route.Function
	for name := range functions {
		f, ok := route.Lookup(name)
		if !ok {
			panic(fmt.Sprintf("fn: function %q is not in the route table", name))
		}
		served = append(served, f)
	}
	return &Router{mux: route.NewMux(served...), functions: functions}
}

// Share gives every function the open stack s.
func (rt *Router) Share(s *stack.Stack) {
	for _, f := range rt.functions {
		f.Share(s)
	}
}

// ServeHTTP routes the request to its function; unknown paths are 404 and
// other methods 405, in the API's error envelope.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m, found, ok := rt.mux.Find(r.Method, r.URL.Path)
	if !ok {
		notRouted(w, r, found)
		return
	}
	rt.functions[m.Function].Handle(w, r)
}

// Resolve names the function and the route pattern serving r ("", "" when
// none does), for the request metrics (internal/metrics).
func (rt *Router) Resolve(r *http.Request) (function, pattern string) {
	m, _, _ := rt.mux.Find(r.Method, r.URL.Path)
	return m.Function, m.Route.Path
}

// notRouted answers a request no route serves: 404, or 405 when the path
// exists with other methods.
func notRouted(w http.ResponseWriter, r *http.Request, pathFound bool) {
	if pathFound {
		web.Error(w, r, errcode.Errorf(errcode.MethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path))
		return
	}
	web.Error(w, r, errcode.Errorf(errcode.NotFound, "no route for %s", r.URL.Path))
}
