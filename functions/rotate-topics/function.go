// Package rotatetopics is the rotate-topics function, a CloudEvent function
// a PingSource triggers daily at 23:50 in the topic time zone (Case 3 of
// the original: dated topics). Each run rotates the dated topics of the
// configured base (config.TopicBase) with kafka/rotation: tomorrow's topic
// created, topics past the retention deleted, and on a cluster the
// KafkaSources pointed at [yesterday, today, tomorrow]. This package only
// wires the rotation to the stack; the local runner calls Run on a timer.
package rotatetopics

import (
	"context"
	"errors"
	"log/slog"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/kafka/rotation"
)

// Function is the rotate-topics function.
type Function struct{ fn.Job }

// New returns the function; it does no I/O. Its Receive runs one rotation
// (Run) for a PingSource event (fn.Job). An error (Kafka or the Kubernetes
// API failed) makes the event be retried.
func New() *Function {
	return &Function{fn.NewJob("rotate-topics", stack.Kafka, Run)}
}

// Run runs one rotation over the stack's Kafka admin, on the stack's clock,
// patching the KafkaSources when running on a cluster.
func Run(ctx context.Context, s *stack.Stack) error {
	if s.Publisher == nil {
		return errors.New("rotate-topics: the stack has no kafka")
	}
	p, err := rotation.ClusterPatcher()
	if err != nil {
		return err
	}
	r := rotation.Rotator{
		Admin:     s.Publisher.Admin(),
		Topics:    kafka.NewTopics(s.Config.TopicBase, s.Config.TopicTimeZone, s.Now),
		Retention: s.Config.TopicRetention,
	}
	if p != nil {
		r.Patcher = p
	}
	res, err := r.Rotate(ctx)
	if len(res.Deleted) > 0 || len(res.Patched) > 0 {
		slog.InfoContext(ctx, "topics rotated", "base", r.Topics.Base, "window", res.Window,
			"deleted", res.Deleted, "patched", res.Patched)
	}
	return err
}
