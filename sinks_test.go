package dailyfeed_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/metrics/metricstest"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// TestEveryEventFunctionIsServed: every CloudEvent function of the table
// but the jobs has a constructor and a Handle the sink listener can serve.
func TestEveryEventFunctionIsServed(t *testing.T) {
	if _, err := dailyfeed.SinksHandler(nil, nil); err != nil {
		t.Error(err)
	}
	sinks, dl := dailyfeed.Sinks()
	if dl == "" || len(sinks) == 0 {
		t.Errorf("sinks %v, dead-letter sink %q", sinks, dl)
	}
	for _, f := range sinks {
		if f.Kind != route.CloudEvent || f.Group != route.Sink || f.DeadLetter {
			t.Errorf("%s is not a sink", f.Name)
		}
	}
}

// TestSinksAreNotPublic: the all-in-one handler does not serve the sinks.
func TestSinksAreNotPublic(t *testing.T) {
	srv := dailyfeed.New()
	for _, name := range []string{"record-activity", "store-dead-letter", "replay-dead-letters"} {
		w := httptest.NewRecorder()
		srv.Handle(w, httptest.NewRequest("POST", "/"+name, nil))
		if w.Code != http.StatusNotFound {
			t.Errorf("POST /%s on the public handler: %d, want 404", name, w.Code)
		}
	}
}

