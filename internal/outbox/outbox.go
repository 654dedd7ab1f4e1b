// Package outbox makes dailyfeed's events as durable as the writes that
// cause them. A write inserts its events with Add in its own transaction;
// after commit, Dispatch publishes them and marks them sent. When Kafka is
// down the write still succeeds: its events stay pending and Relay (the
// relay-outbox function) publishes them later. A crash between commit and
// publish loses nothing for the same reason.
//
// # Use in a write
//
//	tx, err := s.DB.Begin(ctx)
//	if err != nil { ... }
//	defer tx.Rollback(ctx)
//	... the write, through tx ...
//	e, err := events.New("create-post", events.Payload{...}, s.Config.TopicTimeZone)
//	if err != nil { ... }
//	pending, err := outbox.Add(ctx, tx, e)
//	if err != nil { ... }
//	if err := tx.Commit(ctx); err != nil { ... }
//	s.Outbox.Enqueue(pending) // returns at once, never fails the write
//
// Enqueue hands the ids to the process's dispatcher, which publishes the
// events of concurrent writes together (dispatcher.go); Dispatch publishes
// them in the caller's goroutine and returns when they are sent.
//
// # Guarantees
//
// Delivery is at least once: an event can be published twice (a publish
// that succeeded but whose row could not be marked sent, or whose mark was
// lost in a database crash, is published again by the relay, possibly after
// later events of its key), never zero times once its write committed.
// Sinks dedup on the event id / dedup key.
//
// Per message key (the entity id), events are published in outbox id
// order, strictly: a row is published only once every older row of its key
// has been acknowledged by the broker. A dispatch or relay batch leaves a
// row pending when an older row of its key is pending outside the batch
// (left behind by an outage, or held by a concurrent relay); inside a batch
// it publishes in rounds of at most one row per key and stops a key at its
// first failure. The relay takes rows oldest first, so a waiting row goes
// out on the relay's next run after its elders. Writes of one entity
// serialize on the entity's row lock, so their id order is their commit
// order (two writes that lock nothing in common may commit in the other
// order than their ids; the outbox follows id order).
//
// The price of strict order: an event that can never be published (the
// broker rejects the record) stays pending, counting attempts with its
// last_error, and holds back the later events of its key until an operator
// marks it sent or deletes it. Other keys are not affected. Sent rows are
// deleted by Cleanup after the retention.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// Pending is the outbox ids of events added in a transaction, to dispatch
// after it commits. Pendings of several Adds can be appended together.
type Pending []int64

// Add inserts evs into the outbox through db, the caller's write
// transaction, so they commit or roll back with the write.
func Add(ctx context.Context, db postgres.DB, evs ...event.Event) (Pending, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	args, err := addArgs(ctx, evs)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, addSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("outbox add: %w", err)
	}
	p, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("outbox add: %w", err)
	}
	return p, nil
}

// AddAndCommit inserts evs into the outbox as the last statement of tx and
// commits tx with it, in one round trip.
func AddAndCommit(ctx context.Context, tx *postgres.Tx, evs ...event.Event) (Pending, error) {
	args, err := addArgs(ctx, evs)
	if err != nil {
		return nil, err
	}
	var p Pending
	err = tx.CommitQuery(ctx, func(rows pgx.Rows) error {
		p, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	}, addSQL, args...)
	if err != nil {
		return nil, fmt.Errorf("outbox add: %w", err)
	}
	return p, nil
}

// addSQL inserts events in order ($1–$4: their ids, types, keys and JSON;
// $5, $6: the write's trace context) and returns their outbox ids.
const addSQL = `
	INSERT INTO outbox (event_id, event_type, message_key, event, traceparent, tracestate)
	SELECT u.event_id, u.event_type, u.message_key, u.event::json, NULLIF($5, ''), NULLIF($6, '')
	FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
	     WITH ORDINALITY AS u(event_id, event_type, message_key, event, n)
	ORDER BY u.n
	RETURNING id`

