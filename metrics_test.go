package dailyfeed_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/events"
	createpost "github.com/dailyfeed/dailyfeed/functions/create-post"
	updatestats "github.com/dailyfeed/dailyfeed/functions/update-stats"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/metrics"
	"github.com/dailyfeed/dailyfeed/internal/metrics/metricstest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// TestAllInOneMetrics scrapes the all-in-one's registry over HTTP and
// checks that its series exist and move with the work done: a create-post
// counts under its function, route pattern, status and code, a 401 under
// its code, an unrouted path under "unrouted", the login guard's refusals
// and the outbox's pending rows and age.
func TestAllInOneMetrics(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres|stack.Redis|stack.Kafka)
	srv := dailyfeed.NewShared(s)
	scrapes := httptest.NewServer(metrics.Handler(srv.Registry()))
	t.Cleanup(scrapes.Close)
	scrape := func() metricstest.Scrape { return metricstest.Get(t, scrapes.URL+"/metrics") }
	env := contenttest.Over(t, s, dailyfeed.Functions())
	env.C.Handler = http.HandlerFunc(srv.Handle)

	created := map[string]string{"function": "create-post", "route": "/api/posts", "method": "POST", "status": "201", "code": ""}
	missing := map[string]string{"function": "create-post", "route": "/api/posts", "status": "401", "code": "TOKEN_MISSING"}
	invalid := map[string]string{"function": "create-post", "route": "/api/posts", "status": "401", "code": "TOKEN_INVALID"}
	before := scrape()
	for _, name := range []string{"dailyfeed_outbox_pending_rows", "dailyfeed_outbox_oldest_pending_age_seconds", "go_goroutines"} {
		if !before.Has(name) {
			t.Errorf("no %s before any work", name)
		}
	}
	if v, _ := before.Value("dailyfeed_http_requests_total", created); v != 0 {
		t.Fatalf("%v create-posts counted before any", v)
	}

	me := env.Member()
	env.Post(me, "counted")
	env.Post(me, "counted again")
	contenttest.Want(t, env.Do(contenttest.Member{}, "POST", "/api/posts", map[string]any{"content": "x"}), http.StatusUnauthorized, "TOKEN_MISSING")
	contenttest.Want(t, env.Do(contenttest.Member{Token: "not-a-jwt"}, "POST", "/api/posts", map[string]any{"content": "x"}), http.StatusUnauthorized, "TOKEN_INVALID")
	contenttest.Want(t, env.Do(me, "GET", "/api/posts/1/nothing/here", nil), http.StatusNotFound, "NOT_FOUND")
	postID := env.Post(me, "by id").ID
	contenttest.Want(t, env.Do(me, "GET", fmt.Sprintf("/api/timeline/posts/%d", postID), nil), http.StatusOK, "")

	after := scrape()
	for _, c := range []struct {
		labels map[string]string
		want   float64
	}{
		{created, 3},
		{missing, 1},
		{invalid, 1},
		{map[string]string{"route": metrics.Unrouted, "status": "404", "code": "NOT_FOUND"}, 1},
		// The route pattern, never the raw path.
		{map[string]string{"function": "get-post", "route": "/api/timeline/posts/{postId}", "method": "GET", "status": "200"}, 1},
	} {
		if v, _ := after.Value("dailyfeed_http_requests_total", c.labels); v != c.want {
			t.Errorf("dailyfeed_http_requests_total%v = %v, want %v", c.labels, v, c.want)
		}
	}
	if v, _ := after.Value("dailyfeed_http_requests_total", map[string]string{"route": fmt.Sprintf("/api/timeline/posts/%d", postID)}); v != 0 {
		t.Errorf("a raw path is a route label")
	}
	if v, _ := after.Value("dailyfeed_http_request_duration_seconds", map[string]string{"function": "create-post", "route": "/api/posts", "method": "POST"}); v != 5 {
		t.Errorf("create-post duration histogram counts %v requests, want 5", v)
	}

	// The login guard: past MaxLoginFailures attempts for one e-mail, a
	// refusal each.
	email := "guessed-" + testenv.ID() + "@example.com"
	for i := range 12 {
		res := env.Do(contenttest.Member{}, "POST", "/api/authentication/login", map[string]string{"email": email, "password": "Wrong-pass1!"})
		if i >= 10 && res.Status != http.StatusTooManyRequests {
			t.Fatalf("attempt %d: %d, want 429", i+1, res.Status)
		}
	}
	guarded := scrape()
	if v, _ := guarded.Value("dailyfeed_login_guard_refusals_total", map[string]string{"store": "redis"}); v != 2 {
		t.Errorf("%v login refusals counted, want 2", v)
	}
	if v, _ := guarded.Value("dailyfeed_http_requests_total", map[string]string{"function": "login", "status": "429", "code": "TOO_MANY_REQUESTS"}); v != 2 {
		t.Errorf("%v logins answered 429 TOO_MANY_REQUESTS, want 2", v)
	}

	// A row the relay has not published for two minutes: the outbox
	// gauges show it (the alert's outbox age).
	testenv.Exec(t, s, `INSERT INTO outbox (event_id, event_type, message_key, event, created_at)
		VALUES ('stuck-'||md5(random()::text), 'test', 'k', '{}', now() - interval '2 minutes')`)
	stuck := scrape()
	if v, _ := stuck.Value("dailyfeed_outbox_pending_rows", nil); v < 1 {
		t.Errorf("outbox pending rows %v, want at least 1", v)
	}
	if v, _ := stuck.Value("dailyfeed_outbox_oldest_pending_age_seconds", nil); v < 120 || v > 600 {
		t.Errorf("outbox oldest pending age %v s, want about 120", v)
	}
	if v, _ := stuck.Value("dailyfeed_outbox_measure_failed", nil); v != 0 {
		t.Errorf("outbox measure failed")
	}
}

