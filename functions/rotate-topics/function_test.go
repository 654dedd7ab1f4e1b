package rotatetopics_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	rotatetopics "github.com/dailyfeed/dailyfeed/functions/rotate-topics"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
)

func at(d, h, m int) time.Time {
	z, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return time.Date(2026, 11, d, h, m, 0, 0, z)
}

// TestReceiveRotatesOnTheStacksClock: the PingSource event runs a rotation
// with the stack's configuration and clock (no cluster: nothing patched).
func TestReceiveRotatesOnTheStacksClock(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.TopicPartitions = 1
	s := testenv.StackWith(t, cfg, stack.Kafka)
	s.Now = func() time.Time { return at(25, 23, 50) }
	f := rotatetopics.New()
	if err := f.Receive(context.Background(), event.New()); err == nil {
		t.Error("Receive before Start succeeded")
	}
	f.Share(s)
	if err := f.Receive(context.Background(), event.New()); err != nil {
		t.Fatal(err)
	}
	admin := kafka.NewAdmin(cfg.KafkaBrokers, kafka.TopicSpec{})
	defer admin.Close()
	names, err := admin.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, cfg.TopicBase+"-20261126") {
		t.Errorf("tomorrow's topic of the configured base is missing: %v", names)
	}
}
