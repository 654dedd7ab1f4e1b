package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/loadtest"
)

func init() { scenarioByName["coldstart"] = coldstartScenario }

// coldstartScenario measures a function from exec to its first answered
// request: each binary is built once, then started BENCH_COLDSTART_RUNS
// times (default 20) on a free loopback port with the bench's environment,
// GET /health/readiness is polled every millisecond until it answers 2xx,
// and the process is stopped (SIGTERM, wait) before the next run.
//
//   - hello binary: a minimal net/http server (cmd/bench/hello), the floor.
//   - all-in-one: cmd/dailyfeed, every route, with LOCAL_SINKS=off (the
//     sinks and the KafkaSource emulator are their own services on a
//     cluster, and would join the running bench server's consumer groups).
//   - create-post, follow-feed: one function as its own process, built from
//     the main func's host builder scaffolds for a Go function
//     (fnhttp.Start(pkg.New())), supplied to go build as an overlay.
//
// The scenario ignores -url, -c and -d; requests is the number of runs and
// req/s the runs per second of the whole series.
func coldstartScenario(ctx context.Context, _ *client, _ int, _ time.Duration) ([]loadtest.Result, error) {
	runs := 20
	if n, err := strconv.Atoi(os.Getenv("BENCH_COLDSTART_RUNS")); err == nil && n > 0 {
		runs = n
	}
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return nil, fmt.Errorf("find the module root: %w", err)
	}
	root := strings.TrimSpace(string(out))
	tmp, err := os.MkdirTemp("", "dailyfeed-coldstart-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	targets := []struct {
		name, pkg, function string // function: scaffold a main for functions/<function>
		env                 []string
	}{
		{name: "cold start: hello binary (floor)", pkg: "./cmd/bench/hello"},
		{name: "cold start: all-in-one dailyfeed", pkg: "./cmd/dailyfeed", env: []string{"LOCAL_SINKS=off"}},
		{name: "cold start: create-post alone", function: "create-post"},
		{name: "cold start: follow-feed alone", function: "follow-feed"},
	}
	var results []loadtest.Result
	for i, t := range targets {
		bin := filepath.Join(tmp, "bin"+strconv.Itoa(i))
		if err := buildTarget(ctx, root, tmp, t.pkg, t.function, bin); err != nil {
			return nil, err
		}
		r, err := coldStarts(ctx, t.name, bin, t.env, runs)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	return results, nil
}

// scaffold is the main of a Go function as the func CLI's host builder
// generates it (knative/func: templates/go/scaffolding/instanced-http).
const scaffold = `package main

import (
	"log"

	fnhttp "knative.dev/func-go/http"

	f "github.com/dailyfeed/dailyfeed/functions/%s"
)

func main() {
	if err := fnhttp.Start(f.New()); err != nil {
		log.Fatal(err)
	}
}
`

// buildTarget builds pkg, or the scaffolded main of functions/function, into
// bin. The scaffold lives only in an overlay: nothing is written to the tree.
func buildTarget(ctx context.Context, root, tmp, pkg, function, bin string) error {
	args := []string{"build", "-o", bin}
	if function != "" {
		main := filepath.Join(tmp, function+"-main.go")
		if err := os.WriteFile(main, fmt.Appendf(nil, scaffold, function), 0o644); err != nil {
			return err
		}
		dir := filepath.Join(root, "cmd", "bench", "scaffold-"+function)
		overlay, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(dir, "main.go"): main}})
		if err != nil {
			return err
		}
		ov := filepath.Join(tmp, function+"-overlay.json")
		if err := os.WriteFile(ov, overlay, 0o644); err != nil {
			return err
		}
		args = append(args, "-overlay", ov)
		pkg = "./cmd/bench/scaffold-" + function
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s: %w", pkg, err)
	}
	return nil
}

// coldStarts execs bin runs times and measures each run from exec to the
// first 2xx answer of GET /health/readiness. A run that does not answer
// within 30 s, or exits first, counts as an error.
func coldStarts(ctx context.Context, name, bin string, env []string, runs int) (loadtest.Result, error) {
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var (
		latencies []time.Duration
		errs      int
	)
	start := time.Now()
	for range runs {
		d, err := coldStart(ctx, hc, bin, env)
		if ctx.Err() != nil {
			return loadtest.Result{}, ctx.Err()
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			errs++
			continue
		}
		latencies = append(latencies, d)
	}
	elapsed := time.Since(start)
	slices.Sort(latencies)
	return loadtest.Result{
		Name: name, Requests: runs, Errors: errs, Elapsed: elapsed,
		P50: percentile(latencies, 0.50), P99: percentile(latencies, 0.99),
	}, nil
}

func coldStart(ctx context.Context, hc *http.Client, bin string, env []string) (time.Duration, error) {
	ports, err := freePorts(3)
	if err != nil {
		return 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	cmd := exec.Command(bin)
	// The bench's environment (DATABASE_SCHEMA, REDIS_PREFIX, ...), ports of
	// the run's own so nothing collides with a running server.
	cmd.Env = append(os.Environ(),
		"LISTEN_ADDRESS="+addr,
		"SINKS_LISTEN_ADDRESS=127.0.0.1:"+strconv.Itoa(ports[1]),
		"METRICS_ADDRESS=127.0.0.1:"+strconv.Itoa(ports[2]),
	)
	cmd.Env = append(cmd.Env, env...)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	exited := make(chan struct{})
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	url := "http://" + addr + "/health/readiness"
	deadline := t0.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ok := ready(ctx, hc, url); ok {
			return time.Since(t0), nil
		}
		select {
		case <-exited:
			return 0, fmt.Errorf("exited before answering: %s", lastLines(logs.String(), 5))
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return 0, errors.New("not ready within 30s")
}

func ready(ctx context.Context, hc *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

// freePorts returns n loopback ports free at the time of the call.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(float64(len(sorted)-1)*p)]
}
