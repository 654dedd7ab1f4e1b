package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/cloudevents/sdk-go/protocol/kafka_sarama/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/sony/gobreaker/v2"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/config"
)

// ErrUnavailable is returned, wrapped, while the circuit breaker is open:
// Kafka failed recently and publishing fails fast instead of waiting.
var ErrUnavailable = errors.New("kafka unavailable")

// Options configures a Publisher. OptionsFrom fills it from the config.
type Options struct {
	Brokers []string
	// Acks is "1" (the partition leader wrote it, the original's setting)
	// or "all" (every in-sync replica, with an idempotent producer).
	Acks string
	// Topics names the dated topics; events go to Topics.Today().
	Topics Topics
	// Topic is how a missing dated topic is created.
	Topic TopicSpec

	// FailuresToTrip consecutive failed sends open the breaker (default 3).
	FailuresToTrip uint32
	// OpenFor is how long the breaker stays open before one trial send
	// (default 5s).
	OpenFor time.Duration
	// Wait bounds how long a Publish call waits for the broker (default 2s).
	// A send still running then finishes in the background; its result only
	// feeds the breaker.
	Wait time.Duration

	Logger *slog.Logger
}

// OptionsFrom returns the publisher options of cfg: the brokers, the acks,
// today's cfg.TopicBase topic in cfg.TopicTimeZone on the wall clock.
func OptionsFrom(cfg config.Config) Options {
	return Options{
		Brokers: cfg.KafkaBrokers,
		Acks:    cfg.KafkaAcks,
		Topics:  NewTopics(cfg.TopicBase, cfg.TopicTimeZone, time.Now),
		Topic:   TopicSpec{Partitions: cfg.TopicPartitions, Retention: cfg.TopicRetention},
	}
}

// Publisher sends events as binary-mode CloudEvents (ce_ headers, the JSON
// payload as the record value) to today's dated topic, keyed by the event's
// entity, through the CloudEvents Kafka binding (protocol/kafka_sarama). A
// circuit breaker around the sends makes publishing fail fast while Kafka
// is down. It connects lazily, so building one never blocks, and is safe
// for concurrent use.
//
// Per key, order is kept: sarama's hash partitioner puts one key on one
// partition, the producer has one request in flight per broker and retries
// in order, so the events of one Publish call and of successive calls reach
// a partition in the order they were given.
type Publisher struct {
	opts    Options
	admin   *Admin
	breaker *gobreaker.CircuitBreaker[struct{}]
	log     *slog.Logger

	// mu guards producer: sends hold it shared for the whole send, so
	// Close waits for them instead of closing the producer under them.
	mu       sync.RWMutex
	producer sarama.SyncProducer
	closed   bool
}

// NewPublisher returns a publisher for o. It does no I/O.
func NewPublisher(o Options) *Publisher {
	if o.FailuresToTrip == 0 {
		o.FailuresToTrip = 3
	}
	if o.OpenFor <= 0 {
		o.OpenFor = 5 * time.Second
	}
	if o.Wait <= 0 {
		o.Wait = 2 * time.Second
	}
	if o.Topics.Base == "" {
		o.Topics.Base = DefaultTopicBase
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	p := &Publisher{opts: o, admin: NewAdmin(o.Brokers, o.Topic), log: o.Logger}
	p.breaker = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "kafka-publisher",
		MaxRequests: 1,
		Timeout:     o.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= o.FailuresToTrip },
		IsSuccessful: func(err error) bool {
			var own *ownErrors
			return err == nil || errors.As(err, &own)
		},
		OnStateChange: func(name string, from, to gobreaker.State) {
			p.log.Warn("kafka circuit breaker", "breaker", name, "from", from.String(), "to", to.String())
		},
	})
	return p
}

// producerConfig is the sarama configuration of the producer: short
// timeouts (the breaker, not long waits, handles an outage), explicit
// topics only, and one request in flight so retries keep the order.
func producerConfig(acks string) *sarama.Config {
	c := sarama.NewConfig()
	c.Version = Version
	c.ClientID = "dailyfeed"
	c.Net.DialTimeout = time.Second
	c.Net.ReadTimeout = 3 * time.Second
	c.Net.WriteTimeout = 3 * time.Second
	c.Net.MaxOpenRequests = 1
	c.Metadata.Retry.Max = 1
	c.Metadata.Retry.Backoff = 100 * time.Millisecond
	c.Metadata.Full = false
	c.Metadata.AllowAutoTopicCreation = false
	c.Producer.Return.Successes = true
	c.Producer.Return.Errors = true
	c.Producer.Timeout = 3 * time.Second
	c.Producer.Retry.Max = 2
	c.Producer.Retry.Backoff = 100 * time.Millisecond
	c.Producer.Partitioner = sarama.NewHashPartitioner
	if acks == "all" {
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Producer.Idempotent = true
	} else {
		c.Producer.RequiredAcks = sarama.WaitForLocal
	}
	return c
}

// Topics returns the dated topics the publisher writes to.
func (p *Publisher) Topics() Topics { return p.opts.Topics }

// Admin returns the publisher's topic admin.
func (p *Publisher) Admin() *Admin { return p.admin }

