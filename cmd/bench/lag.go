package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/loadtest"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// lagProbe reads today's activity topic from its newest offsets and notes
// when each record (by its CloudEvent id, the ce_id header) was read back:
// the moment it was on the broker, give or take one fetch.
type lagProbe struct {
	consumer sarama.Consumer
	parts    []sarama.PartitionConsumer
	wg       sync.WaitGroup
	mu       sync.Mutex
	seen     map[string]time.Time
}

// lagFetchWait bounds how long the broker holds a fetch with nothing new:
// a record is read at most this long after it arrived, even from a broker
// that does not answer a waiting fetch as soon as data comes.
const lagFetchWait = 10 * time.Millisecond

func startLagProbe(cfg config.Config) (*lagProbe, error) {
	topic := kafka.NewTopics(cfg.TopicBase, cfg.TopicTimeZone, nil).Today()
	sc := sarama.NewConfig()
	sc.Version = kafka.Version
	sc.ClientID = "dailyfeed-bench-lag"
	sc.Consumer.MaxWaitTime = lagFetchWait
	sc.Consumer.Return.Errors = false
	consumer, err := sarama.NewConsumer(cfg.KafkaBrokers, sc)
	if err != nil {
		return nil, fmt.Errorf("lag consumer: %w", err)
	}
	parts, err := consumer.Partitions(topic)
	if err != nil {
		consumer.Close()
		return nil, fmt.Errorf("lag consumer: partitions of %s: %w", topic, err)
	}
	p := &lagProbe{consumer: consumer, seen: map[string]time.Time{}}
	for _, n := range parts {
		pc, err := consumer.ConsumePartition(topic, n, sarama.OffsetNewest)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("lag consumer: %s/%d: %w", topic, n, err)
		}
		p.parts = append(p.parts, pc)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for m := range pc.Messages() {
				p.note(m)
			}
		}()
	}
	return p, nil
}

func (p *lagProbe) note(m *sarama.ConsumerMessage) {
	at := time.Now()
	for _, h := range m.Headers {
		if string(h.Key) == "ce_id" {
			p.mu.Lock()
			p.seen[string(h.Value)] = at
			p.mu.Unlock()
			return
		}
	}
}

func (p *lagProbe) readAt(id string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.seen[id]
	return at, ok
}

func (p *lagProbe) close() {
	for _, pc := range p.parts {
		pc.AsyncClose() // ends its Messages channel
	}
	p.wg.Wait()
	if err := p.consumer.Close(); err != nil {
		slog.Warn("lag consumer close", "err", err)
	}
}

// lagWait is how long the probe waits, after the load, for the events of
// the load still on their way.
const lagWait = 10 * time.Second

// commitToBroker returns the rows of the events of the post creates
// committed between from and to: the lag from the commit (the outbox row's
// created_at, the transaction's start: an upper bound of the true lag by
// the length of the write's transaction) to the record being read back
// from the broker. Events not read back within lagWait are the row's
// errors. (sent_at is no help: it is now() of the dispatch transaction,
// which starts before the publish.)
func (p *lagProbe) commitToBroker(ctx context.Context, pool *pgxpool.Pool, from, to time.Time) ([]loadtest.Result, error) {
	rows, err := pool.Query(ctx, `
		SELECT event_id, created_at FROM outbox
		WHERE event_type = $1 AND created_at >= $2 AND created_at <= $3`, events.PostCreate.CEType(), from, to)
	if err != nil {
		return nil, fmt.Errorf("outbox rows of the load: %w", err)
	}
	type row struct {
		id        string
		createdAt time.Time
	}
	var evs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.createdAt); err != nil {
			return nil, fmt.Errorf("outbox rows of the load: %w", err)
		}
		evs = append(evs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox rows of the load: %w", err)
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("no post-create outbox rows between %s and %s", from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	}
	deadline := time.Now().Add(lagWait)
	for _, e := range evs { // wait for stragglers
		for time.Now().Before(deadline) {
			if _, ok := p.readAt(e.id); ok {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	var read []time.Duration
	missing := 0
	for _, e := range evs {
		if at, ok := p.readAt(e.id); ok {
			read = append(read, at.Sub(e.createdAt))
		} else {
			missing++
		}
	}
	name := "commit → record read back from the broker (events of the create-post run; errors: not read within 10 s)"
	return []loadtest.Result{loadtest.Samples(name, read, missing, to.Sub(from))}, nil
}
