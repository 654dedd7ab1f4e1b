// Package loadtest drives HTTP load against a running dailyfeed and reports
// throughput and latency percentiles, for `make bench`.
package loadtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Result is the outcome of one load run.
type Result struct {
	Name     string
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
}

// PerSecond is the request rate.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Row formats r as a BENCHMARKS.md table row.
func (r Result) Row() string {
	return fmt.Sprintf("| %s | %d | %d | %.0f | %s | %s |", r.Name, r.Requests, r.Errors, r.PerSecond(),
		r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond))
}

// Header is the BENCHMARKS.md table header matching Row.
const Header = "| scenario | requests | errors | req/s | p50 | p99 |\n| --- | ---: | ---: | ---: | ---: | ---: |"

// Run calls do from workers goroutines for d and measures every call. do
// gets the worker index and the call number so it can vary its request.
func Run(ctx context.Context, name string, workers int, d time.Duration, do func(ctx context.Context, worker, n int) error) Result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		wg        sync.WaitGroup
	)
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var own []time.Duration
			ownErrs := 0
			for n := 0; ctx.Err() == nil; n++ {
				t0 := time.Now()
				err := do(ctx, w, n)
				if ctx.Err() != nil {
					break // cut off by the deadline: not a sample
				}
				own = append(own, time.Since(t0))
				if err != nil {
					ownErrs++
				}
			}
			mu.Lock()
			latencies = append(latencies, own...)
			errs += ownErrs
			mu.Unlock()
		}()
	}
	wg.Wait()
	return Samples(name, latencies, errs, time.Since(start))
}

// Samples makes the Result of latencies measured some other way than Run
// (one process start, one event's lag): errs failed attempts, elapsed the
// wall time they took. latencies is sorted in place.
func Samples(name string, latencies []time.Duration, errs int, elapsed time.Duration) Result {
	slices.Sort(latencies)
	return Result{
		Name: name, Requests: len(latencies), Errors: errs, Elapsed: elapsed,
		P50: percentile(latencies, 0.50), P99: percentile(latencies, 0.99),
	}
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}
