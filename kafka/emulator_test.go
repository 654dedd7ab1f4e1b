package kafka_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

// fakeSink records what it receives and answers with answer(n), n the
// 1-based number of the request.
type fakeSink struct {
	t      *testing.T
	answer func(n int, e event.Event) int
	srv    *httptest.Server

	mu   sync.Mutex
	got  []event.Event
	hdrs []http.Header
}

func newFakeSink(t *testing.T, answer func(n int, e event.Event) int) *fakeSink {
	t.Helper()
	f := &fakeSink{t: t, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil {
			t.Errorf("sink got no CloudEvent: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.got = append(f.got, *e)
		f.hdrs = append(f.hdrs, r.Header.Clone())
		n := len(f.got)
		f.mu.Unlock()
		status := f.answer(n, *e)
		w.WriteHeader(status)
		if status >= 300 {
			_, _ = w.Write([]byte("nope " + http.StatusText(status)))
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSink) events() []event.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event.Event(nil), f.got...)
}

func (f *fakeSink) header(i int) http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hdrs[i]
}

func ok(int, event.Event) int { return http.StatusOK }

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// harness is one topic base with a publisher on it and sources over it.
type harness struct {
	t       *testing.T
	opts    kafka.Options
	pub     *kafka.Publisher
	clock   *clock
	name    string // the sink name: one consumer group per test
	delivey kafka.Delivery
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, seoul)}
	o := kafkatest.Options(t, seoul, c.Now)
	p := kafka.NewPublisher(o)
	t.Cleanup(func() { _ = p.Close() })
	return &harness{
		t: t, opts: o, pub: p, clock: c,
		name:    "test-sink-" + o.Topics.Base,
		delivey: kafka.Delivery{Retry: 3, BackoffPolicy: kafka.Exponential, BackoffDelay: 10 * time.Millisecond, Timeout: 2 * time.Second},
	}
}

