package tracing

import (
	"context"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

// routeKey carries, through otelhttp's handler, the route and the handler
// of a request ServeHTTP traces.
type routeKey struct{}

type routed struct {
	route string
	next  http.HandlerFunc
}

// traced is otelhttp's server handler, built once: the span of each
// request, continued from its traceparent header, named after the route.
var traced = otelhttp.NewHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	r.Context().Value(routeKey{}).(routed).next(w, r)
}), "http", otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
	if rt, ok := r.Context().Value(routeKey{}).(routed); ok && rt.route != "" {
		return r.Method + " " + rt.route
	}
	return r.Method
}))

// ServeHTTP serves r with next inside the server span of the request
// (otelhttp), named "METHOD route" (route: the route table's pattern).
func ServeHTTP(w http.ResponseWriter, r *http.Request, route string, next http.HandlerFunc) {
	traced.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, routed{route: route, next: next})))
}

// Handler wraps h in otelhttp's server span named operation (the sink
// listener's CloudEvent receivers).
func Handler(h http.Handler, operation string) http.Handler {
	return otelhttp.NewHandler(h, operation)
}
