package timeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/events"
	followfeed "github.com/dailyfeed/dailyfeed/functions/follow-feed"
	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// defaultOptions are the feed options of the default configuration.
var defaultOptions = func() timeline.Options {
	cfg, err := config.Load(nil)
	if err != nil {
		panic(err)
	}
	return timeline.OptionsFrom(cfg)
}()

// env is a test's stack, the write functions and a feed whose options the
// test chooses (the heavy threshold lowered, say).
type env struct {
	*contenttest.Env
	feeds *timeline.Feeds
	last  int64 // the last outbox row delivered to the sink
}

func newEnv(t *testing.T, o timeline.Options) *env {
	t.Helper()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	e := &env{Env: contenttest.Over(t, s, dailyfeed.Functions())}
	e.feeds = &timeline.Feeds{DB: s.DB, Redis: s.Redis, Prefix: s.Config.RedisPrefix, Options: o}
	return e
}

// deliver hands the events the writes committed since the last call to the
// fanout-feed sink (its domain call), as the KafkaSource would.
func (e *env) deliver() {
	e.T.Helper()
	for _, ev := range e.pending() {
		p, err := events.Parse(ev)
		if err != nil {
			e.T.Fatalf("parse %s: %v", ev.Type(), err)
		}
		if err := e.feeds.Apply(context.Background(), p); err != nil {
			e.T.Fatalf("fanout %s: %v", ev.Type(), err)
		}
	}
}

// pending returns the outbox's events after e.last and moves e.last.
func (e *env) pending() []event.Event {
	e.T.Helper()
	rows, err := e.S.DB.Query(context.Background(), `SELECT id, event::text FROM outbox WHERE id > $1 ORDER BY id`, e.last)
	if err != nil {
		e.T.Fatalf("select outbox: %v", err)
	}
	var out []event.Event
	for rows.Next() {
		var doc string
		var ev event.Event
		if err := rows.Scan(&e.last, &doc); err != nil {
			e.T.Fatalf("scan outbox: %v", err)
		}
		if err := json.Unmarshal([]byte(doc), &ev); err != nil {
			e.T.Fatalf("decode event: %v", err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		e.T.Fatalf("select outbox: %v", err)
	}
	return out
}

// feed reads every page of m's follow feed by cursor and returns the ids.
func (e *env) feed(m contenttest.Member) []int64 {
	e.T.Helper()
	var ids []int64
	q := timeline.Request{Page: paging.Page{Size: 3}}
	for range 100 {
		s, err := e.feeds.Following(context.Background(), m.ID, q)
		if err != nil {
			e.T.Fatalf("feed: %v", err)
		}
		for _, p := range s.Content {
			ids = append(ids, p.ID)
		}
		if !s.HasNext {
			return ids
		}
		k, err := timeline.DecodeCursor(s.NextCursor)
		if err != nil {
			e.T.Fatalf("cursor: %v", err)
		}
		q.Cursor = &k
	}
	e.T.Fatal("feed does not end")
	return nil
}

func (e *env) flush() {
	e.T.Helper()
	ctx := context.Background()
	keys, err := e.S.Redis.Keys(ctx, e.S.Config.RedisPrefix+"*").Result()
	if err != nil {
		e.T.Fatalf("keys: %v", err)
	}
	if len(keys) > 0 {
		e.S.Redis.Del(ctx, keys...)
	}
}

func want(t *testing.T, got []int64, want ...int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("feed %v, want %v", got, want)
	}
}

func TestFollowFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultOptions)
	a, b, c := e.Member(), e.Member(), e.Member()
	e.Follow(a, b)
	e.Follow(a, c)
	e.deliver()
	want(t, e.feed(a)) // the timeline now exists (rebuilt empty), so pushes land in it

	b1 := e.Post(b, "b1").ID
	c1 := e.Post(c, "c1").ID
	b2 := e.Post(b, "b2").ID
	e.deliver()
	e.deliver()                                                                      // a re-delivery changes nothing
	if n := e.S.Redis.ZCard(context.Background(), e.feeds.Key(a.ID)).Val(); n != 4 { // 3 posts and the sentinel
		t.Fatalf("timeline holds %d entries, want the 3 pushed posts and the sentinel", n)
	}
	want(t, e.feed(a), b2, c1, b1)

	// The same through the follow-feed function, with authors and liked.
	res := e.Client(followfeed.New()).Do("GET", "/api/timeline/posts/followings?size=2", nil, contenttest.As(a))
	contenttest.Want(t, res, http.StatusOK, "")
	var page paging.Slice[timeline.Post]
	res.Decode(t, &page)
	if len(page.Content) != 2 || page.Content[0].ID != b2 || page.Content[0].Author.ID != b.ID || !page.HasNext || page.NextCursor == "" {
		t.Fatalf("follow-feed page: %+v", page)
	}

	e.DeletePost(b, b1)
	e.deliver()
	want(t, e.feed(a), b2, c1)

	e.Unfollow(a, c)
	want(t, e.feed(a), b2) // gone at once: the read checks the follow
	e.deliver()
	if n, _ := e.S.Redis.ZScore(context.Background(), e.feeds.Key(a.ID), strconv.FormatInt(c1, 10)).Result(); n != 0 {
		t.Fatalf("unfollowed author's post still in the timeline")
	}

	// Follow again: the followee's posts are merged into the timeline.
	e.Follow(a, c)
	e.deliver()
	want(t, e.feed(a), b2, c1)

	// FLUSHALL of the test's namespace: the feed is rebuilt, identical.
	before := e.feed(a)
	e.flush()
	want(t, e.feed(a), before...)
	if e.S.Redis.Exists(context.Background(), e.feeds.Key(a.ID)).Val() != 1 {
		t.Fatal("timeline not rebuilt")
	}
}

