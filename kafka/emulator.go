package kafka

// The KafkaSource emulator: local runs deliver the dated topics to the
// CloudEvent sinks the way Knative's KafkaSource does on a cluster
// (docs/architecture.md, "Delivery"), so the local run and Knative behave alike.
//
// # Semantics (those of a KafkaSource with delivery and ordering: ordered)
//
//   - One consumer group per sink, "dailyfeed-<sink>" like the generated
//     KafkaSource's spec.consumerGroup, from the earliest offset.
//   - The topics are the topic base's dated topics [yesterday, today,
//     tomorrow] (Topics.Window), the list rotate-topics keeps in a
//     KafkaSource's spec.topics, or fixed undated ones (Fixed: the bucket
//     notifications' topic). The source re-checks the list every
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
//   - A dead-letter sink that fails too is retried with the same bounded
//     backoff; then the delivery parks the record itself (SourceOptions.Park,
//     the dead_letters table in PostgreSQL) and the partition moves on. Only
//     when parking fails as well (PostgreSQL down) does the partition wait,
//     retrying the park with a backoff capped at 30 s: nothing can be kept
//     then, and no record is dropped. Knative's dispatcher gives up after the
//     dead-letter sink's retries and commits (docs/architecture.md).
//   - An event that cannot be sent over HTTP at all (a header value with a
//     NUL or a line break) is refused at once, without retries.
//   - Every dead-lettered or parked event carries where its record was:
//     kafkatopic, kafkapartition, kafkaoffset, kafkakey (base64) and, for a
//     record that was no CloudEvent, kafkaheaders (base64 of a JSON list of
//     [name, base64 value]).
//   - On shutdown (ctx ends) an attempt in flight is finished, within
//     Grace, and its outcome committed; a backoff wait is abandoned (the
//     record is delivered again by the next consumer).
//   - Progress is reported to SourceOptions.Observer (delivery metrics).

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
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
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/net/http/httpguts"

	"github.com/dailyfeed/dailyfeed/internal/tracing"
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
	// Fixed, when set, are undated topics read instead of Topics' window
	// (a topic an outside producer writes: the object store's bucket
	// notifications); they never rotate.
	Fixed []string
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
	// Park keeps a record the dead-letter sink did not take (nil: such a
	// record is logged and dropped, as Knative does).
	Park Parker
	// Observer is told what happens to each record (nil: nothing).
	Observer Observer
	// Grace bounds how long an attempt in flight may finish after ctx
	// ended (default 10 s).
	Grace time.Duration
	// FailureReport is how often a partition whose deliveries keep failing
	// is logged again (default DefaultFailureReport): failures are logged
	// when they start, then every FailureReport with counts, then when the
	// sink recovers; never per retry.
	FailureReport time.Duration
	Logger        *slog.Logger
}

// Parker keeps a dead-lettered event (with its record's coordinates) that
// the dead-letter sink did not take, so the partition can move on. reason
// says why the dead-letter sink did not take it.
type Parker interface {
	Park(ctx context.Context, dl event.Event, reason string) error
}

// Outcome is what became of one record.
type Outcome string

// The outcomes of a record.
const (
	Delivered    Outcome = "delivered"     // the sink answered 2xx
	DeadLettered Outcome = "dead_lettered" // the dead-letter sink took it
	Parked       Outcome = "parked"        // the delivery kept it itself
	Dropped      Outcome = "dropped"       // no dead-letter sink, no park
)

// Observer is told about every attempt and every record's outcome; the
// delivery metrics implement it. Its methods must be quick and safe for
// concurrent use.
type Observer interface {
	// Attempted reports one POST to url: which attempt of the event it was
	// (1 the first, 2 the first retry...), its status (0 when there was no
	// answer) and how long it took.
	Attempted(source, url string, attempt, status int, took time.Duration)
	// Done reports the outcome of the record at topic/partition/offset and
	// the sink's last status (0 when it never answered).
	Done(source, topic string, partition int32, offset int64, o Outcome, status int)
}

// Source is one emulated KafkaSource: a consumer group delivering the
// dated topics of one base to one sink.
type Source struct {
	o   SourceOptions
	log *slog.Logger
	// The failures of the sink and of the dead-letter sink, per partition.
	sinkFailures, deadLetterFailures *failureLog
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
	if o.Grace <= 0 {
		o.Grace = 10 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.FailureReport <= 0 {
		o.FailureReport = DefaultFailureReport
	}
	log := o.Logger.With("source", o.Name)
	return &Source{
		o: o, log: log,
		sinkFailures:       newFailureLog(log, "sink", o.Sink, o.FailureReport),
		deadLetterFailures: newFailureLog(log, "dead-letter sink", o.DeadLetterSink, o.FailureReport),
	}
}

// Options returns the source's options, defaults applied.
func (s *Source) Options() SourceOptions { return s.o }

// Window returns the topics the source reads now: Fixed, else the dated
// window of Topics.
func (s *Source) Window() []string {
	if len(s.o.Fixed) > 0 {
		return s.o.Fixed
	}
	return s.o.Topics.Window()
}

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
		window := s.Window()
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
			if now := s.Window(); !equal(now, window) {
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
	for ctx.Err() == nil {
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
			if ctx.Err() == nil && len(claim.Messages()) == 0 {
				h.commit(sess)
				marked = false
			}
		}
	}
	return nil
}

