package dailyfeed_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

// TestPoisonRecordsBlockNoPartition: malformed and foreign records of
// every kind on every partition of today's topic are each kept in the
// dead letters exactly once per sink, and every event published after
// them reaches every sink: no partition stays stuck.
func TestPoisonRecordsBlockNoPartition(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.TopicPartitions = 3
	s := testenv.StackWith(t, cfg, stack.Postgres|stack.Redis|stack.Kafka)
	ctx := context.Background()
	sources := delivery(t, s)
	topics := kafka.NewTopics(cfg.TopicBase, cfg.TopicTimeZone, s.Now)
	today := topics.Day(0)
	admin := kafka.NewAdmin(cfg.KafkaBrokers, kafka.TopicSpec{Partitions: 3, Retention: time.Hour})
	t.Cleanup(func() { _ = admin.Close() })
	if err := admin.Ensure(ctx, today); err != nil {
		t.Fatal(err)
	}

	// Poison every partition before any sink reads it.
	bad := kafkatest.Poisons("")
	for p := range int32(3) {
		if _, err := kafkatest.Produce(ctx, cfg.KafkaBrokers, today, p, bad); err != nil {
			t.Fatal(err)
		}
	}
	start(t, sources)

	// Events after the poison, on every partition.
	env := contenttest.Over(t, s, dailyfeed.Functions())
	env.C.Handler = http.HandlerFunc(dailyfeed.NewShared(s).Handle)
	author := env.Member()
	var posts []int64
	for i := range 24 {
		posts = append(posts, env.Post(author, fmt.Sprintf("after the poison %d", i)).ID)
	}
	ends := map[int32]int64{}
	var groups []string
	for _, src := range sources {
		groups = append(groups, src.ConsumerGroup())
	}
	lags := func() []kafka.PartitionLag {
		ls, err := kafka.Lags(ctx, cfg.KafkaBrokers, groups, []string{today})
		if err != nil {
			t.Fatal(err)
		}
		return ls
	}
	for _, l := range lags() {
		ends[l.Partition] = l.End
	}
	for p := range int32(3) {
		if ends[p] <= int64(len(bad)) {
			t.Fatalf("partition %d got no event after the poison (end %d): the test proves nothing", p, ends[p])
		}
	}

	// Every sink's group reaches the end of every partition.
	testenv.Eventually(t, "every sink to deliver every partition", func() bool {
		for _, l := range lags() {
			if l.Lag != 0 {
				return false
			}
		}
		return true
	})
	// Every post reached record-activity once; fanout-feed and
	// update-stats moved past it (lag 0 above) and dead-lettered nothing
	// but the poison.
	if n := env.Int(`SELECT count(*) FROM activities WHERE post_id = ANY($1)`, posts); n != int64(len(posts)) {
		t.Errorf("%d activity rows for %d posts", n, len(posts))
	}
	if n := env.Int(`SELECT count(DISTINCT post_id) FROM activities WHERE post_id = ANY($1)`, posts); n != int64(len(posts)) {
		t.Errorf("%d posts recorded, want %d", n, len(posts))
	}
	var sinkNames []string // the sinks of the activity topics
	all, _ := dailyfeed.Sinks()
	for _, f := range all {
		if f.Topic == "" {
			sinkNames = append(sinkNames, f.Name)
		}
	}
	want := int64(len(bad) * 3 * len(sinkNames))
	if n := env.Int(`SELECT count(*) FROM dead_letters WHERE kafka_topic = $1`, today); n != want {
		t.Errorf("%d dead letters, want %d (each poison once per partition and sink)", n, want)
	}
	if n := env.Int(`SELECT count(*) FROM dead_letters WHERE attempts <> 1 OR kafka_partition IS NULL`); n != 0 {
		t.Errorf("%d dead letters kept more than once or without coordinates", n)
	}
	if n := env.Int(`SELECT count(*) FROM dead_letters WHERE event_type LIKE 'dailyfeed.%' AND event_source LIKE '/dailyfeed/%'`); n != 0 {
		t.Errorf("%d of our own events were dead-lettered", n)
	}
	// The raw bytes are kept: the huge value whole, binary byte for byte.
	if n := env.Int(`SELECT count(*) FROM dead_letters WHERE event_id = 'huge' AND length(data) = $1`, 512<<10); n != int64(3*len(sinkNames)) {
		t.Errorf("huge value kept whole %d times", n)
	}
	if n := env.Int(`SELECT count(*) FROM dead_letters WHERE data = '\x0001fffe80'::bytea AND kafka_key = '\xff00fe'::bytea`); n != int64(3*len(sinkNames)) {
		t.Errorf("binary value kept byte for byte %d times", n)
	}
	if n := env.Int(`SELECT count(*) FROM dead_letters WHERE data = '{not json'::bytea`); n != int64(3*len(sinkNames)) {
		t.Errorf("invalid JSON kept %d times", n)
	}
}
