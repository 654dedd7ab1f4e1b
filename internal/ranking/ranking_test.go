package ranking_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed"
	updatestats "github.com/dailyfeed/dailyfeed/functions/update-stats"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/ranking"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

type env struct {
	*contenttest.Env
	clock *membertest.Clock
	last  int64
	all   []event.Event // every event delivered so far
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	clock := membertest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s.Now = clock.Now
	return &env{Env: contenttest.Over(t, s, dailyfeed.Functions()), clock: clock}
}

// deliver hands the events committed since the last call to update-stats.
func (e *env) deliver() {
	e.T.Helper()
	rows, err := e.S.DB.Query(context.Background(), `SELECT id, event::text FROM outbox WHERE id > $1 ORDER BY id`, e.last)
	if err != nil {
		e.T.Fatalf("select outbox: %v", err)
	}
	var evs []event.Event
	for rows.Next() {
		var doc string
		var ev event.Event
		if err := rows.Scan(&e.last, &doc); err != nil {
			e.T.Fatal(err)
		}
		if err := json.Unmarshal([]byte(doc), &ev); err != nil {
			e.T.Fatal(err)
		}
		evs = append(evs, ev)
	}
	if err := rows.Err(); err != nil {
		e.T.Fatal(err)
	}
	for _, ev := range evs {
		if err := updatestats.Apply(context.Background(), fn.NewDeps(e.S, "update-stats"), ev); err != nil {
			e.T.Fatalf("update-stats %s: %v", ev.Type(), err)
		}
	}
	e.all = append(e.all, evs...)
}

// redeliver hands every event delivered so far to update-stats again.
func (e *env) redeliver() {
	e.T.Helper()
	for _, ev := range e.all {
		if err := updatestats.Apply(context.Background(), fn.NewDeps(e.S, "update-stats"), ev); err != nil {
			e.T.Fatalf("update-stats %s: %v", ev.Type(), err)
		}
	}
}

func (e *env) page(k ranking.Ranking) []int64 {
	e.T.Helper()
	s, err := fn.NewDeps(e.S, "popular-posts").Rankings().Page(context.Background(), k, 0, paging.Page{Size: 10})
	if err != nil {
		e.T.Fatal(err)
	}
	ids := []int64{}
	for _, p := range s.Content {
		ids = append(ids, p.ID)
	}
	return ids
}

func (e *env) read(m contenttest.Member, post int64) {
	e.T.Helper()
	if _, err := fn.NewDeps(e.S, "get-post").Reads().GetPost(context.Background(), m.ID, post); err != nil {
		e.T.Fatal(err)
	}
}

func (e *env) stats(post int64) timeline.Statistics {
	e.T.Helper()
	st, err := fn.NewDeps(e.S, "get-post").Reads().PostStatistics(context.Background(), 0, post)
	if err != nil {
		e.T.Fatal(err)
	}
	return st
}

func wantOrder(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
}

func TestRankingsMoveWithEngagement(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author, r1, r2 := e.Member(), e.Member(), e.Member()
	p1 := e.Post(author, "first").ID
	e.clock.Advance(time.Second)
	p2 := e.Post(author, "second").ID
	e.deliver()
	wantOrder(t, "popular, no engagement", e.page(ranking.Popular), p2, p1)

	e.LikePost(r1, p1)
	e.deliver()
	wantOrder(t, "popular after a like", e.page(ranking.Popular), p1, p2)

	e.Comment(r1, p2, "one")
	e.Comment(r2, p2, "two")
	e.deliver()
	wantOrder(t, "popular after comments", e.page(ranking.Popular), p2, p1)
	wantOrder(t, "most-commented", e.page(ranking.MostCommented), p2, p1)

	// Views: counted once per read event, not for the author, not twice on
	// re-delivery; they move the score.
	before := e.S.Redis.ZScore(context.Background(), e.S.Config.RedisPrefix+"ranking:popular", fmt.Sprint(p1)).Val()
	e.read(r1, p1)
	e.read(r2, p1)
	e.read(author, p1)
	e.deliver()
	e.redeliver()
	if st := e.stats(p1); st.ViewCount != 2 || st.LikeCount != 1 || st.CommentCount != 0 {
		t.Fatalf("statistics of p1: %+v, want 2 views, 1 like", st)
	}
	if st := e.stats(p2); st.CommentCount != 2 || st.LikeCount != 0 {
		t.Fatalf("statistics of p2: %+v", st)
	}
	after := e.S.Redis.ZScore(context.Background(), e.S.Config.RedisPrefix+"ranking:popular", fmt.Sprint(p1)).Val()
	if after <= before {
		t.Fatalf("views did not raise the score: %v → %v", before, after)
	}
	// Re-delivering the processed events also leaves the redis dedup keys
	// out of it: the processed_events rows alone keep the count exact.
	keys := e.S.Redis.Keys(context.Background(), e.S.Config.RedisPrefix+"update-stats:event:*").Val()
	e.S.Redis.Del(context.Background(), keys...)
	e.redeliver()
	if st := e.stats(p1); st.ViewCount != 2 {
		t.Fatalf("views after re-delivery without the redis pre-check: %d, want 2", st.ViewCount)
	}

	// A deleted post leaves both rankings.
	e.DeletePost(author, p2)
	e.deliver()
	wantOrder(t, "popular after delete", e.page(ranking.Popular), p1)
	wantOrder(t, "most-commented after delete", e.page(ranking.MostCommented), p1)
}