// addArgs validates and encodes evs into the arguments of addSQL.
func addArgs(ctx context.Context, evs []event.Event) ([]any, error) {
	ids := make([]string, len(evs))
	typs := make([]string, len(evs))
	keys := make([]string, len(evs))
	docs := make([]string, len(evs))
	for i, e := range evs {
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("outbox add %s: %w", e.ID(), err)
		}
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("outbox add %s: encode: %w", e.ID(), err)
		}
		ids[i], typs[i], keys[i], docs[i] = e.ID(), e.Type(), events.Key(e), string(b)
	}
	// The write's trace context: the events are published in its trace.
	tc := tracing.Carry(ctx)
	return []any{ids, typs, keys, docs, tc.TraceParent, tc.TraceState}, nil
}

// Publisher is what the outbox needs from Kafka; *kafka.Publisher is one.
type Publisher interface {
	// PublishEach sends evs in order and returns one result per event.
	PublishEach(ctx context.Context, evs []event.Event) []error
	// Available is false while publishing would fail fast (breaker open).
	Available() bool
}

// DB is what the outbox needs from the pool.
type DB interface {
	postgres.DB
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Options tunes an Outbox; the zero value is the defaults.
type Options struct {
	// BatchSize is how many rows one relay batch claims (default 100).
	BatchSize int
	// MaxBatches bounds one Relay call (default 100).
	MaxBatches int
	// DispatchTimeout bounds Dispatch, database and Kafka together
	// (default 3s, above the publisher's own 2s wait so a slow publish is
	// still recorded). The write has committed: a slow Kafka only delays its
	// event to the relay.
	DispatchTimeout time.Duration
	Logger          *slog.Logger
}

// Outbox publishes the outbox's rows. It is safe for concurrent use, and
// any number of processes may dispatch and relay at once.
type Outbox struct {
	db   DB
	pub  Publisher
	opts Options
	log  *slog.Logger
	disp dispatcher // of Enqueue
}

// New returns the outbox over db, publishing through pub. It does no I/O.
func New(db DB, pub Publisher, o Options) *Outbox {
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	if o.MaxBatches <= 0 {
		o.MaxBatches = 100
	}
	if o.DispatchTimeout <= 0 {
		o.DispatchTimeout = 3 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Outbox{db: db, pub: pub, opts: o, log: o.Logger}
}

// Dispatch publishes the committed events of p and marks them sent. It
// never fails the caller: when Kafka is down (breaker open, send error) or
// an older event of the same key is still pending, the events stay pending
// for the relay, and problems are logged at warn. It returns within
// DispatchTimeout, whatever ctx (the request's may be cancelled once the
// response is written).
func (o *Outbox) Dispatch(ctx context.Context, p Pending) {
	if len(p) == 0 {
		return
	}
	if !o.pub.Available() {
		o.log.DebugContext(ctx, "outbox dispatch skipped: kafka unavailable", "events", len(p))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.opts.DispatchTimeout)
	defer cancel()
	if _, err := o.batch(ctx, p, len(p)); err != nil {
		o.log.WarnContext(ctx, "outbox dispatch failed; the relay will publish", "events", len(p), "err", err)
	}
}

// RelayResult is what one Relay call did.
type RelayResult struct {
	Sent    int // published and marked sent
	Failed  int // publish failed: attempts and last_error recorded
	Blocked int // left for later: an older event of the same key is pending
	// Unavailable is set when the relay stopped because the breaker is open.
	Unavailable bool
}

// Relay publishes pending rows, oldest first, in batches, until none is
// left, a batch makes no progress, a publish fails, the breaker is open or
// MaxBatches batches ran. Concurrent relays (and dispatches) each take
// other rows (FOR UPDATE SKIP LOCKED), so every row is published once
// unless a mark-sent fails. Only database failures are errors.
func (o *Outbox) Relay(ctx context.Context) (RelayResult, error) {
	var total RelayResult
	for range o.opts.MaxBatches {
		if !o.pub.Available() {
			total.Unavailable = true
			return total, nil
		}
		r, err := o.batch(ctx, nil, o.opts.BatchSize)
		total.Sent += r.Sent
		total.Failed += r.Failed
		total.Blocked += r.Blocked
		total.Unavailable = total.Unavailable || r.Unavailable
		if err != nil {
			return total, err
		}
		if r.Sent == 0 || r.Failed > 0 || r.Unavailable {
			return total, nil
		}
	}
	return total, nil
}

// row is a claimed outbox row.
type row struct {
	id    int64
	key   string
	doc   []byte
	trace tracing.Carried // of the write that added the row
}

// batch claims pending rows (those of ids, or the oldest limit), publishes
// those not blocked by an older pending row of their key, and records the
// outcome, in one transaction whose row locks keep other relays off them.
func (o *Outbox) batch(ctx context.Context, ids []int64, limit int) (RelayResult, error) {
	res, _, err := o.batchBlocked(ctx, ids, limit)
	return res, err
}

// batchBlocked is batch, also returning the ids it left pending behind an
// older pending row of their key.
func (o *Outbox) batchBlocked(ctx context.Context, ids []int64, limit int) (res RelayResult, blockedIDs []int64, err error) {
	tx, err := o.db.Begin(ctx)
	if err != nil {
		return res, nil, fmt.Errorf("outbox begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	// Losing a mark-sent in a crash only means a duplicate publish, which
	// at-least-once delivery allows: do not wait for the WAL flush.
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit TO off"); err != nil {
		return res, blockedIDs, fmt.Errorf("outbox begin: %w", err)
	}

	rows, err := claim(ctx, tx, ids, limit)
	if err != nil || len(rows) == 0 {
		return res, blockedIDs, err
	}
	blocked, err := blockedRows(ctx, tx, rows)
	if err != nil {
		return res, blockedIDs, err
	}

	var (
		queue    []row
		queued   []event.Event
		sentID   []int64
		failedID []int64
		failErr  []string
		stopped  = map[string]bool{} // keys with a failure in this batch
	)
	fail := func(r row, err error) {
		failedID = append(failedID, r.id)
		failErr = append(failErr, truncate(err.Error(), 1000))
		stopped[r.key] = true
	}
	for _, r := range rows {
		if blocked[r.id] || stopped[r.key] {
			stopped[r.key] = true
			res.Blocked++
			blockedIDs = append(blockedIDs, r.id)
			continue
		}
		var e event.Event
		if err := json.Unmarshal(r.doc, &e); err != nil {
			fail(r, fmt.Errorf("decode stored event: %w", err))
			continue
		}
		queue = append(queue, r)
		queued = append(queued, e)
	}

	// Publish in rounds holding at most one row per key, so a row goes out
	// only after the broker acknowledged the older rows of its key. Rows
	// of distinct keys, the usual batch, take one round.
	for len(queue) > 0 {
		var (
			round    []row
			roundEvs []event.Event
			rest     []row
			restEvs  []event.Event
			inRound  = map[string]bool{}
		)
		for i, r := range queue {
			switch {
			case stopped[r.key]:
				res.Blocked++
				blockedIDs = append(blockedIDs, r.id)
			case inRound[r.key]:
				rest, restEvs = append(rest, r), append(restEvs, queued[i])
			default:
				inRound[r.key] = true
				round, roundEvs = append(round, r), append(roundEvs, queued[i])
			}
		}
		queue, queued = rest, restEvs
		if len(round) == 0 {
			break
		}
		// Each event is published in a span of its write's trace, whose
		// context the event carries (its traceparent extension).
		spans := make([]trace.Span, len(round))
		for i, r := range round {
			var pctx context.Context
			pctx, spans[i] = tracing.Tracer().Start(tracing.Resume(ctx, r.trace), "outbox publish",
				trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(
					attribute.String("messaging.system", "kafka"),
					attribute.String("messaging.message.id", roundEvs[i].ID()),
					attribute.String("messaging.kafka.message.key", r.key),
					attribute.String("cloudevents.event_type", roundEvs[i].Type()),
					attribute.Int64("dailyfeed.outbox_id", r.id)))
			tracing.ToEvent(pctx, &roundEvs[i])
		}
		for i, err := range o.pub.PublishEach(ctx, roundEvs) {
			r := round[i]
			tracing.End(spans[i], err)
			switch {
			case err == nil:
				sentID = append(sentID, r.id)
			case errors.Is(err, kafka.ErrUnavailable):
				// Not tried: the row stays as it was.
				res.Unavailable = true
				stopped[r.key] = true
				res.Blocked++
				blockedIDs = append(blockedIDs, r.id)
			default:
				o.log.WarnContext(ctx, "outbox publish failed", "outbox_id", r.id, "event_id", roundEvs[i].ID(),
					"type", roundEvs[i].Type(), "key", r.key, "err", err)
				fail(r, err)
			}
		}
		if res.Unavailable { // the breaker opened: the rest waits
			res.Blocked += len(queue)
			for _, r := range queue {
				blockedIDs = append(blockedIDs, r.id)
			}
			break
		}
	}
	res.Sent, res.Failed = len(sentID), len(failedID)

	if len(sentID) > 0 {
		if _, err := tx.Exec(ctx, `
			UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL
			WHERE id = ANY($1)`, sentID); err != nil {
			return res, blockedIDs, fmt.Errorf("outbox mark sent: %w", err)
		}
	}
	if len(failedID) > 0 {
		if _, err := tx.Exec(ctx, `
			UPDATE outbox AS o SET attempts = o.attempts + 1, last_error = f.err
			FROM unnest($1::bigint[], $2::text[]) AS f(id, err)
			WHERE o.id = f.id`, failedID, failErr); err != nil {
			return res, blockedIDs, fmt.Errorf("outbox mark failed: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return res, blockedIDs, fmt.Errorf("outbox commit: %w", err)
	}
	return res, blockedIDs, nil
}

// claim locks pending rows in id order, skipping rows another transaction
// holds: the rows of ids, or the oldest limit.
func claim(ctx context.Context, tx pgx.Tx, ids []int64, limit int) ([]row, error) {
	var (
		rs  pgx.Rows
		err error
	)
	if ids != nil {
		rs, err = tx.Query(ctx, `
			SELECT id, message_key, event, coalesce(traceparent, ''), coalesce(tracestate, '') FROM outbox
			WHERE id = ANY($1) AND sent_at IS NULL
			ORDER BY id LIMIT $2
			FOR UPDATE SKIP LOCKED`, ids, limit)
	} else {
		rs, err = tx.Query(ctx, `
			SELECT id, message_key, event, coalesce(traceparent, ''), coalesce(tracestate, '') FROM outbox
			WHERE sent_at IS NULL
			ORDER BY id LIMIT $1
			FOR UPDATE SKIP LOCKED`, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	out, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.id, &x.key, &x.doc, &x.trace.TraceParent, &x.trace.TraceState)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	return out, nil
}

// blockedRows returns the claimed rows that an older pending row of the
// same key, outside the claimed set, must precede.
func blockedRows(ctx context.Context, tx pgx.Tx, rows []row) (map[int64]bool, error) {
	ids := make([]int64, len(rows))
	keys := make([]string, len(rows))
	for i, r := range rows {
		ids[i], keys[i] = r.id, r.key
	}
	rs, err := tx.Query(ctx, `
		SELECT c.id FROM unnest($1::bigint[], $2::text[]) AS c(id, message_key)
		WHERE EXISTS (
			SELECT 1 FROM outbox o
			WHERE o.sent_at IS NULL AND o.message_key = c.message_key
			  AND o.id < c.id AND o.id <> ALL($1))`, ids, keys)
	if err != nil {
		return nil, fmt.Errorf("outbox order check: %w", err)
	}
	blocked, err := pgx.CollectRows(rs, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("outbox order check: %w", err)
	}
	m := make(map[int64]bool, len(blocked))
	for _, id := range blocked {
		m[id] = true
	}
	return m, nil
}

// Cleanup deletes sent rows older than olderThan, in chunks so no long
// lock is held, and returns how many it deleted. Pending rows are never
// deleted.
func (o *Outbox) Cleanup(ctx context.Context, olderThan time.Duration) (int64, error) {
	const chunk = 5000
	var total int64
	for {
		tag, err := o.db.Exec(ctx, `
			DELETE FROM outbox WHERE id IN (
				SELECT id FROM outbox
				WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1)
				LIMIT $2)`, olderThan.Seconds(), chunk)
		if err != nil {
			return total, fmt.Errorf("outbox cleanup: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < chunk {
			return total, nil
		}
	}
}

// truncate cuts s to at most n bytes of valid UTF-8.
func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
