package kafka

// The KafkaSource emulator: local runs deliver the dated topics to the
// CloudEvent sinks the way Knative's KafkaSource does on a cluster
// (DESIGN.md §2.3), so the local run and Knative behave alike.
//
// # Semantics (those of a KafkaSource with delivery and ordering: ordered)
//
//   - One consumer group per sink, "dailyfeed-<sink>" like the generated
//     KafkaSource's spec.consumerGroup, from the earliest offset.
//   - The topics are the topic base's dated topics [yesterday, today,
//     tomorrow] (Topics.Window), the list rotate-topics keeps in a
//     KafkaSource's spec.topics. The source re-checks the list every
//     Refresh and re-subscribes when the day changed: it consumes tomorrow's
//     topic after midnight without a restart. It makes sure the three
//     topics exist first (a consumer group cannot subscribe to a topic that
//     does not exist yet).
//   - Each record becomes a CloudEvent through the sdk's Kafka binding
//     (binary or structured records); a record that is no CloudEvent is
//     wrapped as Knative does (type dev.knative.kafka.event, the value as
//     data) and will most likely be refused by the sink.
//   - The event is POSTed in binary HTTP mode. 2xx is delivered. 404, 408,
//     409, 429, 5xx and transport errors (no answer, timeout) are retried
//     with the delivery's backoff; any other status goes to the dead-letter
//     sink at once, and so does an event still failing after Retry retries.
//     The dead-lettered event carries Knative's extensions knativeerrordest
//     (the sink's URL), knativeerrorcode (its last status, absent when it
//     never answered) and knativeerrordata (its answer's body, or the
//     transport error, base64, at most 1024 characters).
//   - The offset is marked only after the sink answered 2xx or the
//     dead-letter sink took the event, and committed right after (whenever
//     no further record of the partition is already waiting, and when the
//     partition is released). A crash before the commit re-delivers: at
//     least once, which the sinks' idempotency absorbs.
//   - One event in flight per partition: a key's events (one entity's)
//     reach the sink in order, partitions run in parallel.
//   - A dead-letter sink that fails too is retried with the same backoff,
//     capped at 30 s, until it answers: the partition waits rather than
//     lose the event. Without a dead-letter sink an undeliverable event is
//     logged and dropped (Knative drops it too; the manifests always set
//     one).

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/cloudevents/sdk-go/protocol/kafka_sarama/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/sethvargo/go-retry"
)

// BackoffPolicy is a KafkaSource's delivery.backoffPolicy.
type BackoffPolicy string

// The backoff policies of Knative delivery: the n-th retry waits
// BackoffDelay·2ⁿ⁻¹ (exponential) or BackoffDelay·n (linear).
const (
	Exponential BackoffPolicy = "exponential"
	Linear      BackoffPolicy = "linear"
)

// Delivery mirrors a KafkaSource's spec.delivery.
type Delivery struct {
	// Retry is how many times a failed delivery is retried before the
	// event goes to the dead-letter sink.
	Retry         int
	BackoffPolicy BackoffPolicy
	BackoffDelay  time.Duration
	// Timeout bounds each attempt.
	Timeout time.Duration
}

// DefaultDelivery is the delivery of every generated KafkaSource
// (internal/manifest: retry 5, exponential from PT0.5S, the sink's 30 s
// request timeout): 0.5 s, 1 s, 2 s, 4 s, 8 s between the six attempts.
var DefaultDelivery = Delivery{Retry: 5, BackoffPolicy: Exponential, BackoffDelay: 500 * time.Millisecond, Timeout: 30 * time.Second}

// The CloudEvent extensions a dead-lettered event carries, as Knative sets
// them.
const (
	ErrorDestExtension = "knativeerrordest"
	ErrorCodeExtension = "knativeerrorcode"
	ErrorDataExtension = "knativeerrordata"
	// errorDataMax is the longest knativeerrordata Knative writes.
	errorDataMax = 1024
)

