package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// TopicSpec is how dated topics are created.
type TopicSpec struct {
	Partitions int           // config.TopicPartitions
	Retention  time.Duration // config.TopicRetention, the topic's retention.ms
	// ReplicationFactor 0 means the broker's default.replication.factor.
	ReplicationFactor int16
}

// Admin creates, lists and deletes topics through sarama's ClusterAdmin. It
// connects lazily on first use and again after a failure, so building one
// never blocks on a broker that is down. Ensure remembers the topics it has
// made sure of, so publishing asks the broker once per topic and process.
// It is safe for concurrent use.
type Admin struct {
	brokers []string
	spec    TopicSpec

	mu      sync.Mutex // guards admin and serialises broker calls
	admin   sarama.ClusterAdmin
	ensured sync.Map // topic → struct{}
}

// NewAdmin returns an admin of the cluster at brokers. It does no I/O.
func NewAdmin(brokers []string, spec TopicSpec) *Admin {
	return &Admin{brokers: brokers, spec: spec}
}

func adminConfig() *sarama.Config {
	c := sarama.NewConfig()
	c.Version = Version
	c.ClientID = "dailyfeed-admin"
	c.Net.DialTimeout = time.Second
	c.Net.ReadTimeout = 5 * time.Second
	c.Net.WriteTimeout = 5 * time.Second
	c.Metadata.Retry.Max = 1
	c.Metadata.Retry.Backoff = 100 * time.Millisecond
	c.Metadata.Full = true // the admin needs the cluster's metadata, not one topic's
	c.Metadata.AllowAutoTopicCreation = false
	c.Admin.Retry.Max = 2
	c.Admin.Retry.Backoff = 100 * time.Millisecond
	c.Admin.Timeout = 5 * time.Second
	return c
}

// do runs f with a connected admin. A failure that is not an answer from
// the broker drops the connection, so the next call reconnects.
func (a *Admin) do(ctx context.Context, f func(sarama.ClusterAdmin) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.admin == nil {
		ad, err := sarama.NewClusterAdmin(a.brokers, adminConfig())
		if err != nil {
			return fmt.Errorf("connect kafka admin: %w", err)
		}
		a.admin = ad
	}
	err := f(a.admin)
	var kerr sarama.KError
	if err != nil && !errors.As(err, &kerr) {
		_ = a.admin.Close()
		a.admin = nil
	}
	return err
}

// Ensure makes sure topic exists, creating it with the spec's partitions
// and retention. A topic that already exists is fine, whatever its
// settings. After the first success it answers from memory.
func (a *Admin) Ensure(ctx context.Context, topic string) error {
	if _, ok := a.ensured.Load(topic); ok {
		return nil
	}
	partitions := int32(a.spec.Partitions)
	if partitions <= 0 {
		partitions = -1 // broker default
	}
	replication := a.spec.ReplicationFactor
	if replication == 0 {
		replication = -1 // broker default
	}
	detail := &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: replication}
	if a.spec.Retention > 0 {
		ms := strconv.FormatInt(a.spec.Retention.Milliseconds(), 10)
		detail.ConfigEntries = map[string]*string{"retention.ms": &ms}
	}
	err := a.do(ctx, func(ad sarama.ClusterAdmin) error {
		if _, ok := a.ensured.Load(topic); ok { // made by a concurrent call
			return nil
		}
		err := ad.CreateTopic(topic, detail, false)
		if errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("ensure topic %s: %w", topic, err)
	}
	a.ensured.Store(topic, struct{}{})
	return nil
}

// List returns the names of every topic of the cluster, sorted.
func (a *Admin) List(ctx context.Context) ([]string, error) {
	var names []string
	err := a.do(ctx, func(ad sarama.ClusterAdmin) error {
		topics, err := ad.ListTopics()
		if err != nil {
			return err
		}
		names = make([]string, 0, len(topics))
		for name := range topics {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	slices.Sort(names)
	return names, nil
}

// Delete deletes topics. A topic that does not exist is fine.
func (a *Admin) Delete(ctx context.Context, topics ...string) error {
	for _, topic := range topics {
		a.ensured.Delete(topic)
		err := a.do(ctx, func(ad sarama.ClusterAdmin) error {
			err := ad.DeleteTopic(topic)
			if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
				return nil
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("delete topic %s: %w", topic, err)
		}
	}
	return nil
}

// Close closes the connection, if any.
func (a *Admin) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.admin == nil {
		return nil
	}
	err := a.admin.Close()
	a.admin = nil
	return err
}