func (h *handler) commit(sess sarama.ConsumerGroupSession) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sess.Commit()
}

// handle delivers one record: to the sink, else to the dead-letter sink,
// else parks it. It reports false when ctx ended before the record was
// dealt with (it is then delivered again).
func (s *Source) handle(ctx context.Context, m *sarama.ConsumerMessage) bool {
	e, wrapped := s.eventOf(ctx, m)
	// The delivery's span continues the trace of the event's publish (its
	// traceparent extension, the record's ce_traceparent header); its POSTs
	// carry it in their traceparent header.
	ctx, span := tracing.Tracer().Start(tracing.FromEvent(ctx, e), "deliver "+s.o.Name,
		trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.destination.name", m.Topic),
			attribute.String("messaging.consumer.group.name", s.o.Group),
			attribute.Int("messaging.destination.partition.id", int(m.Partition)),
			attribute.Int64("messaging.kafka.offset", m.Offset),
			attribute.String("messaging.message.id", e.ID())))
	var outcome Outcome
	defer func() {
		span.SetAttributes(attribute.String("dailyfeed.delivery.outcome", string(outcome)))
		span.End()
	}()
	done := func(o Outcome, status int) bool {
		outcome = o
		s.done(m, o, status)
		return true
	}

	// An attempt in flight when ctx ends may finish within Grace.
	inflight, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(s.o.Grace, cancel) })
	defer stop()

	last, err := s.deliver(ctx, inflight, s.o.Sink, e, s.backoff(), s.sinkFailures, m)
	if err == nil {
		return done(Delivered, last.status)
	}
	if ctx.Err() != nil {
		return false
	}
	log := s.log.With("event", e.ID(), "type", e.Type(), "topic", m.Topic, "partition", m.Partition, "offset", m.Offset)
	dl := deadLettered(e, s.o.Sink, last, m, wrapped)
	reason := "no dead-letter sink"
	if s.o.DeadLetterSink != "" {
		_, err := s.deliver(ctx, inflight, s.o.DeadLetterSink, dl, retry.WithCappedDuration(30*time.Second, s.backoff()), s.deadLetterFailures, m)
		if err == nil {
			// Counted in the sink's failure log, which logged the first
			// failed record with its coordinates; every dead letter
			// keeps its own (the dead-letter sink stores them).
			if !s.sinkFailures.counted(m, DeadLettered) {
				log.WarnContext(ctx, "kafka source: event dead-lettered", "status", last.status, "err", last.error())
			}
			return done(DeadLettered, last.status)
		}
		if ctx.Err() != nil {
			return false
		}
		reason = "dead-letter sink: " + err.Error()
	}
	if s.o.Park == nil {
		log.ErrorContext(ctx, "kafka source: undeliverable event dropped", "err", last.error(), "reason", reason)
		s.sinkFailures.counted(m, Dropped)
		return done(Dropped, last.status)
	}
	if !s.park(ctx, log, dl, reason) {
		return false
	}
	s.sinkFailures.counted(m, Parked)
	if !s.deadLetterFailures.counted(m, Parked) {
		log.WarnContext(ctx, "kafka source: event parked (the dead-letter sink did not take it)", "status", last.status, "reason", reason)
	}
	return done(Parked, last.status)
}

// park keeps dl with the Parker until it succeeds or ctx ends. Only a
// Parker that fails (its database down) keeps the partition waiting; that
// is logged once, not per retry.
func (s *Source) park(ctx context.Context, log *slog.Logger, dl event.Event, reason string) bool {
	failures := 0
	err := retry.Do(ctx, retry.WithCappedDuration(30*time.Second, s.backoffPolicy()), func(ctx context.Context) error {
		err := s.o.Park.Park(ctx, dl, reason)
		if err != nil {
			if failures++; failures == 1 {
				log.ErrorContext(ctx, "kafka source: cannot park the event, the partition waits", "err", err)
			}
			return retry.RetryableError(err)
		}
		return nil
	})
	if err == nil && failures > 0 {
		log.InfoContext(ctx, "kafka source: event parked after failures, the partition moves on", "failures", failures)
	}
	return err == nil
}

func (s *Source) done(m *sarama.ConsumerMessage, o Outcome, status int) {
	if s.o.Observer != nil {
		s.o.Observer.Done(s.o.Name, m.Topic, m.Partition, m.Offset, o, status)
	}
}