// start runs a source to sink (dead letters to dls) until the returned
// stop is called; stop waits for it to end.
func (h *harness) start(sink, dls string) (stop func()) {
	h.t.Helper()
	s := kafka.NewSource(kafka.SourceOptions{
		Name: h.name, Brokers: h.opts.Brokers, Topics: h.opts.Topics, Topic: h.opts.Topic,
		Sink: sink, DeadLetterSink: dls, Delivery: h.delivey, Refresh: 50 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			h.t.Errorf("source: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	h.t.Cleanup(stop)
	return stop
}

func (h *harness) publish(n int) []event.Event {
	h.t.Helper()
	var evs []event.Event
	for i := range n {
		e, err := events.New("create-post", events.Payload{
			MemberID: 7, TargetMemberID: 7, PostID: int64(100 + i),
			MemberActivityType: events.PostCreate, CreatedAt: h.clock.Now(),
		}, seoul)
		if err != nil {
			h.t.Fatal(err)
		}
		evs = append(evs, e)
	}
	if err := h.pub.Publish(context.Background(), evs...); err != nil {
		h.t.Fatalf("publish: %v", err)
	}
	return evs
}

// quiet waits a little and checks that cond still holds (nothing more
// arrives).
func quiet(t *testing.T, what string, cond func() bool) {
	t.Helper()
	time.Sleep(1500 * time.Millisecond)
	if !cond() {
		t.Fatalf("%s", what)
	}
}

func TestWindow(t *testing.T) {
	tp := kafka.NewTopics("b", seoul, func() time.Time { return time.Date(2026, 12, 31, 23, 59, 0, 0, seoul) })
	got := tp.Window()
	want := []string{"b-20261230", "b-20261231", "b-20270101"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("Window = %v, want %v", got, want)
	}
}

// TestSourceDeliversInBinaryModeAndCommits: every event arrives once, in
// order, in binary mode; a restarted source delivers nothing again.
func TestSourceDeliversInBinaryModeAndCommits(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	sink := newFakeSink(t, ok)
	evs := h.publish(3)
	stop := h.start(sink.srv.URL, "")
	testenv.Eventually(t, "3 deliveries", func() bool { return len(sink.events()) == 3 })
	for i, e := range sink.events() {
		if e.ID() != evs[i].ID() {
			t.Errorf("delivery %d is %s, want %s (order)", i, e.ID(), evs[i].ID())
		}
		if events.DedupKeyOf(e) != events.DedupKeyOf(evs[i]) {
			t.Errorf("delivery %d lost its dedup key", i)
		}
		if got := sink.header(i).Get("Ce-Id"); got != evs[i].ID() {
			t.Errorf("delivery %d: Ce-Id header %q: not binary mode", i, got)
		}
	}
	stop()
	h.start(sink.srv.URL, "")
	h.publish(1)
	testenv.Eventually(t, "the 4th delivery", func() bool { return len(sink.events()) >= 4 })
	quiet(t, "a restarted source delivered committed events again", func() bool { return len(sink.events()) == 4 })
}

// TestSourceRetriesRetryableStatuses: 503 twice, then 2xx: the event is
// accepted once, nothing is dead-lettered.
func TestSourceRetriesRetryableStatuses(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	sink := newFakeSink(t, func(n int, _ event.Event) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusAccepted
	})
	dls := newFakeSink(t, ok)
	h.publish(1)
	h.start(sink.srv.URL, dls.srv.URL)
	testenv.Eventually(t, "3 attempts", func() bool { return len(sink.events()) == 3 })
	quiet(t, "more attempts or a dead letter after the 2xx", func() bool {
		return len(sink.events()) == 3 && len(dls.events()) == 0
	})
}

// TestSourceDeadLettersPermanentFailures: a 400 goes to the dead-letter
// sink at once, with Knative's error extensions; the offset is committed,
// so a restarted source does not deliver it again.
func TestSourceDeadLettersPermanentFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	sink := newFakeSink(t, func(int, event.Event) int { return http.StatusBadRequest })
	dls := newFakeSink(t, ok)
	evs := h.publish(1)
	stop := h.start(sink.srv.URL, dls.srv.URL)
	testenv.Eventually(t, "a dead letter", func() bool { return len(dls.events()) == 1 })
	if n := len(sink.events()); n != 1 {
		t.Errorf("sink got %d attempts, want 1 (400 is not retried)", n)
	}
	dl := dls.events()[0]
	if dl.ID() != evs[0].ID() || string(dl.Data()) != string(evs[0].Data()) || events.DedupKeyOf(dl) != events.DedupKeyOf(evs[0]) {
		t.Errorf("dead letter %v is not the event %v", dl, evs[0])
	}
	ext := dl.Extensions()
	if ext[kafka.ErrorDestExtension] != sink.srv.URL {
		t.Errorf("%s = %v, want %s", kafka.ErrorDestExtension, ext[kafka.ErrorDestExtension], sink.srv.URL)
	}
	if ext[kafka.ErrorCodeExtension] != "400" {
		t.Errorf("%s = %v, want 400", kafka.ErrorCodeExtension, ext[kafka.ErrorCodeExtension])
	}
	data, _ := base64.StdEncoding.DecodeString(ext[kafka.ErrorDataExtension].(string))
	if string(data) != "nope Bad Request" {
		t.Errorf("%s decodes to %q", kafka.ErrorDataExtension, data)
	}
	stop()
	h.start(sink.srv.URL, dls.srv.URL)
	quiet(t, "a restarted source delivered the dead-lettered event again", func() bool {
		return len(sink.events()) == 1 && len(dls.events()) == 1
	})
}

// TestSourceDeadLettersAfterRetries: a sink that always answers 503 gets
// 1 + Retry attempts, then the event is dead-lettered.
func TestSourceDeadLettersAfterRetries(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	sink := newFakeSink(t, func(int, event.Event) int { return http.StatusServiceUnavailable })
	dls := newFakeSink(t, ok)
	h.publish(1)
	h.start(sink.srv.URL, dls.srv.URL)
	testenv.Eventually(t, "a dead letter", func() bool { return len(dls.events()) == 1 })
	if n := len(sink.events()); n != 1+h.delivey.Retry {
		t.Errorf("sink got %d attempts, want %d", n, 1+h.delivey.Retry)
	}
	if got := dls.events()[0].Extensions()[kafka.ErrorCodeExtension]; got != "503" {
		t.Errorf("error code %v, want 503", got)
	}
}

// TestSourceStoppedBeforeCommitRedelivers: the emulator dies while the
// sink handles the event (after its side effect, before the 2xx reached
// the emulator): the next emulator delivers it again.
func TestSourceStoppedBeforeCommitRedelivers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var stop atomic.Pointer[func()]
	release := make(chan struct{})
	sink := newFakeSink(t, func(n int, _ event.Event) int {
		if n == 1 {
			go (*stop.Load())() // kill the emulator mid-delivery
			<-release
		}
		return http.StatusOK
	})
	evs := h.publish(1)
	s := h.start(sink.srv.URL, "")
	stop.Store(&s)
	testenv.Eventually(t, "the first delivery", func() bool { return len(sink.events()) == 1 })
	s() // waits until the source ended (its request was cancelled)
	close(release)
	h.start(sink.srv.URL, "")
	testenv.Eventually(t, "the redelivery", func() bool { return len(sink.events()) == 2 })
	if got := sink.events()[1].ID(); got != evs[0].ID() {
		t.Errorf("redelivered %s, want %s", got, evs[0].ID())
	}
}

// TestSourceFollowsTheDay: after midnight (Asia/Seoul) the source reads
// the new tomorrow's topic without a restart.
func TestSourceFollowsTheDay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.clock.Set(time.Date(2026, 11, 25, 23, 59, 59, 0, seoul))
	sink := newFakeSink(t, ok)
	h.start(sink.srv.URL, "")
	h.publish(1) // today's topic, 20261125
	testenv.Eventually(t, "today's event", func() bool { return len(sink.events()) == 1 })

	h.clock.Set(time.Date(2026, 11, 26, 0, 0, 1, 0, seoul))
	// An event on the topic of the day after the new tomorrow (20261127),
	// which the window only holds after midnight.
	later := kafka.NewPublisher(kafka.Options{
		Brokers: h.opts.Brokers, Acks: "1", Topic: h.opts.Topic,
		Topics: kafka.NewTopics(h.opts.Topics.Base, seoul, func() time.Time {
			return time.Date(2026, 11, 27, 9, 0, 0, 0, seoul)
		}),
	})
	defer later.Close()
	e, err := events.New("create-post", events.Payload{MemberID: 7, TargetMemberID: 7, PostID: 900,
		MemberActivityType: events.PostCreate, CreatedAt: h.clock.Now()}, seoul)
	if err != nil {
		t.Fatal(err)
	}
	if err := later.Publish(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the event of the new tomorrow's topic", func() bool { return len(sink.events()) == 2 })
	if got := sink.events()[1].ID(); got != e.ID() {
		t.Errorf("got %s, want %s", got, e.ID())
	}
}
