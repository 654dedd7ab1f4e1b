package kafka

// Delivery lag, read from the broker: for each consumer group and
// partition, how many records the group has not committed yet and how old
// the oldest of them is. It is what the group has committed that counts,
// so it reads the same whether the emulator or Knative's dispatcher
// delivers, and it sees a consumer that is not running at all.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// PartitionLag is the delivery lag of one consumer group on one partition.
type PartitionLag struct {
	Group     string `json:"group"`
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Committed is the next offset the group will deliver (its committed
	// offset; the partition's first offset when it has committed none).
	Committed int64 `json:"committed"`
	// End is the partition's high watermark: the offset of the next record
	// produced.
	End int64 `json:"end"`
	// Lag is End - Committed: records not yet delivered.
	Lag int64 `json:"lag"`
	// OldestAge is the age of the oldest undelivered record (the one at
	// Committed), 0 when Lag is 0.
	OldestAge time.Duration `json:"oldestAgeNanos"`
	// Stalled is how long Committed has not moved while Lag > 0.
	Stalled time.Duration `json:"stalledNanos"`
}

// Stuck reports whether the partition has not moved for longer than after
// while records wait.
func (l PartitionLag) Stuck(after time.Duration) bool { return l.Lag > 0 && l.Stalled >= after }

// Watch names what a LagMonitor measures: consumer groups and the topics
// they read (Topics returns the current list, so a new day's topics are
// followed).
type Watch struct {
	Groups []string
	Topics func() []string
	// Reads, when set, says which group reads which topic: only those
	// pairs are measured (groups of other topics would show as lagging
	// forever on topics they never read).
	Reads func(group, topic string) bool
}

// LagMonitor measures the delivery lag every Every, keeps the last
// measurement for readers (metrics, status pages) and logs a partition
// stuck for longer than StuckAfter once, as an error with the coordinates
// of the record it is stuck on, and once more when it moves again.
type LagMonitor struct {
	Brokers    []string
	Watch      Watch
	Every      time.Duration // default 5 s
	StuckAfter time.Duration // default 1 min
	Logger     *slog.Logger

	mu     sync.Mutex
	last   []PartitionLag
	err    error
	at     time.Time
	since  map[partitionKey]progress // when each partition last moved
	logged map[partitionKey]bool     // stuck partitions already logged
}

type partitionKey struct {
	group, topic string
	partition    int32
}

type progress struct {
	committed int64
	at        time.Time
}

// Last returns the last measurement, when it was taken and the error of
// the last attempt (nil when it succeeded).
func (m *LagMonitor) Last() ([]PartitionLag, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.last), m.at, m.err
}

// Stuck reports whether l has not moved for longer than the monitor's
// StuckAfter.
func (m *LagMonitor) Stuck(l PartitionLag) bool { return l.Stuck(m.stuckAfter()) }

func (m *LagMonitor) stuckAfter() time.Duration {
	if m.StuckAfter <= 0 {
		return time.Minute
	}
	return m.StuckAfter
}