// eventOf decodes a record with the sdk's Kafka binding. A record that is
// no CloudEvent is wrapped the way Knative's KafkaSource wraps it.
func (s *Source) eventOf(ctx context.Context, m *sarama.ConsumerMessage) (e event.Event, wrapped bool) {
	if ce, err := binding.ToEvent(ctx, kafka_sarama.NewMessageFromConsumerMessage(m)); err == nil && ce.Validate() == nil {
		return *ce, false
	}
	w := event.New()
	w.SetID(fmt.Sprintf("partition:%d/offset:%d", m.Partition, m.Offset))
	w.SetSource("/apis/v1/namespaces/dailyfeed/kafkasources/" + s.o.Name + "#" + m.Topic)
	w.SetType(NotCloudEventType)
	w.SetSubject(fmt.Sprintf("partition:%d#%d", m.Partition, m.Offset))
	if !m.Timestamp.IsZero() {
		w.SetTime(m.Timestamp)
	}
	if len(m.Key) > 0 && httpguts.ValidHeaderFieldValue(string(m.Key)) {
		w.SetExtension("key", string(m.Key))
	}
	_ = w.SetData("application/octet-stream", m.Value)
	return w, true
}

// NotCloudEventType is the type a KafkaSource gives a record that is no
// CloudEvent (its value becomes the data).
const NotCloudEventType = "dev.knative.kafka.event"

// attempt is the outcome of one POST.
type attempt struct {
	status int    // 0 when the sink did not answer
	body   []byte // the answer, truncated
	err    error  // transport error, or ErrNotSendable
}

func (a attempt) ok() bool { return a.err == nil && a.status >= 200 && a.status < 300 }

// retryable reports whether Knative retries this outcome: no answer, 404,
// 408, 409, 429 and 5xx. An event that cannot be sent is never retried.
func (a attempt) retryable() bool {
	if errors.Is(a.err, ErrNotSendable) {
		return false
	}
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

// deliver POSTs e (of record m) to url until it is accepted, a permanent
// failure, or b gives up, noting failures and success in fl. It returns
// the last attempt. Backoff waits end with ctx; an attempt runs under
// inflight, which outlives ctx by the grace period.
func (s *Source) deliver(ctx, inflight context.Context, url string, e event.Event, b retry.Backoff, fl *failureLog, m *sarama.ConsumerMessage) (attempt, error) {
	var last attempt
	n := 0
	err := retry.Do(ctx, b, func(context.Context) error {
		began := time.Now()
		last = s.post(inflight, url, e)
		n++
		if s.o.Observer != nil {
			s.o.Observer.Attempted(s.o.Name, url, n, last.status, time.Since(began))
		}
		if last.ok() {
			fl.ok(ctx, m)
		} else if inflight.Err() == nil {
			fl.failed(ctx, m, e, n, last)
		}
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

// ErrNotSendable is the error of an event that cannot be written as an HTTP
// request (an attribute with a NUL or a line break): no retry can help.
var ErrNotSendable = errors.New("event cannot be sent over HTTP")

// PostEvent POSTs e to url in binary HTTP mode, the way a KafkaSource
// delivers it, with the span context of ctx in its traceparent header, and
// returns the status and the start of the body of the answer (status 0 and
// an error when there was none).
func PostEvent(ctx context.Context, client *http.Client, url string, e event.Event) (status int, body []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if err := cehttp.WriteRequest(binding.WithForceBinary(ctx), binding.ToMessage(&e), req); err != nil {
		return 0, nil, fmt.Errorf("%w: event %q: %w", ErrNotSendable, e.ID(), err)
	}
	for name, values := range req.Header {
		for _, v := range values {
			if !httpguts.ValidHeaderFieldName(name) || !httpguts.ValidHeaderFieldValue(v) {
				return 0, nil, fmt.Errorf("%w: event %q: header %s holds a byte HTTP does not allow", ErrNotSendable, e.ID(), name)
			}
		}
	}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(req.Header))
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

// The extensions a dead-lettered event carries besides Knative's: where
// its record was.
const (
	TopicExtension     = "kafkatopic"
	PartitionExtension = "kafkapartition"
	OffsetExtension    = "kafkaoffset"
	KeyExtension       = "kafkakey"     // base64
	HeadersExtension   = "kafkaheaders" // base64 of [[name, base64 value], ...]; records that were no CloudEvent
)

// deadLettered returns e with Knative's error extensions (which sink
// failed and why) and the coordinates of its record m.
func deadLettered(e event.Event, sink string, last attempt, m *sarama.ConsumerMessage, wrapped bool) event.Event {
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
	dl.SetExtension(TopicExtension, m.Topic)
	dl.SetExtension(PartitionExtension, strconv.Itoa(int(m.Partition)))
	dl.SetExtension(OffsetExtension, strconv.FormatInt(m.Offset, 10))
	if len(m.Key) > 0 {
		dl.SetExtension(KeyExtension, base64.StdEncoding.EncodeToString(m.Key))
	}
	if wrapped && len(m.Headers) > 0 {
		hs := make([][2]string, 0, len(m.Headers))
		for _, h := range m.Headers {
			if h != nil {
				hs = append(hs, [2]string{base64.StdEncoding.EncodeToString(h.Key), base64.StdEncoding.EncodeToString(h.Value)})
			}
		}
		if doc, err := json.Marshal(hs); err == nil {
			dl.SetExtension(HeadersExtension, base64.StdEncoding.EncodeToString(doc))
		}
	}
	return dl
}
