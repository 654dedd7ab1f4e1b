package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/metrics/metricstest"
)

// TestHTTPOnOneRegistryTwice: the all-in-one counts its routes and its
// sinks on one registry; the second NewHTTP shares the first's series
// instead of panicking on a duplicate registration.
func TestHTTPOnOneRegistryTwice(t *testing.T) {
	reg := metrics.NewRegistry()
	routes, sinks := metrics.NewHTTP(reg), metrics.NewHTTP(reg)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	name := func(function string) metrics.Resolver {
		return func(*http.Request) (string, string) { return function, "/" }
	}
	routes.Wrap(name("create-post"), ok).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil))
	sinks.Wrap(name("update-stats"), ok).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/", nil))
	srv := httptest.NewServer(metrics.Handler(reg))
	t.Cleanup(srv.Close)
	got := metricstest.Get(t, srv.URL+"/metrics")
	for _, function := range []string{"create-post", "update-stats"} {
		if v, _ := got.Value("dailyfeed_http_requests_total", map[string]string{"function": function, "status": "200"}); v != 1 {
			t.Errorf("%s: %v requests counted, want 1", function, v)
		}
	}
}