func TestHeavyAuthorMergedAtRead(t *testing.T) {
	t.Parallel()
	o := defaultOptions
	o.HeavyThreshold = 2
	e := newEnv(t, o)
	a, b, heavy := e.Member(), e.Member(), e.Member()
	e.Follow(a, heavy)
	e.Follow(b, heavy) // heavy has 2 followers: not pushed
	e.Follow(a, b)
	e.deliver()
	want(t, e.feed(a))
	h1 := e.Post(heavy, "h1").ID
	b1 := e.Post(b, "b1").ID
	h2 := e.Post(heavy, "h2").ID
	e.deliver()
	if _, err := e.S.Redis.ZScore(context.Background(), e.feeds.Key(a.ID), strconv.FormatInt(h1, 10)).Result(); err == nil {
		t.Fatal("a heavy author's post was pushed")
	}
	want(t, e.feed(a), h2, b1, h1)
	want(t, e.feed(b), h2, h1)
	e.DeletePost(heavy, h2)
	want(t, e.feed(a), b1, h1)
}

func TestCursorStableWhileNewPostsArrive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultOptions)
	a, b, c := e.Member(), e.Member(), e.Member()
	e.Follow(a, b)
	e.Follow(a, c)
	var all []int64
	for i := range 10 {
		all = append(all, e.Post([]contenttest.Member{b, c}[i%2], fmt.Sprint("p", i)).ID)
	}
	e.deliver()
	seen := map[int64]int{}
	q := timeline.Request{Page: paging.Page{Size: 3}}
	for pages := 0; ; pages++ {
		s, err := e.feeds.Following(context.Background(), a.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Content {
			seen[p.ID]++
		}
		// New posts arrive between pages.
		e.Post(b, fmt.Sprint("new", pages))
		e.deliver()
		if !s.HasNext {
			break
		}
		k, err := timeline.DecodeCursor(s.NextCursor)
		if err != nil {
			t.Fatal(err)
		}
		q.Cursor = &k
	}
	for _, id := range all {
		if seen[id] != 1 {
			t.Fatalf("post %d seen %d times over the cursor pages (%v)", id, seen[id], seen)
		}
	}
	if len(seen) != len(all) {
		t.Fatalf("cursor pages returned posts newer than the first page: %v", seen)
	}
}

