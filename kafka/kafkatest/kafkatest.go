// Package kafkatest helps integration tests use the real Kafka broker: a
// unique topic base per test, a publisher on it, and reading back every
// record of a topic as CloudEvents.
package kafkatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/cloudevents/sdk-go/protocol/kafka_sarama/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/kafka"
)

const howToStart = "start the local broker with `make stack` (or `go run ./cmd/kafka-broker`)"

// Brokers returns the brokers of KAFKA_BROKERS (default 127.0.0.1:9092)
// and fails the test with how to start one when none answers.
func Brokers(t testing.TB) []string {
	t.Helper()
	SkipShort(t)
	brokers := []string{"127.0.0.1:9092"}
	if v := os.Getenv("KAFKA_BROKERS"); v != "" {
		brokers = strings.Split(v, ",")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := kafka.Ping(ctx, brokers); err != nil {
		t.Fatalf("kafka at %v: %v\n%s", brokers, err, howToStart)
	}
	return brokers
}

// SkipShort skips a test that needs the local stack in a -short run (make
// test-unit, which runs without the servers). In a full run it does
// nothing: a missing server fails the test with how to start it.
func SkipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the local stack (PostgreSQL, Redis, Kafka, MinIO); not part of -short")
	}
}

// Base returns a topic base of the test's own, "test-<id>-member-activity".
func Base() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test-" + hex.EncodeToString(b) + "-" + kafka.DefaultTopicBase
}

// Options returns publisher options for the test: the real brokers, a
// topic base of its own with one partition (so the test sees one order),
// a short retention, and the topics deleted when the test ends.
func Options(t testing.TB, zone *time.Location, now func() time.Time) kafka.Options {
	t.Helper()
	brokers := Brokers(t)
	o := kafka.Options{
		Brokers: brokers,
		Acks:    "1",
		Topics:  kafka.NewTopics(Base(), zone, now),
		Topic:   kafka.TopicSpec{Partitions: 1, Retention: time.Hour},
	}
	DeleteTopicsAtCleanup(t, brokers, o.Topics)
	return o
}

// DeleteTopicsAtCleanup deletes every topic of topics' base when the test
// ends.
func DeleteTopicsAtCleanup(t testing.TB, brokers []string, topics kafka.Topics) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		admin := kafka.NewAdmin(brokers, kafka.TopicSpec{})
		defer admin.Close()
		names, err := admin.List(ctx)
		if err != nil {
			t.Logf("list topics for cleanup: %v", err)
			return
		}
		for _, name := range names {
			if topics.Owns(name) {
				if err := admin.Delete(ctx, name); err != nil {
					t.Logf("cleanup: %v", err)
				}
			}
		}
	})
}

// Records returns every record of topic written so far (up to each
// partition's high-water mark when called), partition by partition in
// offset order. A topic that does not exist has no records.
func Records(t testing.TB, brokers []string, topic string) []*sarama.ConsumerMessage {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = kafka.Version
	cfg.Consumer.Return.Errors = true
	client, err := sarama.NewClient(brokers, cfg)
	if err != nil {
		t.Fatalf("kafka client: %v", err)
	}
	defer client.Close()
	partitions, err := client.Partitions(topic)
	if err != nil {
		return nil
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatalf("kafka consumer: %v", err)
	}
	defer consumer.Close()
	var out []*sarama.ConsumerMessage
	for _, p := range partitions {
		oldest, err := client.GetOffset(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatalf("oldest offset of %s/%d: %v", topic, p, err)
		}
		newest, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatalf("newest offset of %s/%d: %v", topic, p, err)
		}
		if newest <= oldest {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, oldest)
		if err != nil {
			t.Fatalf("consume %s/%d: %v", topic, p, err)
		}
		timeout := time.After(10 * time.Second)
		for next := oldest; next < newest; {
			select {
			case m := <-pc.Messages():
				out = append(out, m)
				next = m.Offset + 1
			case err := <-pc.Errors():
				t.Fatalf("consume %s/%d: %v", topic, p, err)
			case <-timeout:
				t.Fatalf("consume %s/%d: timed out at offset %d of %d", topic, p, next, newest)
			}
		}
		_ = pc.Close()
	}
	return out
}

// Event decodes a record as a CloudEvent with the CloudEvents Kafka binding
// (binary or structured mode).
func Event(t testing.TB, m *sarama.ConsumerMessage) event.Event {
	t.Helper()
	e, err := binding.ToEvent(context.Background(), kafka_sarama.NewMessageFromConsumerMessage(m))
	if err != nil {
		t.Fatalf("decode record %s/%d@%d as a CloudEvent: %v", m.Topic, m.Partition, m.Offset, err)
	}
	return *e
}

// Header returns the value of a record header, "" when absent.
func Header(m *sarama.ConsumerMessage, key string) string {
	for _, h := range m.Headers {
		if string(h.Key) == key {
			return string(h.Value)
		}
	}
	return ""
}
