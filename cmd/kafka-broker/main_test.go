package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestRestartKeepsData starts the broker on a temp data dir, creates topics,
// produces a record, commits a consumer-group offset through a real group
// session, restarts the broker on the same dir and checks all of it survived
// (and that a deleted topic stayed deleted).
func TestRestartKeepsData(t *testing.T) {
	cfg := config{Addr: freeAddr(t), DataDir: t.TempDir(), Partitions: 3, LogLevel: "warn"}
	const (
		topic   = "member-activity-20261125"
		deleted = "member-activity-20261101"
		group   = "dailyfeed-test"
	)

	stop := startBroker(t, cfg)
	admin := newAdmin(t, cfg.Addr)
	for _, name := range []string{topic, deleted} {
		// -1 partitions: the broker's default (3) applies.
		if err := admin.CreateTopic(name, &sarama.TopicDetail{NumPartitions: -1, ReplicationFactor: 1}, false); err != nil {
			t.Fatalf("create topic %s: %v", name, err)
		}
	}
	if err := admin.DeleteTopic(deleted); err != nil {
		t.Fatalf("delete topic: %v", err)
	}
	_ = admin.Close()

	prod, err := sarama.NewSyncProducer([]string{cfg.Addr}, saramaConfig())
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	part, off, err := prod.SendMessage(&sarama.ProducerMessage{
		Topic: topic, Key: sarama.StringEncoder("post-1"), Value: sarama.StringEncoder("hello"),
	})
	_ = prod.Close()
	if err != nil {
		t.Fatalf("produce: %v", err)
	}

	consumeAndCommit(t, cfg.Addr, group, topic)
	stop()

	// Same data dir, new process state.
	startBroker(t, cfg)
	admin = newAdmin(t, cfg.Addr)
	defer admin.Close()

	topics, err := admin.ListTopics()
	if err != nil {
		t.Fatalf("list topics: %v", err)
	}
	if d, ok := topics[topic]; !ok || d.NumPartitions != 3 {
		t.Errorf("topic %s after restart: present %v, partitions %d; want present, 3", topic, ok, d.NumPartitions)
	}
	if _, ok := topics[deleted]; ok {
		t.Errorf("deleted topic %s is back after restart", deleted)
	}

	offsets, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {part}})
	if err != nil {
		t.Fatalf("list group offsets: %v", err)
	}
	if b := offsets.GetBlock(topic, part); b == nil || b.Offset != off+1 {
		t.Errorf("committed offset after restart = %+v, want %d", b, off+1)
	}

	consumer, err := sarama.NewConsumer([]string{cfg.Addr}, saramaConfig())
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, part, off)
	if err != nil {
		t.Fatalf("consume partition: %v", err)
	}
	defer pc.Close()
	select {
	case m := <-pc.Messages():
		if string(m.Key) != "post-1" || string(m.Value) != "hello" {
			t.Errorf("record after restart = %q/%q, want post-1/hello", m.Key, m.Value)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("no record after restart")
	}
}

func TestLoopbackPort(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:9092": true,
		"[::1]:9092":     true,
		"localhost:0":    true,
		"0.0.0.0:9092":   false,
		":9092":          false,
		"10.0.0.1:9092":  false,
		"127.0.0.1":      false,
	} {
		if _, err := loopbackPort(addr); (err == nil) != ok {
			t.Errorf("loopbackPort(%q) err = %v, want ok %v", addr, err, ok)
		}
	}
}

// consumeAndCommit joins group, reads one record from topic, marks it and
// commits explicitly (as dailyfeed's consumers do), then leaves the group.
func consumeAndCommit(t *testing.T, addr, group, topic string) {
	t.Helper()
	cfg := saramaConfig()
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cg, err := sarama.NewConsumerGroup([]string{addr}, group, cfg)
	if err != nil {
		t.Fatalf("consumer group: %v", err)
	}
	defer cg.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h := &commitOne{done: make(chan struct{})}
	errc := make(chan error, 1)
	go func() { errc <- cg.Consume(ctx, []string{topic}, h) }()
	select {
	case <-h.done:
	case err := <-errc:
		t.Fatalf("consume: %v", err)
	case <-ctx.Done():
		t.Fatal("no record consumed within 30s")
	}
	cancel()
	if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("consume: %v", err)
	}
}

type commitOne struct{ done chan struct{} }

func (*commitOne) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (*commitOne) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *commitOne) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		s.MarkMessage(m, "")
		s.Commit()
		close(h.done)
		<-s.Context().Done()
		return nil
	}
	return nil
}

// startBroker runs the broker in the background until the returned stop
// func (also registered as cleanup) is called.
func startBroker(t *testing.T, cfg config) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", cfg.Addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case err := <-errc:
			t.Fatalf("broker exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("broker not listening on %s: %v", cfg.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("broker: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

func newAdmin(t *testing.T, addr string) sarama.ClusterAdmin {
	t.Helper()
	admin, err := sarama.NewClusterAdmin([]string{addr}, saramaConfig())
	if err != nil {
		t.Fatalf("cluster admin: %v", err)
	}
	return admin
}

func saramaConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_6_0_0
	cfg.Producer.Return.Successes = true
	cfg.Metadata.Retry.Backoff = 50 * time.Millisecond
	return cfg
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
