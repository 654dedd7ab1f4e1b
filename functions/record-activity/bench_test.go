package recordactivity_test

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// BenchmarkDelivery measures events/s through broker → KafkaSource
// emulator → record-activity (Redis pre-check, Postgres upsert, commit
// after 2xx), side by side with a raw sarama consumer reading the same
// topic in the same run. b.N is the number of events:
//
//	go test -run '^$' -bench Delivery -benchtime 5000x ./functions/record-activity
func BenchmarkDelivery(b *testing.B) {
	ctx := context.Background()
	cfg := testenv.Config(b)
	s := testenv.StackWith(b, cfg, stack.Postgres|stack.Redis|stack.Kafka)
	evs := make([]event.Event, b.N)
	for i := range evs {
		e, err := events.New("create-post", events.Payload{MemberID: int64(1 + i%50), TargetMemberID: int64(1 + i%50),
			PostID: int64(1 + i), MemberActivityType: events.PostCreate, CreatedAt: time.Now()}, cfg.TopicTimeZone)
		if err != nil {
			b.Fatal(err)
		}
		evs[i] = e
	}
	for i := 0; i < len(evs); i += 500 {
		if err := s.Publisher.Publish(ctx, evs[i:min(i+500, len(evs))]...); err != nil {
			b.Fatal(err)
		}
	}
	topic := s.Publisher.Topics().Today()
	b.ResetTimer()

	// The raw consumer: every partition from the oldest offset.
	start := time.Now()
	rawCount(b, cfg.KafkaBrokers, topic, b.N)
	raw := time.Since(start)

	// The emulator delivering to record-activity.
	srv := httptest.NewServer(receiver(b, started(s).Receive))
	defer srv.Close()
	src := kafka.NewSource(kafka.SourceOptions{
		Name: "bench", Group: "bench-" + cfg.TopicBase, Brokers: cfg.KafkaBrokers,
		Topics: kafka.NewTopics(cfg.TopicBase, cfg.TopicTimeZone, s.Now),
		Topic:  kafka.TopicSpec{Partitions: cfg.TopicPartitions, Retention: time.Hour},
		Sink:   srv.URL,
	})
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	start = time.Now()
	go func() { defer close(done); _ = src.Run(cctx) }()
	for {
		var n int
		if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM activities`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == b.N {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	emulated := time.Since(start)
	b.StopTimer()
	cancel()
	<-done

	rawRate := float64(b.N) / raw.Seconds()
	emuRate := float64(b.N) / emulated.Seconds()
	b.ReportMetric(rawRate, "raw-events/s")
	b.ReportMetric(emuRate, "emulated-events/s")
	b.ReportMetric(rawRate/emuRate, "raw/emulated")
}

func rawCount(b *testing.B, brokers []string, topic string, want int) {
	b.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = kafka.Version
	consumer, err := sarama.NewConsumer(brokers, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer consumer.Close()
	parts, err := consumer.Partitions(topic)
	if err != nil {
		b.Fatal(err)
	}
	var got atomic.Int64
	for _, p := range parts {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			b.Fatal(err)
		}
		defer pc.Close()
		go func() {
			for range pc.Messages() {
				got.Add(1)
			}
		}()
	}
	deadline := time.Now().Add(2 * time.Minute)
	for got.Load() < int64(want) {
		if time.Now().After(deadline) {
			b.Fatalf("raw consumer read %d of %d", got.Load(), want)
		}
		time.Sleep(time.Millisecond)
	}
}