// Window returns the topics a KafkaSource of this base reads:
// [yesterday, today, tomorrow].
func (t Topics) Window() []string {
	return []string{t.Day(-1), t.Day(0), t.Day(1)}
}

// SourceOptions configures one emulated KafkaSource.
type SourceOptions struct {
	// Name is the sink function's name.
	Name string
	// Group is the consumer group (default "dailyfeed-<Name>", the
	// generated KafkaSource's).
	Group   string
	Brokers []string
	// Topics names the dated topics read (base, zone, clock).
	Topics Topics
	// Topic is how missing topics of the window are created.
	Topic TopicSpec
	// Sink is the URL events are POSTed to; DeadLetterSink where they go
	// when they cannot be delivered ("" drops them, logged).
	Sink           string
	DeadLetterSink string
	Delivery       Delivery
	// Refresh is how often the topic window is re-checked (default 5 s).
	Refresh time.Duration
	// Client sends the requests (default: a client without timeout; each
	// attempt is bounded by Delivery.Timeout).
	Client *http.Client
	Logger *slog.Logger
}

// Source is one emulated KafkaSource: a consumer group delivering the
// dated topics of one base to one sink.
type Source struct {
	o   SourceOptions
	log *slog.Logger
}

// NewSource returns the source of o. It does no I/O.
func NewSource(o SourceOptions) *Source {
	if o.Topics.Base == "" {
		o.Topics.Base = DefaultTopicBase
	}
	if o.Group == "" {
		o.Group = "dailyfeed-" + o.Name
	}
	if o.Delivery == (Delivery{}) {
		o.Delivery = DefaultDelivery
	}
	if o.Delivery.BackoffPolicy == "" {
		o.Delivery.BackoffPolicy = Exponential
	}
	if o.Delivery.Timeout <= 0 {
		o.Delivery.Timeout = DefaultDelivery.Timeout
	}
	if o.Refresh <= 0 {
		o.Refresh = 5 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Source{o: o, log: o.Logger.With("source", o.Name)}
}

// Options returns the source's options, defaults applied.
func (s *Source) Options() SourceOptions { return s.o }

// ConsumerGroup returns the source's consumer group.
func (s *Source) ConsumerGroup() string { return s.o.Group }

func consumerConfig() *sarama.Config {
	c := sarama.NewConfig()
	c.Version = Version
	c.ClientID = "dailyfeed-source"
	c.Net.DialTimeout = 2 * time.Second
	c.Metadata.AllowAutoTopicCreation = false
	c.Metadata.Retry.Backoff = 200 * time.Millisecond
	c.Consumer.Offsets.Initial = sarama.OffsetOldest // initialOffset: earliest
	c.Consumer.Offsets.AutoCommit.Enable = false     // commit after delivery only
	c.Consumer.Return.Errors = false                 // sarama logs them
	c.Consumer.Group.Rebalance.Timeout = 10 * time.Second
	// A sink may take its time; the partition only pauses meanwhile.
	c.Consumer.MaxProcessingTime = time.Minute
	return c
}

// Run consumes and delivers until ctx ends. It survives a broker outage
// (it keeps trying) and returns nil when ctx ends.
func (s *Source) Run(ctx context.Context) error {
	if s.o.Sink == "" {
		return fmt.Errorf("source %s: no sink URL", s.o.Name)
	}
	admin := NewAdmin(s.o.Brokers, s.o.Topic)
	defer admin.Close()
	var group sarama.ConsumerGroup
	defer func() {
		if group != nil {
			_ = group.Close()
		}
	}()
	pause := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Second):
			return true
		}
	}
	h := &handler{s: s}
	for ctx.Err() == nil {
		window := s.o.Topics.Window()
		if err := s.ensure(ctx, admin, window); err != nil {
			s.log.WarnContext(ctx, "kafka source: topics not ready", "err", err)
			if !pause() {
				break
			}
			continue
		}
		if group == nil {
			g, err := sarama.NewConsumerGroup(s.o.Brokers, s.ConsumerGroup(), consumerConfig())
			if err != nil {
				s.log.WarnContext(ctx, "kafka source: cannot join", "err", err)
				if !pause() {
					break
				}
				continue
			}
			group = g
		}
		// Consume until the window moves (a new day) or a rebalance.
		cctx, cancel := context.WithCancel(ctx)
		go s.watch(cctx, cancel, window)
		err := group.Consume(cctx, window, h)
		cancel()
		if err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "kafka source: consume", "topics", window, "err", err)
			if errors.Is(err, sarama.ErrClosedConsumerGroup) {
				group = nil
			}
			if !pause() {
				break
			}
		}
	}
	return nil
}

