package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/go-cmp/cmp"
	"github.com/sony/gobreaker/v2"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/outbox"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

var seoul = func() *time.Location {
	z, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return z
}()

// like returns a LIKE_POST event of post (the key) by member.
func like(t testing.TB, post, member int64) event.Event {
	t.Helper()
	e, err := events.New("like-post", events.Payload{
		MemberID: member, PostID: post, TargetMemberID: 1,
		MemberActivityType: events.LikePost, CreatedAt: time.Now(),
	}, seoul)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// write commits evs through the outbox as a write function does.
func write(t testing.TB, s *stack.Stack, evs ...event.Event) outbox.Pending {
	t.Helper()
	ctx := context.Background()
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	p, err := outbox.Add(ctx, tx, evs...)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}

// liveKafka returns a publisher on the real broker with topics of the
// test's own (one partition, so the test sees one order).
func liveKafka(t testing.TB) (*kafka.Publisher, kafka.Options) {
	t.Helper()
	o := kafkatest.Options(t, seoul, time.Now)
	p := kafka.NewPublisher(o)
	t.Cleanup(func() { _ = p.Close() })
	return p, o
}

// deadKafka returns a publisher whose broker does not exist.
func deadKafka(t testing.TB) *kafka.Publisher {
	t.Helper()
	p := kafka.NewPublisher(kafka.Options{
		Brokers: []string{"127.0.0.1:1"}, Acks: "1",
		Topics:         kafka.NewTopics("down", seoul, nil),
		FailuresToTrip: 2, OpenFor: time.Hour,
	})
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// published returns the ce_ids on today's topic, in order.
func published(t testing.TB, o kafka.Options) []string {
	t.Helper()
	var ids []string
	for _, r := range kafkatest.Records(t, o.Brokers, o.Topics.Today()) {
		ids = append(ids, kafkatest.Header(r, "ce_id"))
	}
	return ids
}

type rowState struct {
	EventID  string
	Sent     bool
	Attempts int
	HasError bool
}

func rows(t testing.TB, s *stack.Stack) []rowState {
	t.Helper()
	rs, err := s.DB.Query(context.Background(),
		`SELECT event_id, sent_at IS NOT NULL, attempts, last_error IS NOT NULL FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []rowState
	for rs.Next() {
		var r rowState
		if err := rs.Scan(&r.EventID, &r.Sent, &r.Attempts, &r.HasError); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func ids(evs ...event.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID()
	}
	return out
}

func TestAddCommitsWithTheWrite(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	ctx := context.Background()

	tx, err := s.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := outbox.Add(ctx, tx, like(t, 1, 2)); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback(ctx)
	if got := rows(t, s); len(got) != 0 {
		t.Fatalf("rolled back write left %v", got)
	}

	evs := []event.Event{like(t, 1, 2), like(t, 1, 3), like(t, 4, 2)}
	p := write(t, s, evs...)
	if len(p) != 3 || !slices.IsSorted(p) {
		t.Errorf("Pending %v, want 3 ascending ids", p)
	}
	want := []rowState{{EventID: evs[0].ID()}, {EventID: evs[1].ID()}, {EventID: evs[2].ID()}}
	if d := cmp.Diff(want, rows(t, s)); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	// The same event twice is refused (the id is unique).
	tx, _ = s.DB.Begin(ctx)
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := outbox.Add(ctx, tx, evs[0]); err == nil {
		t.Error("Add of an event already in the outbox succeeded")
	}
}

func TestDispatchPublishesAndMarksSent(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	pub, o := liveKafka(t)
	ob := outbox.New(s.DB, pub, outbox.Options{})
	evs := []event.Event{like(t, 1, 2), like(t, 1, 3), like(t, 7, 2)}
	ob.Dispatch(context.Background(), write(t, s, evs...))

	// One round per key depth: post 1's second like goes after its first
	// was acknowledged, so post 7's like comes between them.
	if d := cmp.Diff(ids(evs[0], evs[2], evs[1]), published(t, o)); d != "" {
		t.Errorf("published (-want +got):\n%s", d)
	}
	for _, r := range rows(t, s) {
		if !r.Sent || r.Attempts != 1 || r.HasError {
			t.Errorf("row %+v, want sent after one attempt", r)
		}
	}
	// Nothing is left for the relay.
	if res, err := ob.Relay(context.Background()); err != nil || res != (outbox.RelayResult{}) {
		t.Errorf("Relay = %+v, %v; want nothing to do", res, err)
	}
	if got := published(t, o); len(got) != 3 {
		t.Errorf("%d records after the relay, want 3", len(got))
	}
}

// TestKafkaDown: with Kafka down writes still commit and Dispatch returns;
// the events stay pending; once Kafka is back the relay publishes each
// exactly once, oldest first.
func TestKafkaDown(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	ctx := context.Background()
	down := deadKafka(t)
	during := outbox.New(s.DB, down, outbox.Options{})

	var sent []event.Event
	for i := range 5 {
		e := like(t, int64(1+i%2), int64(10+i)) // two keys, interleaved
		sent = append(sent, e)
		during.Dispatch(ctx, write(t, s, e))
	}
	if down.State() != gobreaker.StateOpen {
		t.Errorf("breaker %s after failed dispatches, want open", down.State())
	}
	got := rows(t, s)
	want := []rowState{
		{EventID: sent[0].ID(), Attempts: 1, HasError: true}, // failed
		{EventID: sent[1].ID(), Attempts: 1, HasError: true}, // failed, opened the breaker
		{EventID: sent[2].ID()},                              // skipped: breaker open
		{EventID: sent[3].ID()},
		{EventID: sent[4].ID()},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows while Kafka is down (-want +got):\n%s", d)
	}
	// The relay of a process still cut off does nothing.
	if res, err := during.Relay(ctx); err != nil || !res.Unavailable || res.Sent != 0 {
		t.Errorf("Relay with the breaker open = %+v, %v", res, err)
	}

	live, o := liveKafka(t)
	after := outbox.New(s.DB, live, outbox.Options{})
	res, err := after.Relay(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 5 || res.Failed != 0 {
		t.Errorf("Relay = %+v, want 5 sent", res)
	}
	if d := cmp.Diff(ids(sent...), published(t, o)); d != "" {
		t.Errorf("published (-want +got):\n%s", d)
	}
	// A second relay publishes nothing more.
	if res, err := after.Relay(ctx); err != nil || res.Sent != 0 {
		t.Errorf("second Relay = %+v, %v", res, err)
	}
	if got := published(t, o); len(got) != 5 {
		t.Errorf("%d records after a second relay, want 5", len(got))
	}
	for _, r := range rows(t, s) {
		if !r.Sent || r.HasError {
			t.Errorf("row %+v after the relay, want sent and no error", r)
		}
	}
}

// TestCrashBeforeDispatch: a process that dies between commit and publish
// loses nothing: the relay sends the event.
func TestCrashBeforeDispatch(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	e := like(t, 3, 4)
	write(t, s, e) // no Dispatch
	pub, o := liveKafka(t)
	res, err := outbox.New(s.DB, pub, outbox.Options{}).Relay(context.Background())
	if err != nil || res.Sent != 1 {
		t.Fatalf("Relay = %+v, %v", res, err)
	}
	if d := cmp.Diff([]string{e.ID()}, published(t, o)); d != "" {
		t.Errorf("published (-want +got):\n%s", d)
	}
	// The stored event goes out byte for byte as built.
	r := kafkatest.Records(t, o.Brokers, o.Topics.Today())[0]
	if string(r.Value) != string(e.Data()) || kafkatest.Header(r, "ce_dedupkey") != events.DedupKeyOf(e) {
		t.Errorf("relayed value %s dedupkey %q; built %s %q", r.Value, kafkatest.Header(r, "ce_dedupkey"), e.Data(), events.DedupKeyOf(e))
	}
}

// TestDispatchWaitsForOlderPendingEventsOfItsKey: a new event of an entity
// whose older event is still pending is not published ahead of it.
func TestDispatchWaitsForOlderPendingEventsOfItsKey(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	ctx := context.Background()
	older := like(t, 9, 1)
	write(t, s, older) // left pending (Kafka was down, say)

	pub, o := liveKafka(t)
	ob := outbox.New(s.DB, pub, outbox.Options{})
	newer, other := like(t, 9, 2), like(t, 8, 2)
	ob.Dispatch(ctx, write(t, s, newer, other))
	if d := cmp.Diff([]string{other.ID()}, published(t, o)); d != "" {
		t.Errorf("published by Dispatch (-want +got):\n%s", d)
	}
	res, err := ob.Relay(ctx)
	if err != nil || res.Sent != 2 {
		t.Fatalf("Relay = %+v, %v", res, err)
	}
	if d := cmp.Diff([]string{other.ID(), older.ID(), newer.ID()}, published(t, o)); d != "" {
		t.Errorf("published (-want +got):\n%s", d)
	}
}

// TestConcurrentRelays: relays running at once publish each row once and
// keep each key's order.
func TestConcurrentRelays(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	ctx := context.Background()
	const keys, perKey = 10, 20
	wantByKey := map[string][]string{}
	var all []event.Event
	for i := range keys * perKey {
		e := like(t, int64(1+i%keys), int64(i+1))
		all = append(all, e)
		wantByKey[events.Key(e)] = append(wantByKey[events.Key(e)], e.ID())
	}
	write(t, s, all...)

	pub, o := liveKafka(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total outbox.RelayResult
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each relay is its own process: its own outbox, small batches.
			ob := outbox.New(s.DB, pub, outbox.Options{BatchSize: 7})
			for {
				res, err := ob.Relay(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total.Sent += res.Sent
				total.Failed += res.Failed
				mu.Unlock()
				if res.Sent == 0 && res.Blocked == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if total.Sent != keys*perKey || total.Failed != 0 {
		t.Errorf("relays sent %d (failed %d), want %d", total.Sent, total.Failed, keys*perKey)
	}
	gotByKey := map[string][]string{}
	seen := map[string]bool{}
	for _, r := range kafkatest.Records(t, o.Brokers, o.Topics.Today()) {
		id := kafkatest.Header(r, "ce_id")
		if seen[id] {
			t.Errorf("event %s published twice", id)
		}
		seen[id] = true
		gotByKey[string(r.Key)] = append(gotByKey[string(r.Key)], id)
	}
	if d := cmp.Diff(wantByKey, gotByKey); d != "" {
		t.Errorf("per-key order (-want +got):\n%s", d)
	}
}

// fakePublisher fails the events whose ids are in fail, and records the
// rest.
type fakePublisher struct {
	mu        sync.Mutex
	fail      map[string]error
	sent      []string
	available bool
}

func (f *fakePublisher) PublishEach(_ context.Context, evs []event.Event) []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	errs := make([]error, len(evs))
	for i, e := range evs {
		if err := f.fail[e.ID()]; err != nil {
			errs[i] = err
			continue
		}
		f.sent = append(f.sent, e.ID())
	}
	return errs
}

func (f *fakePublisher) Available() bool { return f.available }

// TestFailedEventBlocksItsKey: an event that keeps failing holds back the
// later events of its key (never reordered) but not other keys, and records
// its attempts and last error.
func TestFailedEventBlocksItsKey(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	ctx := context.Background()
	bad, after, other := like(t, 5, 1), like(t, 5, 2), like(t, 6, 1)
	write(t, s, bad, after, other)
	pub := &fakePublisher{available: true, fail: map[string]error{bad.ID(): errors.New("record too large")}}
	ob := outbox.New(s.DB, pub, outbox.Options{})
	for range 2 {
		if _, err := ob.Relay(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := cmp.Diff([]string{other.ID()}, pub.sent); d != "" {
		t.Errorf("sent (-want +got):\n%s", d)
	}
	want := []rowState{
		{EventID: bad.ID(), Attempts: 2, HasError: true},
		{EventID: after.ID()},
		{EventID: other.ID(), Sent: true, Attempts: 1},
	}
	if d := cmp.Diff(want, rows(t, s)); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	// Once it goes through, the key flows again, in order.
	pub.fail = nil
	if res, err := ob.Relay(ctx); err != nil || res.Sent != 2 {
		t.Fatalf("Relay = %+v, %v", res, err)
	}
	if d := cmp.Diff([]string{other.ID(), bad.ID(), after.ID()}, pub.sent); d != "" {
		t.Errorf("sent (-want +got):\n%s", d)
	}
}

// TestUndecodableRowIsRecorded: a row that is not a CloudEvent is a failure
// of its own, recorded, and does not stop the other keys.
func TestUndecodableRowIsRecorded(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	testenv.Exec(t, s, `INSERT INTO outbox (event_id, event_type, message_key, event) VALUES ('x', 't', '1', '{"specversion": 7}')`)
	ok := like(t, 2, 1)
	write(t, s, ok)
	pub := &fakePublisher{available: true}
	res, err := outbox.New(s.DB, pub, outbox.Options{}).Relay(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 1 || res.Failed != 1 {
		t.Errorf("Relay = %+v, want 1 sent and 1 failed", res)
	}
	want := []rowState{{EventID: "x", Attempts: 1, HasError: true}, {EventID: ok.ID(), Sent: true, Attempts: 1}}
	if d := cmp.Diff(want, rows(t, s)); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
}

func TestRelayStopsWhileUnavailable(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	write(t, s, like(t, 1, 1))
	pub := &fakePublisher{available: false}
	ob := outbox.New(s.DB, pub, outbox.Options{})
	res, err := ob.Relay(context.Background())
	if err != nil || !res.Unavailable || res.Sent != 0 || len(pub.sent) != 0 {
		t.Errorf("Relay = %+v, %v; sent %v", res, err, pub.sent)
	}
	ob.Dispatch(context.Background(), outbox.Pending{1})
	if len(pub.sent) != 0 {
		t.Errorf("Dispatch published while unavailable: %v", pub.sent)
	}
	if d := cmp.Diff([]rowState{{EventID: rows(t, s)[0].EventID}}, rows(t, s)); d != "" {
		t.Errorf("rows changed (-want +got):\n%s", d)
	}
}

func TestCleanup(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	old, recent, pending := like(t, 1, 1), like(t, 1, 2), like(t, 1, 3)
	write(t, s, old, recent, pending)
	testenv.Exec(t, s, `UPDATE outbox SET sent_at = now() - interval '8 days' WHERE event_id = $1`, old.ID())
	testenv.Exec(t, s, `UPDATE outbox SET sent_at = now() - interval '6 days' WHERE event_id = $1`, recent.ID())
	testenv.Exec(t, s, `UPDATE outbox SET created_at = now() - interval '30 days' WHERE event_id = $1`, pending.ID())
	ob := outbox.New(s.DB, &fakePublisher{}, outbox.Options{})
	n, err := ob.Cleanup(context.Background(), 7*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Cleanup = %d, %v; want 1", n, err)
	}
	var left []string
	for _, r := range rows(t, s) {
		left = append(left, r.EventID)
	}
	if d := cmp.Diff([]string{recent.ID(), pending.ID()}, left); d != "" {
		t.Errorf("left (-want +got):\n%s", d)
	}
}

// BenchmarkWrite reports what the outbox adds to a write: a bare one-row
// insert, the same insert with its event added in the transaction, and
// that plus the dispatch to the local broker after commit.
func BenchmarkWrite(b *testing.B) {
	s := testenv.Stack(b, stack.Postgres)
	testenv.Exec(b, s, `CREATE TABLE bench (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL)`)
	pub, _ := liveKafka(b)
	ob := outbox.New(s.DB, pub, outbox.Options{})
	ctx := context.Background()
	insert := func(b *testing.B, withEvent bool) outbox.Pending {
		tx, err := s.DB.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO bench (body) VALUES ('hello') RETURNING id`).Scan(&id); err != nil {
			b.Fatal(err)
		}
		var p outbox.Pending
		if withEvent {
			if p, err = outbox.Add(ctx, tx, like(b, id, 1)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		return p
	}
	b.Run("bare-insert", func(b *testing.B) {
		for b.Loop() {
			insert(b, false)
		}
	})
	b.Run("insert+outbox", func(b *testing.B) {
		for b.Loop() {
			insert(b, true)
		}
	})
	// The same write in the transaction of emit.Writer: BEGIN with the
	// insert, COMMIT with the outbox row (two round trips, not four).
	b.Run("insert+outbox-pipelined", func(b *testing.B) {
		for b.Loop() {
			tx, err := postgres.Begin(ctx, s.DB)
			if err != nil {
				b.Fatal(err)
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO bench (body) VALUES ('hello') RETURNING id`).Scan(&id); err != nil {
				b.Fatal(err)
			}
			if _, err := outbox.AddAndCommit(ctx, tx, like(b, id, 1)); err != nil {
				b.Fatal(err)
			}
			tx.Rollback(ctx) //nolint:errcheck // after the commit: only returns the connection
		}
	})
	b.Run("insert+outbox+dispatch", func(b *testing.B) {
		for b.Loop() {
			ob.Dispatch(ctx, insert(b, true))
		}
	})
}

// TestEnqueueBatchesAndKeepsOrder: writes of several entities at once hand
// their events to the dispatcher and return; every event is published once,
// in write order per entity, in batches shared by the writers, and marked
// sent. Close dispatches what is still queued.
func TestEnqueueBatchesAndKeepsOrder(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	pub, o := liveKafka(t)
	ob := outbox.New(s.DB, pub, outbox.Options{})
	const keys, perKey = 6, 25
	written := make([][]string, keys)
	var wg sync.WaitGroup
	for k := range keys {
		wg.Add(1)
		go func() { // one writer per entity: its writes commit in order
			defer wg.Done()
			for i := range perKey {
				e := like(t, int64(100+k), int64(1+i))
				written[k] = append(written[k], e.ID())
				ob.Enqueue(write(t, s, e))
			}
		}()
	}
	wg.Wait()
	ob.Close(context.Background())

	got := map[string][]string{}
	for _, r := range kafkatest.Records(t, o.Brokers, o.Topics.Today()) {
		got[string(r.Key)] = append(got[string(r.Key)], kafkatest.Header(r, "ce_id"))
	}
	for k := range keys {
		key := fmt.Sprint(100 + k)
		if d := cmp.Diff(written[k], got[key]); d != "" {
			t.Errorf("key %s published (-written +got):\n%s", key, d)
		}
	}
	for _, r := range rows(t, s) {
		if !r.Sent || r.HasError {
			t.Errorf("row %+v, want sent", r)
		}
	}
	// Enqueue after Close leaves the events to the relay.
	ob.Enqueue(write(t, s, like(t, 1, 1)))
	if res, err := ob.Relay(context.Background()); err != nil || res.Sent != 1 {
		t.Errorf("Relay after Close = %+v, %v; want the one event left to it", res, err)
	}
}