// Run measures until ctx ends.
func (m *LagMonitor) Run(ctx context.Context) {
	every := m.Every
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		m.Measure(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Measure takes one measurement now.
func (m *LagMonitor) Measure(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	lags, err := Lags(ctx, m.Brokers, m.Watch.Groups, m.Watch.Topics())
	if reads := m.Watch.Reads; reads != nil {
		lags = slices.DeleteFunc(lags, func(l PartitionLag) bool { return !reads(l.Group, l.Topic) })
	}
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
	if err != nil {
		return
	}
	if m.since == nil {
		m.since, m.logged = map[partitionKey]progress{}, map[partitionKey]bool{}
	}
	after := m.stuckAfter()
	log := m.Logger
	if log == nil {
		log = slog.Default()
	}
	for i := range lags {
		l := &lags[i]
		k := partitionKey{l.Group, l.Topic, l.Partition}
		p, seen := m.since[k]
		if !seen || p.committed != l.Committed || l.Lag == 0 {
			p = progress{committed: l.Committed, at: now}
			m.since[k] = p
		}
		if l.Lag > 0 {
			l.Stalled = now.Sub(p.at)
		}
		switch {
		case l.Stuck(after) && !m.logged[k]:
			m.logged[k] = true
			log.ErrorContext(ctx, "delivery stuck: a partition has not moved",
				"group", l.Group, "topic", l.Topic, "partition", l.Partition, "offset", l.Committed,
				"lag", l.Lag, "stalled", l.Stalled.Round(time.Second), "oldest_age", l.OldestAge.Round(time.Second))
		case !l.Stuck(after) && m.logged[k]:
			delete(m.logged, k)
			log.InfoContext(ctx, "delivery moving again", "group", l.Group, "topic", l.Topic, "partition", l.Partition,
				"offset", l.Committed, "lag", l.Lag)
		}
	}
	m.last, m.at = lags, now
}

// Lags measures, for every group and every partition of the topics that
// exist, the committed offset, the high watermark and the age of the
// oldest undelivered record.
func Lags(ctx context.Context, brokers, groups, topics []string) ([]PartitionLag, error) {
	c := adminConfig()
	c.ClientID = "dailyfeed-lag"
	client, err := sarama.NewClient(brokers, c)
	if err != nil {
		return nil, fmt.Errorf("lag: connect: %w", err)
	}
	defer client.Close()
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return nil, fmt.Errorf("lag: admin: %w", err)
	}
	// Not admin.Close: it would close the client a second time.
	existing, err := client.Topics()
	if err != nil {
		return nil, fmt.Errorf("lag: topics: %w", err)
	}
	parts := map[string][]int32{}
	for _, t := range topics {
		if !slices.Contains(existing, t) {
			continue
		}
		ps, err := client.Partitions(t)
		if err != nil {
			return nil, fmt.Errorf("lag: partitions of %s: %w", t, err)
		}
		parts[t] = ps
	}
	var out []PartitionLag
	var ages ageReader
	defer ages.close()
	for _, g := range groups {
		offsets, err := admin.ListConsumerGroupOffsets(g, parts)
		if err != nil {
			return nil, fmt.Errorf("lag: offsets of %s: %w", g, err)
		}
		for _, t := range slices.Sorted(maps.Keys(parts)) {
			for _, p := range parts[t] {
				l, err := partitionLag(ctx, client, &ages, offsets, g, t, p)
				if err != nil {
					return nil, err
				}
				out = append(out, l)
			}
		}
	}
	return out, nil
}

func partitionLag(ctx context.Context, client sarama.Client, ages *ageReader, offsets *sarama.OffsetFetchResponse,
	group, topic string, p int32) (PartitionLag, error) {
	l := PartitionLag{Group: group, Topic: topic, Partition: p, Committed: -1}
	end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
	if err != nil {
		return l, fmt.Errorf("lag: end of %s/%d: %w", topic, p, err)
	}
	l.End = end
	if b := offsets.GetBlock(topic, p); b != nil && b.Err == sarama.ErrNoError {
		l.Committed = b.Offset
	}
	if l.Committed < 0 { // nothing committed: the group starts at the oldest record
		first, err := client.GetOffset(topic, p, sarama.OffsetOldest)
		if err != nil {
			return l, fmt.Errorf("lag: start of %s/%d: %w", topic, p, err)
		}
		l.Committed = first
	}
	l.Lag = max(l.End-l.Committed, 0)
	if l.Lag > 0 {
		ts, err := ages.timestamp(ctx, client, topic, p, l.Committed)
		if err != nil {
			return l, err
		}
		if !ts.IsZero() {
			l.OldestAge = max(time.Since(ts), 0)
		}
	}
	return l, nil
}

// ageReader reads the timestamp of one record at a time.
type ageReader struct{ consumer sarama.Consumer }

func (a *ageReader) timestamp(ctx context.Context, client sarama.Client, topic string, p int32, offset int64) (time.Time, error) {
	if a.consumer == nil {
		c, err := sarama.NewConsumerFromClient(client)
		if err != nil {
			return time.Time{}, fmt.Errorf("lag: consumer: %w", err)
		}
		a.consumer = c
	}
	pc, err := a.consumer.ConsumePartition(topic, p, offset)
	if errors.Is(err, sarama.ErrOffsetOutOfRange) {
		return time.Time{}, nil // deleted by retention meanwhile
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("lag: read %s/%d@%d: %w", topic, p, offset, err)
	}
	defer pc.Close()
	select {
	case m := <-pc.Messages():
		return m.Timestamp, nil
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("lag: read %s/%d@%d: %w", topic, p, offset, ctx.Err())
	}
}

func (a *ageReader) close() {
	if a.consumer != nil {
		_ = a.consumer.Close()
	}
}
