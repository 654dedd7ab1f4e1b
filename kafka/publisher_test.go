package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/go-cmp/cmp"
	"github.com/sony/gobreaker/v2"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

// newEvent builds a LIKE_POST / POST_UPDATE style event of post postID.
func newEvent(t testing.TB, typ events.Type, postID, memberID int64) event.Event {
	t.Helper()
	e, err := events.New("test", events.Payload{
		MemberID: memberID, PostID: postID, TargetMemberID: 1,
		MemberActivityType: typ, CreatedAt: time.Now(),
	}, seoul)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func newPublisher(t testing.TB, o kafka.Options) *kafka.Publisher {
	t.Helper()
	p := kafka.NewPublisher(o)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func TestPublishRoundTrip(t *testing.T) {
	t.Parallel()
	o := kafkatest.Options(t, seoul, time.Now)
	o.Topic.Partitions = 3
	p := newPublisher(t, o)
	ctx := context.Background()

	// Two events of post 5 and one of post 6; post 5's must stay in order.
	sent := []event.Event{
		newEvent(t, events.PostCreate, 5, 2),
		newEvent(t, events.LikePost, 6, 3),
		newEvent(t, events.PostUpdate, 5, 2),
	}
	if err := p.Publish(ctx, sent...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	recs := kafkatest.Records(t, o.Brokers, o.Topics.Today())
	if len(recs) != len(sent) {
		t.Fatalf("%d records on %s, want %d", len(recs), o.Topics.Today(), len(sent))
	}
	byID := map[string]event.Event{}
	for _, e := range sent {
		byID[e.ID()] = e
	}
	var post5 []string
	partitions := map[string]int32{}
	for _, r := range recs {
		// Binary mode: attributes are ce_ headers, the value is the payload.
		id := kafkatest.Header(r, "ce_id")
		want, ok := byID[id]
		if !ok {
			t.Fatalf("record with unknown ce_id %q", id)
		}
		gotHeaders := map[string]string{}
		for _, h := range []string{"ce_specversion", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_dedupkey", "content-type"} {
			gotHeaders[h] = kafkatest.Header(r, h)
		}
		wantHeaders := map[string]string{
			"ce_specversion": "1.0",
			"ce_type":        want.Type(),
			"ce_source":      "/dailyfeed/test",
			"ce_subject":     want.Subject(),
			"ce_time":        want.Time().UTC().Format(time.RFC3339Nano),
			"ce_dedupkey":    events.DedupKeyOf(want),
			"content-type":   "application/json",
		}
		if d := cmp.Diff(wantHeaders, gotHeaders); d != "" {
			t.Errorf("headers of %s (-want +got):\n%s", id, d)
		}
		if string(r.Key) != want.Subject() {
			t.Errorf("key %q, want %q", r.Key, want.Subject())
		}
		if string(r.Value) != string(want.Data()) {
			t.Errorf("value %s, want %s", r.Value, want.Data())
		}
		got := kafkatest.Event(t, r)
		if _, err := events.Parse(got); err != nil {
			t.Errorf("Parse of the consumed event: %v", err)
		}
		if got.ID() != want.ID() || events.DedupKeyOf(got) != events.DedupKeyOf(want) || !got.Time().Equal(want.Time()) {
			t.Errorf("consumed %v, sent %v", got, want)
		}
		if string(r.Key) == "5" {
			post5 = append(post5, id)
		}
		if prev, ok := partitions[string(r.Key)]; ok && prev != r.Partition {
			t.Errorf("key %s on partitions %d and %d", r.Key, prev, r.Partition)
		}
		partitions[string(r.Key)] = r.Partition
	}
	if d := cmp.Diff([]string{sent[0].ID(), sent[2].ID()}, post5); d != "" {
		t.Errorf("post 5's events out of order (-want +got):\n%s", d)
	}
}

func TestEnsureTopicSpec(t *testing.T) {
	t.Parallel()
	o := kafkatest.Options(t, seoul, time.Now)
	admin := kafka.NewAdmin(o.Brokers, kafka.TopicSpec{Partitions: 2, Retention: 36 * time.Hour})
	t.Cleanup(func() { _ = admin.Close() })
	ctx := context.Background()
	topic := o.Topics.Tomorrow()
	for range 2 { // the second call answers from memory
		if err := admin.Ensure(ctx, topic); err != nil {
			t.Fatal(err)
		}
	}
	// A second admin finds it existing: fine.
	other := kafka.NewAdmin(o.Brokers, kafka.TopicSpec{Partitions: 5})
	t.Cleanup(func() { _ = other.Close() })
	if err := other.Ensure(ctx, topic); err != nil {
		t.Fatalf("Ensure of an existing topic: %v", err)
	}

	cfg := sarama.NewConfig()
	cfg.Version = kafka.Version
	ca, err := sarama.NewClusterAdmin(o.Brokers, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	md, err := ca.DescribeTopics([]string{topic})
	if err != nil || len(md) != 1 {
		t.Fatalf("describe %s: %v", topic, err)
	}
	if n := len(md[0].Partitions); n != 2 {
		t.Errorf("%d partitions, want 2", n)
	}
	described, err := ca.DescribeConfigs([]*sarama.ConfigResource{{Type: sarama.TopicResource, Name: topic, ConfigNames: []string{"retention.ms"}}}, sarama.DescribeConfigsOptions{})
	if err != nil || len(described) != 1 || described[0].ErrorCode != sarama.ErrNoError {
		t.Fatalf("describe the configs of %s: %v %v", topic, err, described)
	}
	var retention string
	for _, e := range described[0].Configs {
		if e.Name == "retention.ms" {
			retention = e.Value
		}
	}
	if want := fmt.Sprint((36 * time.Hour).Milliseconds()); retention != want {
		t.Errorf("retention.ms = %q, want %s", retention, want)
	}

	names, err := admin.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(names, topic) {
		t.Errorf("List does not have %s", topic)
	}
	if err := admin.Delete(ctx, topic, topic); err != nil {
		t.Fatalf("Delete (twice): %v", err)
	}
	names, err = admin.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if contains(names, topic) {
		t.Errorf("List still has %s after Delete", topic)
	}
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func TestPublishAcksAll(t *testing.T) {
	t.Parallel()
	o := kafkatest.Options(t, seoul, time.Now)
	o.Acks = "all"
	p := newPublisher(t, o)
	evs := []event.Event{newEvent(t, events.LikePost, 1, 2), newEvent(t, events.LikePostCancel, 1, 2)}
	if err := p.Publish(context.Background(), evs...); err != nil {
		t.Fatalf("Publish with acks=all: %v", err)
	}
	recs := kafkatest.Records(t, o.Brokers, o.Topics.Today())
	if len(recs) != 2 || kafkatest.Header(recs[0], "ce_id") != evs[0].ID() || kafkatest.Header(recs[1], "ce_id") != evs[1].ID() {
		t.Errorf("records %v", recs)
	}
}

// TestPublishToTheDayOfTheClock: events go to the topic of the injected
// clock's day in Seoul.
func TestPublishToTheDayOfTheClock(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) // 00:00 on the 26th in Seoul
	o := kafkatest.Options(t, seoul, fixed(now))
	p := newPublisher(t, o)
	if err := p.Publish(context.Background(), newEvent(t, events.PostRead, 3, 4)); err != nil {
		t.Fatal(err)
	}
	if got := kafkatest.Records(t, o.Brokers, o.Topics.Base+"-20261126"); len(got) != 1 {
		t.Errorf("%d records on the 26th's topic, want 1", len(got))
	}
}

// TestBreakerOpensWhenKafkaIsDown: after FailuresToTrip failed sends the
// breaker is open and publishing fails with ErrUnavailable without trying.
func TestBreakerOpensWhenKafkaIsDown(t *testing.T) {
	t.Parallel()
	p := newPublisher(t, kafka.Options{
		Brokers: []string{"127.0.0.1:1"}, Acks: "1",
		Topics:         kafka.NewTopics("down", seoul, nil),
		FailuresToTrip: 3, OpenFor: time.Minute,
	})
	ctx := context.Background()
	e := newEvent(t, events.PostCreate, 1, 2)
	for i := range 3 {
		if p.State() != gobreaker.StateClosed {
			t.Fatalf("breaker %s after %d failures", p.State(), i)
		}
		err := p.Publish(ctx, e)
		if err == nil || errors.Is(err, kafka.ErrUnavailable) {
			t.Fatalf("publish %d: %v, want a connection error", i, err)
		}
	}
	if p.State() != gobreaker.StateOpen || p.Available() {
		t.Fatalf("breaker %s after 3 failures, want open", p.State())
	}
	errs := p.PublishEach(ctx, []event.Event{e, e})
	for _, err := range errs {
		if !errors.Is(err, kafka.ErrUnavailable) {
			t.Errorf("publish with the breaker open: %v, want ErrUnavailable", err)
		}
	}
}

// TestRecoversAfterOutage: one publisher outlives a broker restart; the
// breaker opens during the outage and closes after the next success.
func TestRecoversAfterOutage(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := t.TempDir()
	start := func() *kfake.Cluster {
		t.Helper()
		c, err := kfake.NewCluster(kfake.Ports(port), kfake.DataDir(dir), kfake.DefaultNumPartitions(1))
		if err != nil {
			t.Fatalf("start kfake: %v", err)
		}
		return c
	}
	c := start()
	p := newPublisher(t, kafka.Options{
		Brokers: []string{fmt.Sprintf("127.0.0.1:%d", port)}, Acks: "1",
		Topics:         kafka.NewTopics("outage", seoul, nil),
		Topic:          kafka.TopicSpec{Partitions: 1},
		FailuresToTrip: 2, OpenFor: 200 * time.Millisecond,
	})
	ctx := context.Background()
	if err := p.Publish(ctx, newEvent(t, events.PostCreate, 1, 2)); err != nil {
		t.Fatalf("publish before the outage: %v", err)
	}

	c.Close()
	for i := 0; p.State() != gobreaker.StateOpen; i++ {
		if i == 20 {
			t.Fatalf("breaker still %s after %d failed publishes", p.State(), i)
		}
		if err := p.Publish(ctx, newEvent(t, events.PostUpdate, 1, 2)); err == nil {
			t.Fatal("publish succeeded with the broker down")
		}
	}

	c = start()
	defer c.Close()
	var err error
	for i := range 50 { // sarama finds the broker again by itself
		if err = p.Publish(ctx, newEvent(t, events.PostDelete, 1, 2)); err == nil {
			break
		}
		t.Logf("publish %d after the restart: %v", i, err)
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("no publish succeeded after the restart: %v", err)
	}
	if p.State() != gobreaker.StateClosed {
		t.Errorf("breaker %s after a success, want closed", p.State())
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestPublishConcurrently: one publisher shared by many goroutines loses
// nothing and keeps each goroutine's (key's) order.
func TestPublishConcurrently(t *testing.T) {
	t.Parallel()
	o := kafkatest.Options(t, seoul, time.Now)
	o.Topic.Partitions = 3
	p := newPublisher(t, o)
	const writers, each = 8, 25
	want := make([][]string, writers)
	var wg sync.WaitGroup
	for w := range writers {
		for range each {
			want[w] = append(want[w], newEvent(t, events.PostRead, int64(100+w), 2).ID())
		}
	}
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := newEvent(t, events.PostRead, int64(100+w), 2)
				e.SetID(want[w][i])
				if err := p.Publish(context.Background(), e); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := make([][]string, writers)
	for _, r := range kafkatest.Records(t, o.Brokers, o.Topics.Today()) {
		var w int
		fmt.Sscan(string(r.Key), &w)
		got[w-100] = append(got[w-100], kafkatest.Header(r, "ce_id"))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("per-key order (-want +got):\n%s", d)
	}
}

// BenchmarkPublish reports the cost of publishing one event (acks=1) to the
// local broker, sequentially and from parallel callers.
func BenchmarkPublish(b *testing.B) {
	o := kafkatest.Options(b, seoul, time.Now)
	o.Topic.Partitions = 3
	p := newPublisher(b, o)
	ctx := context.Background()
	e := newEvent(b, events.LikePost, 1, 2)
	if err := p.Publish(ctx, e); err != nil { // connect, create the topic
		b.Fatal(err)
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			if err := p.Publish(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := p.Publish(ctx, e); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("batch100", func(b *testing.B) {
		batch := make([]event.Event, 100)
		for i := range batch {
			batch[i] = e
		}
		for b.Loop() {
			if err := p.Publish(ctx, batch...); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/event")
	})
}