// TestFunctionProcessServesMetrics: a function started as its own process
// (func-go calls fn.Base.Start) serves its own /metrics on METRICS_ADDRESS,
// counting its requests; "off" serves none.
func TestFunctionProcessServesMetrics(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres|stack.Redis|stack.Kafka) // the schema, migrated
	addr := freeAddr(t)
	env := environ(s, addr)
	f := createpost.New()
	if err := f.Start(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	url := "http://" + addr + "/metrics"
	testenv.Eventually(t, "the function's metrics listener", func() bool {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
		}
		return err == nil
	})
	for range 3 {
		w := httptest.NewRecorder()
		f.Handle(w, httptest.NewRequest("POST", "/api/posts", strings.NewReader(`{"content":"x"}`)))
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("POST /api/posts without a token: %d", w.Code)
		}
	}
	w := httptest.NewRecorder()
	f.Handle(w, httptest.NewRequest("GET", "/api/elsewhere", nil))
	got := metricstest.Get(t, url)
	if v, _ := got.Value("dailyfeed_http_requests_total", map[string]string{"function": "create-post", "route": "/api/posts", "method": "POST", "status": "401", "code": "TOKEN_MISSING"}); v != 3 {
		t.Errorf("%v 401 TOKEN_MISSING counted, want 3", v)
	}
	if v, _ := got.Value("dailyfeed_http_requests_total", map[string]string{"function": "create-post", "route": metrics.Unrouted, "status": "404"}); v != 1 {
		t.Errorf("%v unrouted requests counted, want 1", v)
	}
	if !got.Has("dailyfeed_outbox_pending_rows") {
		t.Error("a function that writes the outbox does not measure it")
	}
	// Stop ends the listener.
	_ = f.Stop(context.Background())
	testenv.Eventually(t, "the metrics listener to close at Stop", func() bool {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
		}
		return err != nil
	})

	off := createpost.New()
	env["METRICS_ADDRESS"] = metrics.Off
	if err := off.Start(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = off.Stop(context.Background()) })
	time.Sleep(200 * time.Millisecond)
	if res, err := http.Get(url); err == nil {
		res.Body.Close()
		t.Errorf("METRICS_ADDRESS=off: metrics served")
	}
}