// TestLocalWiring: a post created through the all-in-one handler reaches
// record-activity through the broker, the emulator and the sink listener.
func TestLocalWiring(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.TopicPartitions = 1
	s := testenv.StackWith(t, cfg, stack.Postgres|stack.Redis|stack.Kafka)
	ctx := context.Background()
	sources := delivery(t, s)
	for _, src := range sources {
		if g := src.ConsumerGroup(); g != "dailyfeed-"+src.Options().Name+"-"+cfg.TopicBase {
			t.Errorf("consumer group %q", g)
		}
	}
	start(t, sources)

	env := contenttest.Over(t, s, dailyfeed.Functions())
	env.C.Handler = http.HandlerFunc(dailyfeed.NewShared(s).Handle)
	post := env.Post(env.Member(), "through the all-in-one function")
	testenv.Eventually(t, "the post's activity row", func() bool {
		var n int
		if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM activities WHERE post_id = $1`, post.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
}

// delivery serves the sinks of s on a test listener and returns the
// emulated KafkaSources delivering the test's member-activity topics to
// them (not the image uploads' topic), with a fast delivery (two retries,
// 20 ms backoff); start runs them.
func delivery(t *testing.T, s *stack.Stack) []*kafka.Source {
	t.Helper()
	h, err := dailyfeed.SinksHandler(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	sinks := httptest.NewServer(h)
	t.Cleanup(sinks.Close)
	fast := kafka.Delivery{Retry: 2, BackoffPolicy: kafka.Exponential, BackoffDelay: 20 * time.Millisecond, Timeout: 5 * time.Second}
	var out []*kafka.Source
	for _, src := range dailyfeed.Emulator(s, sinks.URL, fast, nil) {
		if len(src.Options().Fixed) == 0 {
			out = append(out, src)
		}
	}
	return out
}

// start runs sources until the test ends.
func start(t *testing.T, sources []*kafka.Source) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, src := range sources {
		done := make(chan struct{})
		go func() { defer close(done); _ = src.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
}

// TestSinksRefuseEventsAboutNothing: a well-formed event about a post that
// does not exist can never apply: fanout-feed and update-stats answer 422
// with the UNKNOWN_ENTITY code (dead-lettered at once, not retried) and
// record nothing.
func TestSinksRefuseEventsAboutNothing(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	reg := metrics.NewRegistry()
	h, err := dailyfeed.SinksHandler(s, metrics.NewHTTP(reg))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	scrape := httptest.NewServer(metrics.Handler(reg))
	t.Cleanup(scrape.Close)
	ctx := context.Background()
	for _, name := range []string{"fanout-feed", "update-stats"} {
		e, err := events.New("create-post", events.Payload{MemberID: 1, TargetMemberID: 1, PostID: 987654321,
			MemberActivityType: events.PostCreate, CreatedAt: time.Now()}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if name == "update-stats" { // update-stats counts likes, not creates
			e, err = events.New("like-post", events.Payload{MemberID: 1, TargetMemberID: 1, PostID: 987654321,
				MemberActivityType: events.LikePost, CreatedAt: time.Now()}, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
		}
		status, body, err := kafka.PostEvent(ctx, nil, srv.URL+"/"+name, e)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "UNKNOWN_ENTITY") {
			t.Errorf("%s: %d %q, want 422 UNKNOWN_ENTITY", name, status, body)
		}
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM processed_events`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d processed events recorded (%v), want 0", n, err)
	}
	// Each refusal is in the sinks' request metrics with its code.
	got := metricstest.Get(t, scrape.URL+"/metrics")
	for _, name := range []string{"fanout-feed", "update-stats"} {
		labels := map[string]string{"function": name, "route": "/", "method": "POST", "status": "422", "code": "UNKNOWN_ENTITY"}
		if v, _ := got.Value("dailyfeed_http_requests_total", labels); v != 1 {
			t.Errorf("dailyfeed_http_requests_total%v = %v, want 1", labels, v)
		}
	}
}

// TestEverySinkRefusesWhatCanNeverSucceed: every sink of the delivery
// answers every malformed event — unknown type, missing or wrong
// extensions, wrong data shape, wrong ids — with a 4xx that Knative does
// not retry (400 or 422) and a code, and changes nothing; an event about
// an entity that does not exist is 422 UNKNOWN_ENTITY where a sink needs
// the entity (fanout-feed, update-stats).
func TestEverySinkRefusesWhatCanNeverSucceed(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	h, err := dailyfeed.SinksHandler(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	good := func(t *testing.T) event.Event {
		e, err := events.New("create-post", events.Payload{MemberID: 1, TargetMemberID: 1, PostID: 7,
			MemberActivityType: events.PostCreate, CreatedAt: time.Now()}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	cases := map[string]func(e *event.Event){
		"unknown type":            func(e *event.Event) { e.SetType("com.example.unknown") },
		"no dedup key":            func(e *event.Event) { e.SetExtension(events.DedupKeyExtension, nil) },
		"subject not the entity":  func(e *event.Event) { e.SetSubject("8") },
		"no subject":              func(e *event.Event) { e.SetSubject("") },
		"data not JSON":           func(e *event.Event) { _ = e.SetData("application/json", []byte("{not json")) },
		"data of the wrong shape": func(e *event.Event) { _ = e.SetData("application/json", []byte(`{"postId":"seven"}`)) },
		"no data":                 func(e *event.Event) { e.DataEncoded = nil },
		"data as text":            func(e *event.Event) { _ = e.SetData("text/plain", []byte("hello")) },
		"type and payload disagree": func(e *event.Event) {
			_ = e.SetData("application/json", map[string]any{"memberId": 1, "postId": 7, "targetMemberId": 1,
				"memberActivityType": "POST_DELETE", "createdAt": time.Now()})
		},
		"no member": func(e *event.Event) {
			_ = e.SetData("application/json", map[string]any{"postId": 7, "targetMemberId": 1,
				"memberActivityType": "POST_CREATE", "createdAt": time.Now()})
		},
		"negative ids": func(e *event.Event) {
			_ = e.SetData("application/json", map[string]any{"memberId": -1, "postId": -7, "targetMemberId": -1,
				"memberActivityType": "POST_CREATE", "createdAt": time.Now()})
			e.SetSubject("-7")
		},
		"about a post that does not exist": func(e *event.Event) {},
	}
	sinks, _ := dailyfeed.Sinks()
	if len(sinks) < 3 {
		t.Fatalf("%d sinks, want record-activity, fanout-feed and update-stats at least", len(sinks))
	}
	for _, f := range sinks {
		if f.Topic != "" {
			continue // thumbnail-image reads bucket notifications, not activity events (its own tests)
		}
		for name, mutate := range cases {
			t.Run(f.Name+"/"+name, func(t *testing.T) {
				e := good(t)
				mutate(&e)
				status, body, err := kafka.PostEvent(ctx, nil, srv.URL+"/"+f.Name, e)
				if err != nil {
					t.Fatal(err)
				}
				if name == "about a post that does not exist" {
					if f.Name == "record-activity" {
						return // the log records what members did; it needs no post row
					}
					if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "UNKNOWN_ENTITY") {
						t.Errorf("%d %q, want 422 UNKNOWN_ENTITY", status, body)
					}
					return
				}
				if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity {
					t.Errorf("%d %q, want 400 or 422: anything else is retried or accepted", status, body)
				}
				if !strings.Contains(string(body), "MALFORMED_EVENT") {
					t.Errorf("answer %q carries no code", body)
				}
			})
		}
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT (SELECT count(*) FROM processed_events) + (SELECT count(*) FROM activities WHERE post_id <> 7)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows written (%v), want 0", n, err)
	}
}