// ensure makes sure every topic of the window exists.
func (s *Source) ensure(ctx context.Context, admin *Admin, topics []string) error {
	for _, t := range topics {
		if err := admin.Ensure(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// watch ends the consuming session (cancel) when the window is no longer
// window, so Run subscribes to the new day's topics.
func (s *Source) watch(ctx context.Context, cancel context.CancelFunc, window []string) {
	t := time.NewTicker(s.o.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if now := s.o.Topics.Window(); !equal(now, window) {
				s.log.InfoContext(ctx, "kafka source: new day, re-subscribing", "topics", now)
				cancel()
				return
			}
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// handler is the sarama consumer group handler: one ConsumeClaim per
// partition, each delivering its records one at a time.
type handler struct {
	s  *Source
	mu sync.Mutex // serialises commits
}

func (h *handler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	ctx := sess.Context()
	marked := false
	defer func() {
		if marked {
			h.commit(sess)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			if !h.s.handle(ctx, m) {
				return nil // stopped mid-delivery: not marked, delivered again
			}
			sess.MarkMessage(m, "")
			marked = true
			if len(claim.Messages()) == 0 {
				h.commit(sess)
				marked = false
			}
		}
	}
}

func (h *handler) commit(sess sarama.ConsumerGroupSession) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sess.Commit()
}

// handle delivers one record: to the sink, else to the dead-letter sink.
// It reports false when ctx ended before the record was dealt with.
func (s *Source) handle(ctx context.Context, m *sarama.ConsumerMessage) bool {
	e := s.eventOf(ctx, m)
	last, err := s.deliver(ctx, s.o.Sink, e, s.backoff())
	if ctx.Err() != nil {
		return false
	}
	if err == nil {
		return true
	}
	log := s.log.With("event", e.ID(), "type", e.Type(), "topic", m.Topic, "partition", m.Partition, "offset", m.Offset)
	if s.o.DeadLetterSink == "" {
		log.ErrorContext(ctx, "kafka source: undeliverable event dropped (no dead-letter sink)", "err", err)
		return true
	}
	log.WarnContext(ctx, "kafka source: event dead-lettered", "status", last.status, "err", err)
	dl := deadLettered(e, s.o.Sink, last)
	// The dead-letter sink is retried until it answers: waiting is better
	// than losing the event.
	forever := retry.WithCappedDuration(30*time.Second, s.backoffPolicy())
	if _, err := s.deliver(ctx, s.o.DeadLetterSink, dl, forever); err != nil && ctx.Err() == nil {
		log.ErrorContext(ctx, "kafka source: dead-letter sink refused the event", "err", err)
	}
	return ctx.Err() == nil
}

// eventOf decodes a record with the sdk's Kafka binding. A record that is
// no CloudEvent is wrapped the way Knative's KafkaSource wraps it.
func (s *Source) eventOf(ctx context.Context, m *sarama.ConsumerMessage) event.Event {
	e, err := binding.ToEvent(ctx, kafka_sarama.NewMessageFromConsumerMessage(m))
	if err == nil {
		return *e
	}
	w := event.New()
	w.SetID(fmt.Sprintf("partition:%d/offset:%d", m.Partition, m.Offset))
	w.SetSource("/apis/v1/namespaces/dailyfeed/kafkasources/" + s.o.Name + "#" + m.Topic)
	w.SetType("dev.knative.kafka.event")
	w.SetSubject(fmt.Sprintf("partition:%d#%d", m.Partition, m.Offset))
	if !m.Timestamp.IsZero() {
		w.SetTime(m.Timestamp)
	}
	if len(m.Key) > 0 {
		w.SetExtension("key", string(m.Key))
	}
	_ = w.SetData("application/octet-stream", m.Value)
	return w
}

// attempt is the outcome of one POST.
type attempt struct {
	status int    // 0 when the sink did not answer
	body   []byte // the answer, truncated
	err    error  // transport error
}

func (a attempt) ok() bool { return a.err == nil && a.status >= 200 && a.status < 300 }

// retryable reports whether Knative retries this outcome: no answer, 404,
// 408, 409, 429 and 5xx.
func (a attempt) retryable() bool {
	if a.err != nil {
		return true
	}
	switch a.status {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	}
	return a.status >= 500
}

func (a attempt) error() error {
	if a.err != nil {
		return a.err
	}
	return fmt.Errorf("sink answered %d: %s", a.status, bytes.TrimSpace(a.body))
}

// backoffPolicy is the delivery's backoff without a retry limit.
func (s *Source) backoffPolicy() retry.Backoff {
	d := s.o.Delivery
	if d.BackoffDelay <= 0 {
		return retry.NewConstant(time.Millisecond)
	}
	if d.BackoffPolicy == Linear {
		var n time.Duration
		return retry.BackoffFunc(func() (time.Duration, bool) {
			n++
			return d.BackoffDelay * n, false
		})
	}
	return retry.NewExponential(d.BackoffDelay)
}

// backoff is the delivery's backoff, Retry retries at most.
func (s *Source) backoff() retry.Backoff {
	return retry.WithMaxRetries(uint64(max(s.o.Delivery.Retry, 0)), s.backoffPolicy())
}

// deliver POSTs e to url until it is accepted, a permanent failure, or b
// gives up. It returns the last attempt.
func (s *Source) deliver(ctx context.Context, url string, e event.Event, b retry.Backoff) (attempt, error) {
	var last attempt
	err := retry.Do(ctx, b, func(ctx context.Context) error {
		last = s.post(ctx, url, e)
		switch {
		case last.ok():
			return nil
		case last.retryable():
			return retry.RetryableError(last.error())
		default:
			return last.error()
		}
	})
	return last, err
}

// post sends e to url once, in binary mode, within the delivery timeout.
func (s *Source) post(ctx context.Context, url string, e event.Event) attempt {
	ctx, cancel := context.WithTimeout(ctx, s.o.Delivery.Timeout)
	defer cancel()
	status, body, err := PostEvent(ctx, s.o.Client, url, e)
	return attempt{status: status, body: body, err: err}
}

// PostEvent POSTs e to url in binary HTTP mode, the way a KafkaSource
// delivers it, and returns the status and the start of the body of the
// answer (status 0 and an error when there was none).
func PostEvent(ctx context.Context, client *http.Client, url string, e event.Event) (status int, body []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if err := cehttp.WriteRequest(binding.WithForceBinary(ctx), binding.ToMessage(&e), req); err != nil {
		return 0, nil, fmt.Errorf("encode event %s: %w", e.ID(), err)
	}
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, _ = io.ReadAll(io.LimitReader(res.Body, errorDataMax))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, body, nil
}

// deadLettered returns e with Knative's error extensions: which sink failed
// and why.
func deadLettered(e event.Event, sink string, last attempt) event.Event {
	dl := e.Clone()
	dl.SetExtension(ErrorDestExtension, sink)
	data := last.body
	if last.status != 0 {
		dl.SetExtension(ErrorCodeExtension, strconv.Itoa(last.status))
	} else if last.err != nil {
		data = []byte(last.err.Error())
	}
	enc := base64.StdEncoding.EncodeToString(data)
	if len(enc) > errorDataMax {
		enc = enc[:errorDataMax]
	}
	if enc != "" {
		dl.SetExtension(ErrorDataExtension, enc)
	}
	return dl
}
