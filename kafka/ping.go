// Package kafka is dailyfeed's side of Kafka: the dated topics, the
// CloudEvents publisher and, for local runs, the KafkaSource emulator. It
// speaks only the Kafka protocol (IBM/sarama), so production runs on a real
// cluster and local runs on the kfake broker (cmd/kafka-broker).
package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
)

// Version is the protocol version dailyfeed speaks (docs/deploy.md: Kafka ≥ 2.1).
var Version = sarama.V3_6_0_0

// Ping reports whether at least one broker answers an ApiVersions request.
func Ping(ctx context.Context, brokers []string) error {
	cfg := sarama.NewConfig()
	cfg.Version = Version
	cfg.Net.DialTimeout = 2 * time.Second
	cfg.Net.ReadTimeout = 2 * time.Second
	if d, ok := ctx.Deadline(); ok {
		cfg.Net.DialTimeout = time.Until(d)
	}
	var errs []error
	for _, addr := range brokers {
		b := sarama.NewBroker(addr)
		if err := b.Open(cfg); err != nil {
			errs = append(errs, err)
			continue
		}
		_, err := b.ApiVersions(&sarama.ApiVersionsRequest{})
		_ = b.Close()
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("broker %s: %w", addr, err))
	}
	return fmt.Errorf("no kafka broker answers: %w", errors.Join(errs...))
}