func TestFeedPastTheCappedTimeline(t *testing.T) {
	t.Parallel()
	o := defaultOptions
	o.Cap = 4
	e := newEnv(t, o)
	a, b := e.Member(), e.Member()
	e.Follow(a, b)
	var all []int64
	for i := range 9 {
		all = append([]int64{e.Post(b, fmt.Sprint("p", i)).ID}, all...)
	}
	e.deliver()
	want(t, e.feed(a), all...)
	// page/size paging too.
	s, err := e.feeds.Following(context.Background(), a.ID, timeline.Request{Page: paging.Page{Page: 2, Size: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Content) != 3 || s.Content[0].ID != all[6] || s.HasNext {
		t.Fatalf("page 2: %+v", s)
	}
}

// counting counts the statements run through it.
type counting struct {
	postgres.DB
	n atomic.Int64
}

func (c *counting) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c.n.Add(1)
	return c.DB.Exec(ctx, sql, args...)
}

func (c *counting) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c.n.Add(1)
	return c.DB.Query(ctx, sql, args...)
}

func (c *counting) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	c.n.Add(1)
	return c.DB.QueryRow(ctx, sql, args...)
}

func TestRoundTripsConstantInPageSize(t *testing.T) {
	t.Parallel()
	o := defaultOptions
	o.HeavyThreshold = 3 // one heavy followee merged at read time
	e := newEnv(t, o)
	a, x, y := e.Member(), e.Member(), e.Member()
	authors := []contenttest.Member{e.Member(), e.Member(), e.Member()}
	for _, m := range authors {
		e.Follow(a, m)
	}
	e.Follow(x, authors[0])
	e.Follow(y, authors[0]) // authors[0] is heavy
	e.deliver()
	want(t, e.feed(a))
	for i := range 60 {
		m := authors[i%3]
		p := e.Post(m, fmt.Sprint("p", i))
		if i%4 == 0 {
			e.LikePost(a, p.ID)
		}
	}
	e.deliver()
	db := &counting{DB: e.S.DB}
	f := *e.feeds
	f.DB = db
	var counts []int64
	for _, size := range []int{1, 5, 20, 50} {
		db.n.Store(0)
		s, err := f.Following(context.Background(), a.ID, timeline.Request{Page: paging.Page{Size: size}})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Content) != size {
			t.Fatalf("size %d: %d posts", size, len(s.Content))
		}
		liked := 0
		for _, p := range s.Content {
			if p.Liked {
				liked++
			}
			if p.Author.ID != p.AuthorID || p.Author.Handle == "" {
				t.Fatalf("post without its author: %+v", p)
			}
		}
		if size >= 20 && liked == 0 {
			t.Fatalf("size %d: liked never set", size)
		}
		counts = append(counts, db.n.Load())
	}
	for _, n := range counts {
		if n != counts[0] {
			t.Fatalf("queries per page by size 1, 5, 20, 50: %v; want constant", counts)
		}
	}
	t.Logf("postgres queries per feed page: %d", counts[0])
}

func TestCursorIsOpaqueAndChecked(t *testing.T) {
	k := timeline.Key{At: time.UnixMicro(1_700_000_000_123_456).UTC(), ID: 42}
	got, err := timeline.DecodeCursor(timeline.EncodeCursor(k))
	if err != nil || !got.At.Equal(k.At) || got.ID != k.ID {
		t.Fatalf("round trip: %v %v", got, err)
	}
	for _, bad := range []string{"x", "djEuMS4y!", timeline.EncodeCursor(k)[:5]} {
		if _, err := timeline.DecodeCursor(bad); err == nil {
			t.Fatalf("cursor %q accepted", bad)
		}
	}
}

// TestPushRacingAnUnfollow: posts and follows are keyed apart, so a post's
// push may read its author's followers before an unfollow commits and
// write after the unfollow was applied. The unfollow's tombstone keeps the
// post out, so the timeline holds exactly what a rebuild would; a new
// follow lifts it.
func TestPushRacingAnUnfollow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultOptions)
	ctx := context.Background()
	a, b := e.Member(), e.Member()
	e.Follow(a, b)
	e.deliver()
	_ = e.feed(a) // a's timeline exists from now on
	post := e.Post(b, "written just before the unfollow").ID
	e.Unfollow(a, b)
	evs := e.pending()
	if len(evs) != 2 {
		t.Fatalf("%d events, want the post and the unfollow", len(evs))
	}
	apply := func(ev event.Event) {
		t.Helper()
		p, err := events.Parse(ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.feeds.Apply(ctx, p); err != nil {
			t.Fatalf("fanout %s: %v", ev.Type(), err)
		}
	}
	// The unfollow is applied first; the push then runs with the
	// follower list it read before the unfollow committed.
	apply(evs[1])
	exec := func(sql string) {
		t.Helper()
		if _, err := e.S.DB.Exec(ctx, sql, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, now())`)
	apply(evs[0])
	exec(`DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2`)
	key := e.feeds.Key(a.ID)
	if n, err := e.S.Redis.ZScore(ctx, key, strconv.FormatInt(post, 10)).Result(); err == nil {
		t.Fatalf("post %d in the timeline (score %v) of a member who unfollowed its author", post, n)
	}
	// Following again brings the author's posts back, and later pushes.
	e.Follow(a, b)
	e.deliver()
	later := e.Post(b, "after the new follow").ID
	e.deliver()
	for _, id := range []int64{post, later} {
		if _, err := e.S.Redis.ZScore(ctx, key, strconv.FormatInt(id, 10)).Result(); err != nil {
			t.Errorf("post %d not in the timeline after the new follow: %v", id, err)
		}
	}
}

// TestUnfollowThenDeleteLeavesNothing: a member unfollows an author, the
// author deletes a post, and the events are applied in that order: the
// delete no longer reaches the former follower, so the unfollow's removal
// must take the deleted post too.
func TestUnfollowThenDeleteLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, defaultOptions)
	ctx := context.Background()
	a, b := e.Member(), e.Member()
	e.Follow(a, b)
	e.deliver()
	_ = e.feed(a)
	post := e.Post(b, "soon deleted").ID
	e.deliver()
	key := e.feeds.Key(a.ID)
	if _, err := e.S.Redis.ZScore(ctx, key, strconv.FormatInt(post, 10)).Result(); err != nil {
		t.Fatalf("post not pushed: %v", err)
	}
	e.Unfollow(a, b)
	e.DeletePost(b, post)
	e.deliver() // the unfollow, then the delete
	if _, err := e.S.Redis.ZScore(ctx, key, strconv.FormatInt(post, 10)).Result(); err == nil {
		t.Fatal("the deleted post of an unfollowed author stays in the timeline")
	}
}

// TestFeedPastATrimmedTimelineThatShrank: a timeline trimmed to its cap
// holds only the newest posts; removals (a delete, an unfollow) then leave
// it shorter than the cap, and the posts older than its last entry must
// still be read from PostgreSQL past its end (found by the chaos run: the
// 22 oldest of a rebuild's 800 were invisible to the reader).
func TestFeedPastATrimmedTimelineThatShrank(t *testing.T) {
	t.Parallel()
	o := defaultOptions
	o.Cap = 4
	e := newEnv(t, o)
	a, b, c := e.Member(), e.Member(), e.Member()
	e.Follow(a, b)
	e.Follow(a, c)
	var fromB []int64
	for i := range 3 {
		fromB = append([]int64{e.Post(b, fmt.Sprint("b", i)).ID}, fromB...)
	}
	e.deliver()
	_ = e.feed(a) // builds the timeline: 3 posts and the sentinel
	for i := range 3 {
		e.Post(c, fmt.Sprint("c", i))
	}
	fromB = append([]int64{e.Post(b, "b newest").ID}, fromB...)
	e.deliver() // the pushes trim it to b's newest and c's 3
	e.Unfollow(a, c)
	e.deliver() // the unfollow leaves b's newest alone in it
	want(t, e.feed(a), fromB...)
}
