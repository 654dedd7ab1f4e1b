package loadtest

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if got := percentile(d, 0.5); got != 50*time.Millisecond {
		t.Errorf("p50 = %v, want 50ms", got)
	}
	if got := percentile(d, 0.99); got != 99*time.Millisecond {
		t.Errorf("p99 = %v, want 99ms", got)
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("p50 of nothing = %v, want 0", got)
	}
}

func TestSamples(t *testing.T) {
	// Unsorted on purpose: Samples sorts before taking percentiles.
	lat := []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}
	r := Samples("x", lat, 1, 0)
	if r.Requests != 3 || r.Errors != 1 || r.P50 != 20*time.Millisecond || r.P99 != 20*time.Millisecond {
		t.Errorf("Samples = %+v, want 3 requests, 1 error, p50 = p99 = 20ms", r)
	}
	if got := r.PerSecond(); got != 0 {
		t.Errorf("PerSecond with no elapsed time = %v, want 0", got)
	}
}