func TestFreshPostOutranksOldWithEqualEngagement(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author, r := e.Member(), e.Member()
	old := e.Post(author, "old").ID
	e.LikePost(r, old)
	e.Comment(r, old, "c")
	e.clock.Advance(72 * time.Hour)
	author, r = e.Member(), e.Member() // tokens of the new day
	fresh := e.Post(author, "fresh").ID
	e.LikePost(r, fresh)
	e.Comment(r, fresh, "c")
	e.deliver()
	wantOrder(t, "popular", e.page(ranking.Popular), fresh, old)

	// The old post needs far more engagement to come back on top.
	for range 3 {
		m := e.Member()
		e.LikePost(m, old)
		e.Comment(m, old, "more")
	}
	e.deliver()
	wantOrder(t, "popular, old post with 4x engagement", e.page(ranking.Popular), fresh, old)
	if got, want := ranking.Score(1, 1, 0, time.Unix(0, 0).Add(45000*time.Second)), ranking.Score(1, 1, 0, time.Unix(0, 0)); got-want < 0.999 || got-want > 1.001 {
		t.Fatalf("decay: 12.5 hours newer must be worth one order of magnitude, got %v", got-want)
	}
}

func TestRankingsFallBackToPostgres(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author, r := e.Member(), e.Member()
	p1 := e.Post(author, "a").ID
	e.clock.Advance(time.Minute)
	p2 := e.Post(author, "b").ID
	e.clock.Advance(time.Minute)
	p3 := e.Post(author, "c").ID
	e.LikePost(r, p1)
	e.Comment(r, p1, "x")
	e.Comment(r, p2, "y")
	e.deliver()
	popular := e.page(ranking.Popular)
	commented := e.page(ranking.MostCommented)
	wantOrder(t, "popular", popular, p1, p2, p3)

	// Redis emptied: rebuilt from PostgreSQL, same order.
	keys := e.S.Redis.Keys(context.Background(), e.S.Config.RedisPrefix+"*").Val()
	e.S.Redis.Del(context.Background(), keys...)
	wantOrder(t, "popular rebuilt", e.page(ranking.Popular), popular...)
	wantOrder(t, "most-commented rebuilt", e.page(ranking.MostCommented), commented...)

	// Redis gone: PostgreSQL alone, same order.
	r0 := fn.NewDeps(e.S, "popular-posts").Rankings()
	r0.Redis = nil
	s, err := r0.Page(context.Background(), ranking.Popular, 0, paging.Page{Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range s.Content {
		ids = append(ids, p.ID)
	}
	wantOrder(t, "popular from postgres", ids, popular...)
}

// TestSlowWritersDoNotWinWithOlderCounts: an update-stats that read a
// post's counts, or a rebuild that read the top posts, and write after
// newer counts were written leave the newer scores; a post deleted
// meanwhile stays out.
func TestSlowWritersDoNotWinWithOlderCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	author, r1, r2, r3 := e.Member(), e.Member(), e.Member(), e.Member()
	p1 := e.Post(author, "raced").ID
	p2 := e.Post(author, "deleted while a writer is slow").ID
	e.LikePost(r1, p1)
	e.deliver()
	r := fn.NewDeps(e.S, "popular-posts").Rankings()
	popular := func(post int64) float64 {
		t.Helper()
		s, err := e.S.Redis.ZScore(ctx, e.S.Config.RedisPrefix+"ranking:popular", fmt.Sprint(post)).Result()
		if err != nil {
			t.Fatalf("score of %d: %v", post, err)
		}
		return s
	}
	commented := func(post int64) float64 {
		t.Helper()
		return e.S.Redis.ZScore(ctx, e.S.Config.RedisPrefix+"ranking:most-commented", fmt.Sprint(post)).Val()
	}

	slow, err := r.ReadNow(ctx, p1)
	if err != nil {
		t.Fatal(err)
	}
	slowRebuild, err := r.SnapshotNow(ctx, ranking.Popular)
	if err != nil {
		t.Fatal(err)
	}
	e.LikePost(r2, p1)
	e.Comment(r3, p1, "newer counts")
	e.deliver()
	newer := popular(p1)
	if err := slow(); err != nil {
		t.Fatal(err)
	}
	if err := slowRebuild(); err != nil {
		t.Fatal(err)
	}
	if got := popular(p1); got != newer {
		t.Errorf("popular score after slow writers %v, want the newer %v", got, newer)
	}
	if got := commented(p1); got != 1 {
		t.Errorf("most-commented score %v, want 1", got)
	}

	// A deleted post: a writer that read it live and a rebuild that read
	// it among the top posts do not bring it back.
	slow, err = r.ReadNow(ctx, p2)
	if err != nil {
		t.Fatal(err)
	}
	slowRebuild, err = r.SnapshotNow(ctx, ranking.Popular)
	if err != nil {
		t.Fatal(err)
	}
	e.DeletePost(author, p2)
	e.deliver()
	if err := slow(); err != nil {
		t.Fatal(err)
	}
	if err := slowRebuild(); err != nil {
		t.Fatal(err)
	}
	wantOrder(t, "popular after a delete and slow writers", e.page(ranking.Popular), p1)

	// Equal counts rewrite: a rebuild after a flush writes everything.
	e.S.Redis.Del(ctx, e.S.Config.RedisPrefix+"ranking:popular", e.S.Config.RedisPrefix+"ranking:popular:ready")
	wantOrder(t, "popular rebuilt", e.page(ranking.Popular), p1)
	if got := popular(p1); got != newer {
		t.Errorf("popular score after a rebuild %v, want %v", got, newer)
	}
}