// environ is the environment func-go gives a function of s's test
// resources, with metrics on addr.
func environ(s *stack.Stack, addr string) map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	env["DATABASE_SCHEMA"] = s.Config.DatabaseSchema
	env["REDIS_PREFIX"] = s.Config.RedisPrefix
	env["TOPIC_BASE"] = s.Config.TopicBase
	env["S3_BUCKET"] = s.Config.S3Bucket
	env["METRICS_ADDRESS"] = addr
	return env
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// TestEventFunctionProcessCountsDeliveries: a CloudEvent function started
// as its own process counts each delivery in its request metrics, route
// "/", with its status and code: a body that is no CloudEvent (400
// MALFORMED_EVENT) and an event about a post that does not exist (422
// UNKNOWN_ENTITY).
func TestEventFunctionProcessCountsDeliveries(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres|stack.Redis|stack.Kafka)
	addr := freeAddr(t)
	f := updatestats.New()
	if err := f.Start(context.Background(), environ(s, addr)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Stop(context.Background()) })
	srv := httptest.NewServer(http.HandlerFunc(f.Handle))
	t.Cleanup(srv.Close)
	res, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"not":"an event"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("not a CloudEvent: %d, want 400", res.StatusCode)
	}
	e, err := events.New("like-post", events.Payload{MemberID: 1, TargetMemberID: 1, PostID: 987654321,
		MemberActivityType: events.LikePost, CreatedAt: time.Now()}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if status, body, err := kafka.PostEvent(context.Background(), nil, srv.URL, e); err != nil || status != http.StatusUnprocessableEntity {
		t.Fatalf("an event about nothing: %d %s %v, want 422", status, body, err)
	}
	got := metricstest.Get(t, "http://"+addr+"/metrics")
	for status, code := range map[string]string{"400": "MALFORMED_EVENT", "422": "UNKNOWN_ENTITY"} {
		labels := map[string]string{"function": "update-stats", "route": "/", "method": "POST", "status": status, "code": code}
		if v, _ := got.Value("dailyfeed_http_requests_total", labels); v != 1 {
			t.Errorf("dailyfeed_http_requests_total%v = %v, want 1", labels, v)
		}
	}
	if !got.Has("dailyfeed_http_request_duration_seconds") {
		t.Error("no duration histogram")
	}
}

// TestAllInOneRunsItsSinksBesideItsRoutes: as under `make run`, the
// all-in-one's sinks run on its own registry beside its routes (both are
// counted there) and a create-post's event is delivered to them: the
// record-activity delivery is counted under its function.
func TestAllInOneRunsItsSinksBesideItsRoutes(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.All)
	srv := dailyfeed.NewShared(s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- dailyfeed.RunSinks(ctx, s, freeAddr(t), srv.Registry()) }()
	t.Cleanup(func() { cancel(); <-done })
	scrapes := httptest.NewServer(metrics.Handler(srv.Registry()))
	t.Cleanup(scrapes.Close)

	env := contenttest.Over(t, s, dailyfeed.Functions())
	env.C.Handler = http.HandlerFunc(srv.Handle)
	author := env.C.SignUp()
	if res := env.C.Do("POST", "/api/posts", map[string]any{"content": "through the local sinks"}, membertest.Bearer(author.Token)); res.Status != http.StatusCreated {
		t.Fatalf("create-post: %d %s", res.Status, res.Body)
	}
	delivered := map[string]string{"function": "record-activity", "route": "/", "method": "POST", "status": "200"}
	testenv.Eventually(t, "the post's delivery to record-activity, counted", func() bool {
		v, _ := metricstest.Get(t, scrapes.URL+"/metrics").Value("dailyfeed_http_requests_total", delivered)
		return v >= 1
	})
	if v, _ := metricstest.Get(t, scrapes.URL+"/metrics").Value("dailyfeed_http_requests_total",
		map[string]string{"function": "create-post", "route": "/api/posts", "status": "201"}); v != 1 {
		t.Errorf("%v create-posts counted beside the sinks, want 1", v)
	}
}
