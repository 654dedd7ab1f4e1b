package fanoutfeed_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed"
	fanoutfeed "github.com/dailyfeed/dailyfeed/functions/fanout-feed"
	updatestats "github.com/dailyfeed/dailyfeed/functions/update-stats"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/ranking"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// serve runs f's Handle behind a CloudEvents HTTP receiver, as func-go does.
func serve(t *testing.T, s *stack.Stack, f interface{ Share(*stack.Stack) }, h func(context.Context, event.Event) error) string {
	t.Helper()
	f.Share(s)
	srv := httptest.NewServer(sink.Receiver(sink.Sink(h)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// source runs an emulated KafkaSource of the test's topics to sink.
func source(t *testing.T, s *stack.Stack, name, sink string) {
	t.Helper()
	src := kafka.NewSource(kafka.SourceOptions{
		Name: name + "-" + s.Config.TopicBase, Brokers: s.Config.KafkaBrokers,
		Topics:   kafka.NewTopics(s.Config.TopicBase, s.Config.TopicTimeZone, s.Now),
		Topic:    kafka.TopicSpec{Partitions: 1, Retention: time.Hour},
		Sink:     sink,
		Delivery: kafka.Delivery{Retry: 5, BackoffPolicy: kafka.Exponential, BackoffDelay: 20 * time.Millisecond, Timeout: 5 * time.Second},
		Refresh:  100 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := src.Run(ctx); err != nil && ctx.Err() == nil {
			t.Errorf("source %s: %v", name, err)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// TestThroughTheBroker runs the writes, the outbox's publish to the dated
// topic, the KafkaSource emulator and both sinks over HTTP: a post reaches
// a follower's Redis timeline, a delete leaves it, a read is counted as a
// view and the post enters the rankings.
func TestThroughTheBroker(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, contenttest.Needs)
	e := contenttest.Over(t, s, dailyfeed.Functions())
	fo, us := fanoutfeed.New(), updatestats.New()
	source(t, s, "fanout-feed", serve(t, s, fo, fo.Receive))
	source(t, s, "update-stats", serve(t, s, us, us.Receive))

	a, b := e.Member(), e.Member()
	e.Follow(a, b)
	feeds := fn.NewDeps(s, "fanout-feed").Feeds()
	if _, err := feeds.Following(context.Background(), a.ID, timeline.Request{Page: paging.Page{Size: 10}}); err != nil {
		t.Fatal(err) // builds a's timeline, so pushes land in it
	}
	post := e.Post(b, "through the broker").ID
	member := strconv.FormatInt(post, 10)
	testenv.Eventually(t, "the post in the follower's timeline", func() bool {
		return s.Redis.ZScore(context.Background(), feeds.Key(a.ID), member).Err() == nil
	})

	if _, err := fn.NewDeps(s, "get-post").Reads().GetPost(context.Background(), a.ID, post); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the view counted", func() bool {
		st, err := fn.NewDeps(s, "get-post").Reads().PostStatistics(context.Background(), 0, post)
		return err == nil && st.ViewCount == 1
	})
	popular, err := fn.NewDeps(s, "popular-posts").Rankings().Page(context.Background(), ranking.Popular, a.ID, paging.Page{Size: 10})
	if err != nil || len(popular.Content) != 1 || popular.Content[0].ID != post {
		t.Fatalf("popular: %+v %v", popular, err)
	}

	e.DeletePost(b, post)
	testenv.Eventually(t, "the post gone from the timeline", func() bool {
		return s.Redis.ZScore(context.Background(), feeds.Key(a.ID), member).Err() != nil
	})
}
