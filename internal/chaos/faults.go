package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

// Fault is one kind of fault the schedule injects.
type Fault string

const (
	Malformed       Fault = "malformed records" // every poison kind to every partition of today's topic
	KillBroker      Fault = "broker SIGKILL"    // the Kafka broker killed, restarted after 2 s
	KillSinks       Fault = "sinks SIGKILL"     // the sinks' process killed, restarted
	StopSinks       Fault = "sinks SIGTERM"     // the sinks' process stopped as Knative stops it, restarted
	StopAPI         Fault = "api SIGTERM"       // the API stopped as Knative stops it, restarted
	FlushRedis      Fault = "redis flush"       // FLUSHALL
	RestartRedis    Fault = "redis restart"     // stopped and started (it keeps nothing)
	RestartPostgres Fault = "postgres restart"  // fast shutdown (in-flight writes fail), started
	RestartMinIO    Fault = "minio restart"     // stopped and started during uploads
)

// DefaultSchedule injects every kind, the broker kill three times.
var DefaultSchedule = []Fault{Malformed, KillBroker, KillSinks, FlushRedis, RestartPostgres, KillBroker,
	RestartMinIO, StopSinks, Malformed, RestartRedis, StopAPI, KillBroker, KillSinks}

// SmallSchedule injects every kind once.
var SmallSchedule = []Fault{Malformed, KillBroker, KillSinks, FlushRedis, RestartPostgres, RestartMinIO,
	StopSinks, RestartRedis, StopAPI}

// schedule injects the faults spread over the run: fault i when
// (i+1)/(n+2) of the events are acknowledged, the last ones at once if
// the load ends first.
func (r *runner) schedule(ctx context.Context, tag string) error {
	n := len(r.o.Schedule)
	for i, f := range r.o.Schedule {
		at := r.o.Events * int64(i+1) / int64(n+2)
		for r.l.acked.Load() < at && ctx.Err() == nil {
			sleep(ctx, 100*time.Millisecond)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		began := time.Now()
		if err := r.inject(context.WithoutCancel(ctx), f, fmt.Sprintf("%s-%d-", tag, i)); err != nil {
			return fmt.Errorf("fault %s: %w", f, err)
		}
		r.mu.Lock()
		r.faults[string(f)]++
		r.mu.Unlock()
		r.logf("fault %d/%d: %s (%s) at %d events", i+1, n, f, time.Since(began).Round(10*time.Millisecond), r.l.acked.Load())
	}
	return nil
}

func (r *runner) inject(ctx context.Context, f Fault, tag string) error {
	switch f {
	case Malformed:
		today := r.topics().Today()
		for p := range int32(3) {
			offs, err := kafkatest.Produce(ctx, r.brokers(), today, p, kafkatest.Poisons(tag))
			if err != nil {
				return err
			}
			r.mu.Lock()
			for _, o := range offs {
				r.poison = append(r.poison, coords{today, p, o})
			}
			r.mu.Unlock()
		}
	case KillBroker:
		return r.srv.Kill(ctx, "kafka", 2*time.Second)
	case KillSinks:
		r.countRetries()
		r.sink.Kill()
		sleep(ctx, time.Second)
		return r.sink.Start(ctx)
	case StopSinks:
		r.countRetries()
		r.sink.Stop(60 * time.Second)
		return r.sink.Start(ctx)
	case StopAPI:
		r.api.Stop(60 * time.Second)
		return r.api.Start(ctx)
	case FlushRedis:
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(r.srv.Ports.Redis)})
		defer c.Close()
		return c.FlushAll(ctx).Err()
	case RestartRedis:
		return r.srv.Restart(ctx, "redis")
	case RestartPostgres:
		return r.srv.Restart(ctx, "postgres")
	case RestartMinIO:
		return r.srv.Restart(ctx, "minio")
	default:
		return fmt.Errorf("unknown fault %q", f)
	}
	return nil
}

// countRetries adds the sinks process's delivery retries so far (attempts
// beyond one per record) before it goes away with its counters.
func (r *runner) countRetries() {
	r.retries.Add(r.scrapeRetries())
}

func (r *runner) scrapeRetries() int64 {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", r.srv.Ports.Metrics))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return 0
	}
	sum := func(name string) float64 {
		var s float64
		if f := fams[name]; f != nil {
			for _, m := range f.Metric {
				s += m.GetCounter().GetValue()
			}
		}
		return s
	}
	return int64(sum("dailyfeed_delivery_attempts_total") - sum("dailyfeed_delivery_records_total"))
}

// deadLetters: every malformed record is kept once per sink.
func (a *accountant) deadLetters(ctx context.Context, poison []coords, sinks int) {
	t := &a.t
	for _, c := range poison {
		n := a.int(ctx, `SELECT count(*) FROM dead_letters WHERE kafka_topic = $1 AND kafka_partition = $2 AND kafka_offset = $3`,
			c.topic, c.partition, c.offset)
		switch {
		case n < sinks:
			t.add(&t.Lost, sinks-n, "dead letters missing for the malformed record %s/%d@%d", c.topic, c.partition, c.offset)
		case n > sinks:
			t.add(&t.Duplicated, n-sinks, "dead letters kept twice for %s/%d@%d", c.topic, c.partition, c.offset)
		}
	}
	t.add(&t.Wrong, a.int(ctx, `SELECT count(*) FROM dead_letters WHERE event_source LIKE '/dailyfeed/%'`),
		"of our own events dead-lettered")
	t.add(&t.Duplicated, a.int(ctx, `SELECT count(*) FROM dead_letters WHERE attempts > 1 AND kafka_topic IS NULL`),
		"dead letters of unknown origin kept more than once")
}

// images: every acknowledged upload can be viewed.
func (a *accountant) images(ctx context.Context, c *api, members []member) {
	a.l.mu.Lock()
	ids := append([]string(nil), a.l.images...)
	a.l.mu.Unlock()
	for _, id := range ids {
		ans := c.send(ctx, "GET", "/api/images/view/"+id, members[0].token, "", nil, false)
		if ans.status != http.StatusOK {
			a.t.add(&a.t.Lost, 1, "acknowledged image %s answers %d %s", id, ans.status, ans.code)
		}
	}
}

func jsonInto(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }
