package metrics_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/metrics/metricstest"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

// TestStuckPartitionLag: records held on one partition by a sink that
// answers 503 make that partition's lag gauge grow and its stalled time
// rise while the other partitions stay at 0; once the sink recovers the
// lag returns to 0. A Prometheus server scraping the gauges and
// evaluating the generated alerting rules holds DailyfeedPartitionStuck for
// that partition, and only that one, while it lags, and drops it once the
// lag is back to 0. The sink's failures are logged once when they start
// (with the record's coordinates) and once when they end, with a count:
// not once per retry.
func TestStuckPartitionLag(t *testing.T) {
	t.Parallel()
	o := kafkatest.Options(t, time.UTC, time.Now)
	o.Topic.Partitions = 3
	pub := kafka.NewPublisher(o)
	t.Cleanup(func() { _ = pub.Close() })

	var failing atomic.Bool
	failing.Store(true)
	var posts atomic.Int64
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
			return
		}
		posts.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(sink.Close)

	logs := &testenv.Logs{}
	src := kafka.NewSource(kafka.SourceOptions{
		Name: "lag-test", Group: "lag-test-" + o.Topics.Base, Brokers: o.Brokers, Topics: o.Topics, Topic: o.Topic,
		Sink: sink.URL, Refresh: 50 * time.Millisecond,
		// Retries enough to hold the record for the whole test, close
		// enough to see the recovery at once.
		Delivery: kafka.Delivery{Retry: 100000, BackoffPolicy: kafka.Linear, BackoffDelay: 5 * time.Millisecond, Timeout: 2 * time.Second},
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
	})
	mon := &kafka.LagMonitor{Brokers: o.Brokers, Every: 100 * time.Millisecond,
		Watch: kafka.Watch{Groups: []string{src.ConsumerGroup()}, Topics: src.Window}}
	reg := metrics.NewRegistry()
	metrics.NewLag(reg, mon)
	scrapes := httptest.NewServer(metrics.Handler(reg))
	t.Cleanup(scrapes.Close)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = src.Run(ctx) })
	wg.Go(func() { mon.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })

	publish := func(n int) {
		t.Helper()
		var evs []event.Event
		for range n {
			// One post: one key, one partition.
			e, err := events.New("create-post", events.Payload{MemberID: 7, TargetMemberID: 7, PostID: 4242,
				MemberActivityType: events.PostCreate, CreatedAt: time.Now()}, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		if err := pub.Publish(context.Background(), evs...); err != nil {
			t.Fatal(err)
		}
	}
	today := o.Topics.Day(0)
	// lags returns the lag and stalled time of every partition of today.
	lags := func() (lag, stalled map[int]float64) {
		s := metricstest.Get(t, scrapes.URL+"/metrics")
		lag, stalled = map[int]float64{}, map[int]float64{}
		for p := range 3 {
			labels := map[string]string{"consumer_group": src.ConsumerGroup(), "topic": today, "partition": strconv.Itoa(p)}
			lag[p], _ = s.Value("dailyfeed_delivery_lag_records", labels)
			stalled[p], _ = s.Value("dailyfeed_delivery_stalled_seconds", labels)
		}
		return lag, stalled
	}
	stuckOn := func(lag map[int]float64) int {
		for p, v := range lag {
			if v > 0 {
				return p
			}
		}
		return -1
	}

	prom := prometheus(t, strings.TrimPrefix(scrapes.URL, "http://"))
	stuck := func() []alert { return alerts(t, prom, "DailyfeedPartitionStuck") }

	publish(1)
	var p int
	testenv.Eventually(t, "a partition to lag by 1", func() bool {
		lag, _ := lags()
		p = stuckOn(lag)
		return p >= 0 && lag[p] == 1
	})
	publish(2)
	var firstStalled float64
	testenv.Eventually(t, "the stuck partition's lag to grow to 3", func() bool {
		lag, stalled := lags()
		firstStalled = stalled[p]
		return lag[p] == 3
	})
	testenv.Eventually(t, "its stalled time to grow", func() bool {
		lag, stalled := lags()
		for q := range 3 {
			if q != p && lag[q] != 0 {
				t.Fatalf("partition %d lags by %v: only %d holds the records", q, lag[q], p)
			}
		}
		return stalled[p] > firstStalled && stalled[p] > 0.3
	})

	// The alert's expression is true for the stuck partition alone.
	testenv.Eventually(t, "prometheus to hold DailyfeedPartitionStuck for the stuck partition", func() bool {
		for _, a := range stuck() {
			if a.Labels["partition"] == strconv.Itoa(p) && a.Labels["topic"] == today &&
				a.Labels["consumer_group"] == src.ConsumerGroup() && (a.State == "pending" || a.State == "firing") {
				return true
			}
		}
		return false
	})
	for _, a := range stuck() {
		if a.Labels["partition"] != strconv.Itoa(p) {
			t.Errorf("DailyfeedPartitionStuck for partition %s, which holds nothing: %v", a.Labels["partition"], a)
		}
	}

	failing.Store(false)
	testenv.Eventually(t, "the lag to return to 0 once the sink recovers", func() bool {
		lag, stalled := lags()
		return lag[p] == 0 && stalled[p] == 0
	})
	testenv.Eventually(t, "prometheus to drop the alert once the lag is 0", func() bool {
		return len(stuck()) == 0
	})
	if n := posts.Load(); n != 3 {
		t.Errorf("sink took %d events, want 3", n)
	}

	// Logged once when the failures started, once when they ended.
	started := logs.Lines(t, "kafka source: sink failing")
	if len(started) != 1 {
		t.Fatalf("%d lines for the start of the failures, want 1", len(started))
	}
	if s := started[0]; s["topic"] != today || s["partition"] != float64(p) || s["offset"] != float64(0) || s["status"] != float64(503) {
		t.Errorf("start of the failures without the record's coordinates: %v", s)
	}
	if n := len(logs.Lines(t, "kafka source: sink still failing")); n != 0 {
		t.Errorf("%d reports within the report interval", n)
	}
	ended := logs.Lines(t, "kafka source: sink recovered")
	if len(ended) != 1 {
		t.Fatalf("%d lines for the end of the failures, want 1", len(ended))
	}
	if f, _ := ended[0]["failures"].(float64); f < 10 {
		t.Errorf("end of the failures counts %v failed attempts, want many", ended[0]["failures"])
	}
}
