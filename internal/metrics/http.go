package metrics

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dailyfeed/dailyfeed/internal/web"
)

// HTTP is the RED metrics of the HTTP functions: requests by function,
// route pattern, method, status and error code, and their duration.
type HTTP struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// Resolver names the function and the route pattern (its Path in the route
// table, "/api/posts/{postId}", never the raw path) serving r; "" when
// no route serves it.
type Resolver func(r *http.Request) (function, pattern string)

// Unrouted is the route label of a request no route serves (404, 405).
const Unrouted = "unrouted"

// NewHTTP registers the request metrics on reg. On a registry that has
// them already (the all-in-one's routes and its sinks) it returns the same
// series.
func NewHTTP(reg prometheus.Registerer) *HTTP {
	m := &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dailyfeed_http_requests_total",
			Help: "HTTP requests answered, by function, route pattern, method, status and error code (the errcode of the answer, \"\" for a success).",
		}, []string{"function", "route", "method", "status", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dailyfeed_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by function, route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"function", "route", "method"}),
	}
	m.requests = registered(reg, m.requests)
	m.duration = registered(reg, m.duration)
	return m
}

// registered registers c on reg and returns it, or the equal collector reg
// already has.
func registered[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	var dup prometheus.AlreadyRegisteredError
	switch {
	case err == nil:
		return c
	case errors.As(err, &dup):
		if existing, ok := dup.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic(err)
}

// Wrap returns next observed: each request is counted and timed under the
// function and route resolve names. A nil m observes nothing.
func (m *HTTP) Wrap(resolve Resolver, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		r, note := web.NoteCode(r)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			function, pattern := resolve(r)
			if pattern == "" {
				pattern = Unrouted
			}
			method := methodLabel(r.Method)
			status := rec.status
			if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			m.requests.WithLabelValues(function, pattern, method, strconv.Itoa(status), note.Code).Inc()
			m.duration.WithLabelValues(function, pattern, method).Observe(time.Since(began).Seconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

// methodLabel keeps the method label to the methods HTTP defines: a client
// cannot grow the series with methods of its own.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// recorder notes the status of the answer.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush lets a handler stream through the recorder.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		if r.status == 0 {
			r.status = http.StatusOK
		}
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
