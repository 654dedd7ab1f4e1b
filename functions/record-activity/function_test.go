package recordactivity_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/events"
	recordactivity "github.com/dailyfeed/dailyfeed/functions/record-activity"
	storedeadletter "github.com/dailyfeed/dailyfeed/functions/store-dead-letter"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/deadletter"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// receiver serves a sink's Handle as the functions are served.
func receiver(t testing.TB, handle func(context.Context, event.Event) error) http.Handler {
	t.Helper()
	return sink.Receiver(sink.Sink(handle))
}

func newStack(t *testing.T) *stack.Stack {
	t.Helper()
	cfg := testenv.Config(t)
	cfg.TopicPartitions = 1
	return testenv.StackWith(t, cfg, stack.Postgres|stack.Redis|stack.Kafka)
}

func started(s *stack.Stack) *recordactivity.Function {
	f := recordactivity.New()
	f.Share(s)
	return f
}

func postCreated(t *testing.T, post, member int64) event.Event {
	t.Helper()
	e, err := events.New("create-post", events.Payload{
		MemberID: member, TargetMemberID: member, PostID: post,
		MemberActivityType: events.PostCreate, CreatedAt: time.Now(),
	}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func count(t *testing.T, s *stack.Stack, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestReceiveAnswers: a new event 200, a duplicate 200, malformed 400, a
// database failure 500; nothing before Start 503.
func TestReceiveAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if got := sink.Status(recordactivity.New().Receive(ctx, postCreated(t, 1, 1))); got != http.StatusServiceUnavailable {
		t.Errorf("before Start: %d, want 503", got)
	}
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	f := started(s)
	e := postCreated(t, 10, 3)
	for i, want := range []int{200, 200} {
		if got := sink.Status(f.Receive(ctx, e)); got != want {
			t.Errorf("delivery %d: %d, want %d", i+1, got, want)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE event_id = $1`, e.ID()); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}

	bad := e.Clone()
	bad.SetType("dailyfeed.post.exploded.v1")
	noKey := postCreated(t, 11, 3)
	_ = noKey.Context.SetExtension(events.DedupKeyExtension, nil)
	wrongData := e.Clone()
	wrongData.SetID("other")
	_ = wrongData.SetData(event.ApplicationJSON, map[string]any{"memberId": "x"})
	for name, ev := range map[string]event.Event{"unknown type": bad, "no dedup key": noKey, "bad data": wrongData} {
		if got := sink.Status(f.Receive(ctx, ev)); got != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, got)
		}
	}

	// The database is down: 503 (retried), and Redis is not told the event
	// was seen, so the retry writes the row.
	down := *s
	pool, err := pgxpool.New(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	down.DB = pool
	later := postCreated(t, 12, 3)
	if got := sink.Status(started(&down).Receive(ctx, later)); got != http.StatusServiceUnavailable {
		t.Errorf("database down: %d, want 503", got)
	}
	if got := sink.Status(f.Receive(ctx, later)); got != http.StatusOK {
		t.Errorf("retry: %d", got)
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE event_id = $1`, later.ID()); n != 1 {
		t.Errorf("after the database came back: %d rows, want 1 (the event was lost)", n)
	}
}

// TestRepeatedKeyIsAnotherOccurrence: like → cancel → like repeats the
// dedup key; the second like is an activity of its own, and each like's
// redeliveries stay one row.
func TestRepeatedKeyIsAnotherOccurrence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	f := started(s)
	like := func() event.Event {
		e, err := events.New("like-post", events.Payload{MemberID: 4, TargetMemberID: 5, PostID: 9,
			MemberActivityType: events.LikePost, CreatedAt: time.Now()}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	first, second := like(), like()
	if events.DedupKeyOf(first) != events.DedupKeyOf(second) {
		t.Fatal("the two likes should share the original's key")
	}
	for _, e := range []event.Event{first, first, second, second, first} {
		if got := sink.Status(f.Receive(ctx, e)); got != http.StatusOK {
			t.Fatalf("%d", got)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE activity_type = 'LIKE_POST'`); n != 2 {
		t.Errorf("%d likes recorded, want 2", n)
	}
}

// recorder wraps a sink handler: it counts deliveries of each event id
// and can fail the first ones.
type recorder struct {
	next     atomic.Pointer[http.Handler]
	failFor  atomic.Int32 // answer 503 to that many more requests
	mu       sync.Mutex
	accepted map[string]int
	requests map[string]int
}

func newRecorder(h http.Handler) *recorder {
	r := &recorder{accepted: map[string]int{}, requests: map[string]int{}}
	r.next.Store(&h)
	return r
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("Ce-Id")
	rc.mu.Lock()
	rc.requests[id]++
	rc.mu.Unlock()
	if rc.failFor.Add(-1) >= 0 {
		http.Error(w, "flaky", http.StatusServiceUnavailable)
		return
	}
	rw := httptest.NewRecorder()
	(*rc.next.Load()).ServeHTTP(rw, r)
	if rw.Code >= 200 && rw.Code < 300 {
		rc.mu.Lock()
		rc.accepted[id]++
		rc.mu.Unlock()
	}
	for k, v := range rw.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rw.Code)
	_, _ = w.Write(rw.Body.Bytes())
}

func (rc *recorder) counts(id string) (requests, accepted int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests[id], rc.accepted[id]
}

// runSource runs an emulated KafkaSource over the stack's topics (a
// consumer group of the test's own) until the test ends or stop is called.
func runSource(t *testing.T, s *stack.Stack, sinkURL, dlsURL string) (stop func()) {
	t.Helper()
	src := kafka.NewSource(kafka.SourceOptions{
		Name:    "record-activity-" + s.Config.TopicBase,
		Brokers: s.Config.KafkaBrokers,
		Topics:  kafka.NewTopics(s.Config.TopicBase, s.Config.TopicTimeZone, s.Now),
		Topic:   kafka.TopicSpec{Partitions: 1, Retention: time.Hour},
		Sink:    sinkURL, DeadLetterSink: dlsURL,
		Delivery: kafka.Delivery{Retry: 3, BackoffPolicy: kafka.Exponential,
			BackoffDelay: 20 * time.Millisecond, Timeout: 5 * time.Second},
		Refresh: 100 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = src.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// outboxEvent returns the event the write put in the outbox (and published).
func outboxEvent(t *testing.T, s *stack.Stack, typ events.Type, post int64) event.Event {
	t.Helper()
	var doc []byte
	err := s.DB.QueryRow(context.Background(), `SELECT event::text FROM outbox
		WHERE event_type = $1 AND (event->'data'->>'postId')::bigint = $2`, typ.CEType(), post).Scan(&doc)
	if err != nil {
		t.Fatalf("outbox event: %v", err)
	}
	var e event.Event
	if err := json.Unmarshal(doc, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEndToEndThroughTheBroker is the acceptance: a post created
// over HTTP is recorded once within seconds; the same event published five
// more times, once after its Redis key expired and once with Redis down,
// still leaves one row; a sink that fails twice with 503 then succeeds
// stores it once.
func TestEndToEndThroughTheBroker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStack(t)
	env := contenttest.Over(t, s, dailyfeed.Functions())

	up := receiver(t, started(s).Receive)
	redisDown := *s
	redisDown.Redis = redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = redisDown.Redis.Close() })
	down := receiver(t, started(&redisDown).Receive)

	rec := newRecorder(up)
	rec.failFor.Store(2) // the first delivery fails twice with 503
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	runSource(t, s, srv.URL, "")

	// Create a post over HTTP: one row within seconds.
	author := env.Member()
	post := env.Post(author, "hello, activity")
	const rows = `SELECT count(*) FROM activities WHERE post_id = $1 AND activity_type = 'POST_CREATE'`
	testenv.Eventually(t, "the activity row", func() bool { return count(t, s, rows, post.ID) == 1 })
	e := outboxEvent(t, s, events.PostCreate, post.ID)
	// The row commits before the sink's answer is recorded: wait for it.
	testenv.Eventually(t, "the accepted delivery", func() bool { _, acc := rec.counts(e.ID()); return acc == 1 })
	if req, acc := rec.counts(e.ID()); req != 3 || acc != 1 {
		t.Errorf("first delivery: %d requests, %d accepted; want 3 (two 503s) and 1", req, acc)
	}

	// Five more publishes of the same event.
	for range 5 {
		if err := s.Publisher.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	testenv.Eventually(t, "6 deliveries", func() bool { _, acc := rec.counts(e.ID()); return acc == 6 })

	// Once after the Redis key expired.
	if err := s.Redis.Del(ctx, s.Config.RedisPrefix+events.DedupKeyOf(e)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Publisher.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "7 deliveries", func() bool { _, acc := rec.counts(e.ID()); return acc == 7 })

	// Once with Redis down.
	rec.next.Store(&down)
	if err := s.Publisher.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "8 deliveries", func() bool { _, acc := rec.counts(e.ID()); return acc == 8 })

	if n := count(t, s, rows, post.ID); n != 1 {
		t.Errorf("%d activity rows after 8 deliveries, want 1", n)
	}
	if n := count(t, s, `SELECT count(*) FROM activities`); n != 1 {
		t.Errorf("%d activity rows in all, want 1", n)
	}
}

// TestDeadLettersAndReplay: a sink that answers 400 sends the event to the
// dead letters, whole and with the reason; the offset is committed (a
// restarted emulator does not deliver it again); replaying it after the
// sink is fixed stores it once, and replaying again changes nothing.
func TestDeadLettersAndReplay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStack(t)
	env := contenttest.Over(t, s, dailyfeed.Functions())

	dls := storedeadletter.New()
	dls.Share(s)
	mux := http.NewServeMux()
	broken := receiver(t, func(context.Context, event.Event) error {
		return sink.Result(ctx, "record-activity", event.New(), errBroken)
	})
	fixed := receiver(t, started(s).Receive)
	rec := newRecorder(broken)
	mux.Handle("/record-activity", rec)
	mux.Handle("/store-dead-letter", receiver(t, dls.Receive))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	stop := runSource(t, s, srv.URL+"/record-activity", srv.URL+"/store-dead-letter")

	post := env.Post(env.Member(), "this one will be dead-lettered")
	e := outboxEvent(t, s, events.PostCreate, post.ID)
	testenv.Eventually(t, "the dead letter", func() bool { return count(t, s, `SELECT count(*) FROM dead_letters`) == 1 })
	letters, err := deadletter.Store{DB: s.DB}.List(ctx, deadletter.Selector{All: true})
	if err != nil || len(letters) != 1 {
		t.Fatalf("letters %v, %v", letters, err)
	}
	l := letters[0]
	if l.EventID != e.ID() || l.Sink != "record-activity" || l.ErrorCode == nil || *l.ErrorCode != 400 ||
		l.ErrorData == nil || *l.ErrorData == "" || l.SinkURL != srv.URL+"/record-activity" {
		t.Errorf("dead letter %+v", l)
	}
	kept, err := l.CloudEvent()
	if err != nil {
		t.Fatal(err)
	}
	if string(kept.Data()) != string(e.Data()) || events.DedupKeyOf(kept) != events.DedupKeyOf(e) ||
		kept.Type() != e.Type() || kept.Source() != e.Source() || kept.Subject() != e.Subject() || !kept.Time().Equal(e.Time()) {
		t.Errorf("the kept event %v is not whole: %v", kept, e)
	}
	if req, _ := rec.counts(e.ID()); req != 1 {
		t.Errorf("the sink got %d requests, want 1 (400 is not retried)", req)
	}

	// A restarted emulator does not deliver it again: the offset was committed.
	stop()
	runSource(t, s, srv.URL+"/record-activity", srv.URL+"/store-dead-letter")
	time.Sleep(2 * time.Second)
	if req, _ := rec.counts(e.ID()); req != 1 {
		t.Errorf("after a restart the sink got %d requests, want 1", req)
	}

	// Fix the sink, replay: stored once; replay again: still once.
	rec.next.Store(&fixed)
	r := deadletter.Replayer{Store: deadletter.Store{DB: s.DB}}
	rep, err := r.Replay(ctx, deadletter.Selector{Sink: "record-activity"})
	if err != nil || rep.Replayed != 1 || rep.Failed != 0 {
		t.Fatalf("replay: %+v, %v", rep, err)
	}
	rep, err = r.Replay(ctx, deadletter.Selector{IDs: []int64{l.ID}})
	if err != nil || rep.Replayed != 1 {
		t.Fatalf("second replay: %+v, %v", rep, err)
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE event_id = $1`, e.ID()); n != 1 {
		t.Errorf("%d rows after two replays, want 1", n)
	}
	if n := count(t, s, `SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL`); n != 0 {
		t.Errorf("%d dead letters still waiting", n)
	}
	if rep, _ := r.Replay(ctx, deadletter.Selector{All: true}); rep.Replayed != 0 {
		t.Errorf("replaying every waiting letter replayed %d, want 0", rep.Replayed)
	}
}

// errBroken is a permanent failure of a broken sink.
var errBroken = errcode.New(events.MalformedEvent, "broken sink")

// TestKilledBeforeCommitRedelivers: the emulator dies after the sink
// stored the activity but before the offset was committed; the next
// emulator delivers the event again, and there is still one row.
func TestKilledBeforeCommitRedelivers(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	env := contenttest.Over(t, s, dailyfeed.Functions())
	up := receiver(t, started(s).Receive)
	var stop atomic.Pointer[func()]
	var first atomic.Bool
	release := make(chan struct{})
	stored := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := httptest.NewRecorder()
		up.ServeHTTP(rw, r) // the row is stored
		if first.CompareAndSwap(false, true) {
			close(stored)
			go (*stop.Load())() // the emulator dies before it sees the answer
			<-release
		}
		w.WriteHeader(rw.Code)
	})
	rec := newRecorder(h)
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	st := runSource(t, s, srv.URL, "")
	stop.Store(&st)

	post := env.Post(env.Member(), "delivered twice")
	e := outboxEvent(t, s, events.PostCreate, post.ID)
	// Wait until the sink has stored the row (not merely received the
	// request: stopping earlier would cancel the store itself).
	select {
	case <-stored:
	case <-time.After(60 * time.Second):
		t.Fatal("timed out waiting for the first delivery to be stored")
	}
	st()
	close(release)
	runSource(t, s, srv.URL, "")
	testenv.Eventually(t, "the redelivery", func() bool { req, _ := rec.counts(e.ID()); return req == 2 })
	testenv.Eventually(t, "its 2xx", func() bool { _, acc := rec.counts(e.ID()); return acc == 2 })
	if n := count(t, s, `SELECT count(*) FROM activities WHERE event_id = $1`, e.ID()); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}