// State returns the circuit breaker's state.
func (p *Publisher) State() gobreaker.State { return p.breaker.State() }

// Available reports whether a publish would be tried now: false while the
// breaker is open.
func (p *Publisher) Available() bool { return p.breaker.State() != gobreaker.StateOpen }

// Publish sends evs, in order, to today's topic. It returns nil when every
// event was written, else the errors joined.
func (p *Publisher) Publish(ctx context.Context, evs ...event.Event) error {
	return errors.Join(p.PublishEach(ctx, evs)...)
}

// PublishEach sends evs, in order, in one batch to today's topic and
// returns one result per event: nil when the broker acknowledged it. Every
// result is an error wrapping ErrUnavailable while the breaker is open.
func (p *Publisher) PublishEach(ctx context.Context, evs []event.Event) []error {
	errs := make([]error, len(evs))
	if len(evs) == 0 {
		return errs
	}
	topic := p.opts.Topics.Today()
	ectx := kafka_sarama.WithSkipKeyMapping(binding.WithForceBinary(ctx))
	msgs := make([]*sarama.ProducerMessage, 0, len(evs))
	for i := range evs {
		m := &sarama.ProducerMessage{
			Topic:    topic,
			Key:      sarama.StringEncoder(events.Key(evs[i])),
			Metadata: i,
		}
		if err := kafka_sarama.WriteProducerMessage(ectx, binding.ToMessage(&evs[i]), m); err != nil {
			errs[i] = fmt.Errorf("encode event %s: %w", evs[i].ID(), err)
			continue
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return errs
	}

	// The send runs apart from the caller so that ctx and Wait bound the
	// caller's wait; a send that outlives them still reports to the breaker.
	done := make(chan error, 1)
	go func() {
		_, err := p.breaker.Execute(func() (struct{}, error) {
			return struct{}{}, p.send(context.WithoutCancel(ctx), topic, msgs)
		})
		done <- err
	}()
	timer := time.NewTimer(p.opts.Wait)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = fmt.Errorf("kafka did not answer within %s: %w", p.opts.Wait, context.DeadlineExceeded)
	}
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
	}

	var perr sarama.ProducerErrors
	if errors.As(err, &perr) {
		// Some messages failed: the errors say which.
		for _, pe := range perr {
			i := pe.Msg.Metadata.(int)
			errs[i] = fmt.Errorf("publish event %s to %s: %w", evs[i].ID(), topic, pe.Err)
		}
		return errs
	}
	if err != nil {
		for _, m := range msgs {
			i := m.Metadata.(int)
			errs[i] = fmt.Errorf("publish event %s to %s: %w", evs[i].ID(), topic, err)
		}
	}
	return errs
}

// send makes sure the topic exists and sends msgs in one batch. It fails
// (for the breaker) when the broker could not be reached or rejected every
// message; messages failing on their own (too large) do not count.
func (p *Publisher) send(ctx context.Context, topic string, msgs []*sarama.ProducerMessage) error {
	if err := p.connect(); err != nil {
		return err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.producer == nil {
		return errPublisherClosed
	}
	if err := p.admin.Ensure(ctx, topic); err != nil {
		return err
	}
	err := p.producer.SendMessages(msgs)
	var perr sarama.ProducerErrors
	if !errors.As(err, &perr) {
		return err
	}
	for _, pe := range perr {
		if !messageError(pe.Err) {
			return err // the broker's trouble, not one message's
		}
	}
	// Every failure is the message's own: the broker is fine. Report the
	// failures through a success for the breaker.
	return &ownErrors{perr}
}

// ownErrors carries per-message failures through the breaker as a success.
type ownErrors struct{ sarama.ProducerErrors }

func (e *ownErrors) Unwrap() error { return e.ProducerErrors }

// messageError reports whether err is about one message rather than the
// broker.
func messageError(err error) bool {
	return errors.Is(err, sarama.ErrMessageSizeTooLarge) ||
		errors.Is(err, sarama.ErrInvalidMessage) ||
		errors.Is(err, sarama.ErrInvalidMessageSize) ||
		errors.Is(err, sarama.ErrInvalidRecord)
}

var errPublisherClosed = errors.New("publisher closed")

// connect opens the producer on first use and after a failed connect. A
// connected sarama client finds brokers again by itself after an outage,
// so it is kept for the life of the publisher.
func (p *Publisher) connect() error {
	p.mu.RLock()
	ok := p.producer != nil || p.closed
	p.mu.RUnlock()
	if ok {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.producer != nil || p.closed {
		return nil
	}
	prod, err := sarama.NewSyncProducer(p.opts.Brokers, producerConfig(p.opts.Acks))
	if err != nil {
		return fmt.Errorf("connect kafka producer: %w", err)
	}
	p.producer = prod
	return nil
}

// Close closes the producer and the admin. Publishing afterwards fails.
func (p *Publisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	var errs []error
	if p.producer != nil {
		errs = append(errs, p.producer.Close())
		p.producer = nil
	}
	errs = append(errs, p.admin.Close())
	return errors.Join(errs...)
}
