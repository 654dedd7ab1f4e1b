package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/loadtest"
)

func init() { scenarioByName["coldstart"] = coldStartScenario }

// coldTarget is one binary measured from exec to its first answered
// request, on the routes probes name.
type coldTarget struct {
	name   string
	bin    string
	env    []string
	probes []probe
}

// coldStartScenario measures how long a function process takes from exec
// to its first 2xx, BENCH_COLDSTART_RUNS times (default 20) per binary and
// route, against the local stack (loopback backends):
//
//   - create-post and follow-feed, each built as its own process the way
//     func's host builder builds a function (a generated main calling
//     func-go's http.Start(New()), see buildFunction);
//   - the all-in-one root package built the same way, and cmd/dailyfeed
//     (LOCAL_SINKS=off: its sinks would join the consumer groups of the
//     function under load);
//   - the floor, in the same run: a hello-world net/http binary.
//
// Each probe polls its route every millisecond from just before exec until
// the first 2xx: /health/readiness (2xx only once the function reports
// ready), and a real request (create-post: POST /api/posts; the others:
// the caller's follow feed), authenticated with a token of cmd/seed's
// first member from the function under load (same database and Redis,
// hence the same signing keys).
func coldStartScenario(ctx context.Context, c *client, _ int, _ time.Duration) ([]loadtest.Result, error) {
	runs := envInt("BENCH_COLDSTART_RUNS", 20)
	dir, err := os.MkdirTemp("", "bench-coldstart-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	var login struct {
		AccessToken string `json:"accessToken"`
	}
	body := map[string]string{"email": "seed1@bench.local", "password": seedPassword}
	if _, err := c.do(ctx, "POST", "/api/authentication/login", "", body, &login); err != nil {
		return nil, fmt.Errorf("log in a seed member (run cmd/seed first): %w", err)
	}
	ready := probe{name: "GET /health/readiness", method: "GET", path: "/health/readiness"}
	feed := probe{name: "GET follow-feed (authenticated)", method: "GET", path: "/api/timeline/posts/followings?size=20", token: login.AccessToken}
	post := probe{name: "POST create-post (authenticated)", method: "POST", path: "/api/posts", token: login.AccessToken,
		body: `{"content":"cold start probe: the quick brown fox"}`}

	bins, err := buildColdStartBinaries(ctx, dir)
	if err != nil {
		return nil, err
	}
	noMetrics := []string{"METRICS_ADDRESS=off"}
	targets := []coldTarget{
		{"hello-world net/http binary (floor)", bins["hello"], nil, []probe{{name: "GET /", method: "GET", path: "/"}}},
		{"create-post (own process, func scaffolding)", bins["create-post"], noMetrics, []probe{ready, post}},
		{"follow-feed (own process, func scaffolding)", bins["follow-feed"], noMetrics, []probe{ready, feed}},
		{"all-in-one root package (func scaffolding)", bins["dailyfeed"], noMetrics, []probe{ready, feed}},
		{"cmd/dailyfeed (LOCAL_SINKS=off)", bins["cmd-dailyfeed"], append([]string{"LOCAL_SINKS=off"}, noMetrics...), []probe{ready, feed}},
	}
	var results []loadtest.Result
	var floor time.Duration
	for _, t := range targets {
		for _, p := range t.probes {
			r := measureColdStart(ctx, t, p, runs)
			if floor == 0 {
				floor = max(r.P50, 1)
			} else {
				r.Name += fmt.Sprintf(" — p50 %.1fx the hello floor", float64(r.P50)/float64(floor))
			}
			results = append(results, r)
		}
	}
	return results, nil
}

// measureColdStart starts t runs times and measures exec to p's first 2xx.
// A run that fails (no 2xx within the timeout, exec failure) is an error
// of the row, with its reason logged.
func measureColdStart(ctx context.Context, t coldTarget, p probe, runs int) loadtest.Result {
	var lat []time.Duration
	errs := 0
	start := time.Now()
	for i := range runs {
		d, err := firstAnswer(ctx, t.bin, t.env, p)
		if err != nil {
			errs++
			logRunError(t.name, p.name, i, err)
			continue
		}
		lat = append(lat, d)
	}
	return loadtest.Samples(fmt.Sprintf("exec → first 2xx: %s, %s", t.name, p.name), lat, errs, time.Since(start))
}

// envInt reads a positive integer from the environment, def otherwise.
func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}

// binPath is where a built binary goes in dir.
func binPath(dir, name string) string { return filepath.Join(dir, "bin", name) }
