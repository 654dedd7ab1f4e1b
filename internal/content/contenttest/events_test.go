package contenttest_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/events"
	createpost "github.com/dailyfeed/dailyfeed/functions/create-post"
	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/outbox"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

// TestCreatePostPublishesCloudEvent: the create-post function, as deployed
// (New, then a stack shared as Start would open it), puts exactly one
// binary-mode CloudEvent on today's dated topic, with the original's dedup
// key in ce_dedupkey, keyed by the post.
func TestCreatePostPublishesCloudEvent(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, contenttest.Needs)
	e := contenttest.Over(t, s, dailyfeed.Functions())
	c := e.Client(createpost.New())
	m := e.Member()

	res := c.Do("POST", "/api/posts", map[string]any{"content": "hello, kafka"}, membertest.Bearer(m.Token))
	contenttest.Want(t, res, http.StatusCreated, "")
	var p content.Post
	res.Decode(t, &p)

	topic := s.Publisher.Topics().Today()
	if want := s.Config.TopicBase + "-" + time.Now().In(s.Config.TopicTimeZone).Format("20060102"); topic != want {
		t.Errorf("topic %s, want %s", topic, want)
	}
	// The write returns once committed; the dispatcher publishes after it.
	var recs []*sarama.ConsumerMessage
	testenv.Eventually(t, "the event published and marked sent", func() bool {
		recs = kafkatest.Records(t, s.Config.KafkaBrokers, topic)
		return len(recs) > 0 && e.Int(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`) == 0
	})
	if len(recs) != 1 {
		t.Fatalf("%d records on %s, want 1", len(recs), topic)
	}
	r := recs[0]
	dedupKey := fmt.Sprintf("member_activity:kafka_event:POST_CREATE###%d###%d", p.ID, m.ID)
	for h, want := range map[string]string{
		"ce_specversion": "1.0",
		"ce_type":        "dailyfeed.post.created.v1",
		"ce_source":      "/dailyfeed/create-post",
		"ce_subject":     id(p.ID),
		"ce_dedupkey":    dedupKey,
		"content-type":   "application/json",
	} {
		if got := kafkatest.Header(r, h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	if string(r.Key) != id(p.ID) {
		t.Errorf("record key %q, want the post id", r.Key)
	}
	ev := kafkatest.Event(t, r)
	payload, err := events.Parse(ev)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if payload.MemberID != m.ID || payload.PostID != p.ID || payload.TargetMemberID != m.ID || payload.MemberActivityType != events.PostCreate {
		t.Errorf("payload %+v", payload)
	}
	if n := e.Int(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`); n != 0 {
		t.Errorf("%d outbox rows still pending after a live publish", n)
	}
	if got := e.Int(`SELECT count(*) FROM outbox WHERE event_id = $1`, ev.ID()); got != 1 {
		t.Errorf("published event %s is not the outbox row", ev.ID())
	}
}

// TestWritesSucceedWithKafkaDown: with the broker unreachable every write
// still answers, fast, and its event waits in the outbox; the relay then
// publishes each exactly once, in order per entity.
func TestWritesSucceedWithKafkaDown(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, contenttest.Needs)
	live := s.Outbox
	dead := kafka.NewPublisher(kafka.Options{
		Brokers: []string{"127.0.0.1:1"}, Acks: "1", Topics: s.Publisher.Topics(),
		FailuresToTrip: 1, OpenFor: time.Hour,
	})
	t.Cleanup(func() { _ = dead.Close() })
	s.Outbox = outbox.New(s.DB, dead, outbox.Options{})
	e := contenttest.Over(t, s, dailyfeed.Functions())
	a, b := e.Member(), e.Member()

	type call struct {
		as           contenttest.Member
		method, path string
		body         any
		status       int
	}
	do := func(c call) membertest.Response {
		t.Helper()
		start := time.Now()
		res := e.Do(c.as, c.method, c.path, c.body)
		contenttest.Want(t, res, c.status, "")
		// The dispatch is bounded (outbox.Options.DispatchTimeout, 3s); with
		// the breaker open it is skipped. Generous bound, not a benchmark.
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s %s took %s with Kafka down", c.method, c.path, d)
		}
		return res
	}
	var p content.Post
	do(call{a, "POST", "/api/posts", map[string]any{"content": "offline"}, 201}).Decode(t, &p)
	pp := "/api/posts/" + id(p.ID)
	do(call{a, "PUT", pp, map[string]any{"content": "offline, edited"}, 200})
	do(call{b, "POST", pp + "/like", nil, 200})
	do(call{b, "DELETE", pp + "/like", nil, 200})
	var cm content.Comment
	do(call{b, "POST", "/api/comments", map[string]any{"postId": p.ID, "content": "c"}, 201}).Decode(t, &cm)
	cp := "/api/comments/" + id(cm.ID)
	do(call{a, "POST", "/api/comments/replies", map[string]any{"postId": p.ID, "parentId": cm.ID, "content": "r"}, 201})
	do(call{b, "PUT", cp, map[string]any{"content": "c, edited"}, 200})
	do(call{a, "POST", cp + "/like", nil, 200})
	do(call{a, "DELETE", cp + "/like", nil, 200})
	do(call{b, "DELETE", cp, nil, 200})
	do(call{a, "POST", "/api/members/follow/" + id(b.ID), nil, 201})
	do(call{a, "DELETE", "/api/members/follow/" + id(b.ID), nil, 200})
	do(call{a, "DELETE", pp, nil, 200})
	const writes = 13

	pending := e.Outbox(0)
	if len(pending) != writes || e.Int(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`) != writes {
		t.Fatalf("%d outbox rows, want %d pending", len(pending), writes)
	}
	topic := s.Publisher.Topics().Today()
	if recs := kafkatest.Records(t, s.Config.KafkaBrokers, topic); len(recs) != 0 {
		t.Fatalf("%d records published while Kafka was down", len(recs))
	}

	// Kafka is back: the relay publishes everything once (once the cut-off
	// process's dispatcher has stopped holding rows).
	s.Outbox.Close(context.Background())
	res, err := live.Relay(context.Background())
	if err != nil || res.Sent != writes {
		t.Fatalf("relay: %+v, %v; want %d sent", res, err, writes)
	}
	if res, err := live.Relay(context.Background()); err != nil || res.Sent != 0 {
		t.Errorf("second relay: %+v, %v; want nothing to send", res, err)
	}
	recs := kafkatest.Records(t, s.Config.KafkaBrokers, topic)
	if len(recs) != writes {
		t.Fatalf("%d records, want %d", len(recs), writes)
	}
	// Per key, the records are in outbox order (the write order).
	wantOrder := map[string][]string{}
	for _, ev := range pending {
		wantOrder[ev.Key] = append(wantOrder[ev.Key], ev.Type)
	}
	gotOrder := map[string][]string{}
	for _, r := range recs {
		gotOrder[string(r.Key)] = append(gotOrder[string(r.Key)], kafkatest.Header(r, "ce_type"))
	}
	for k, want := range wantOrder {
		if !slices.Equal(gotOrder[k], want) {
			t.Errorf("key %s: published %v, want %v", k, gotOrder[k], want)
		}
	}
}

// TestCrashBeforePublishLosesNothing: a write whose dispatch never runs
// (the process died after commit) is published by the relay.
func TestCrashBeforePublishLosesNothing(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, contenttest.Needs)
	e := contenttest.Over(t, s, dailyfeed.Functions())
	m := e.Member()
	svc := fn.NewDeps(s, "create-post").Content()
	svc.Writer.Outbox = nil // commit, then "crash": no dispatch
	text := "survives"
	p, err := svc.CreatePost(context.Background(), m.ID, content.NewPost{Content: &text})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.Int(`SELECT count(*) FROM outbox WHERE sent_at IS NULL`); n != 1 {
		t.Fatalf("%d pending rows, want 1", n)
	}
	if res, err := s.Outbox.Relay(context.Background()); err != nil || res.Sent != 1 {
		t.Fatalf("relay: %+v, %v", res, err)
	}
	recs := kafkatest.Records(t, s.Config.KafkaBrokers, s.Publisher.Topics().Today())
	if len(recs) != 1 || string(recs[0].Key) != id(p.ID) ||
		kafkatest.Header(recs[0], "ce_dedupkey") != fmt.Sprintf("member_activity:kafka_event:POST_CREATE###%d###%d", p.ID, m.ID) {
		t.Errorf("relayed %d records", len(recs))
	}
}
