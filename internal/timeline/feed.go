// Package timeline is dailyfeed's read side of posts: the follow feed with
// its hybrid fan-out, the post lists (my feed, an author's posts, recent
// activity), single posts with their view event, and the comment reads.
// Every post is answered with its true counts, its author's summary and
// whether the reader likes it, fetched in a constant number of round trips
// per page, whatever its size.
//
// # The follow feed: hybrid fan-out
//
// Each member has a Redis timeline, a sorted set {prefix}timeline:{memberId}
// of post ids scored by their creation time (Unix microseconds), capped at
// Options.Cap entries. The fanout-feed sink (Feeds.Apply) keeps it:
//
//   - POST_CREATE pushes the post into the timeline of each of the author's
//     followers, in pipelined batches of one small Lua script per follower
//     (ZADD + trim to the cap). The script only touches timelines that
//     exist: a member without one (never read, expired after Options.TTL
//     idle, Redis flushed) gets it rebuilt from PostgreSQL on the next read,
//     so a push never creates a partial timeline.
//   - Authors with at least Options.HeavyThreshold followers are not pushed
//     (one post would mean that many writes); readers merge their posts at
//     read time from PostgreSQL (posts_author_idx), for followees with at
//     least half the threshold, so an author near the threshold is covered
//     by one path or both (the union removes duplicates).
//   - POST_DELETE removes the post from the followers' timelines.
//   - MEMBER_FOLLOW merges the followee's latest posts into the follower's
//     timeline; MEMBER_UNFOLLOW removes them.
//
// Every operation is idempotent (ZADD and ZREM of the same member), so a
// re-delivered event changes nothing, and none depends on the order of
// delivery: a push first checks that the post is still live and a follow
// merge that the follow still exists. Above all, the timeline is only a list
// of candidates: the read query keeps only live posts of members the reader
// follows now, so a late or lost event can never show a deleted post or an
// unfollowed author's post; it can only cost a few extra candidates.
//
// # Reading
//
// A page is one Redis round trip (ZCARD, the build marker, the range by
// score, EXPIRE, pipelined) and two PostgreSQL queries: one picks the page's
// ids among the Redis candidates united with the heavy followees' posts
// (keyset (created_at, id), follows and deletes checked), one hydrates them
// (posts, authors, liked). When the timeline is missing it is rebuilt first
// (one query and one pipeline); when the reader pages past the capped
// timeline, or Redis is down, the page comes from PostgreSQL alone (every
// followee's posts, per-author index scans). Cursor pages are keyset pages:
// a cursor page is stable while new posts arrive.
package timeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Options tunes the follow feed and its fan-out.
type Options struct {
	// HeavyThreshold: authors with at least this many followers are merged
	// at read time instead of pushed (FEED_HEAVY_THRESHOLD, default 10000).
	HeavyThreshold int64
	// Cap is the length of a timeline (FEED_TIMELINE_CAP, default 800).
	Cap int
	// TTL: a timeline not read for this long expires (FEED_TIMELINE_TTL,
	// default 7 days); fan-out skips it until its member reads again.
	TTL time.Duration
}

// OptionsFrom returns the feed options of cfg.
func OptionsFrom(cfg config.Config) Options {
	return Options{HeavyThreshold: cfg.FeedHeavyThreshold, Cap: cfg.FeedTimelineCap, TTL: cfg.FeedTimelineTTL}
}

// mergeThreshold is the follower count from which readers merge an author
// at read time: half the push threshold (hysteresis, see the package doc).
func (o Options) mergeThreshold() int64 { return max(1, o.HeavyThreshold/2) }

// Feeds is the follow feed and its fan-out.
type Feeds struct {
	DB postgres.DB
	// Redis holds the timelines; nil serves every feed from PostgreSQL.
	Redis   *redis.Client
	Prefix  string
	Options Options
}

// Key returns the Redis key of member's timeline.
func (f *Feeds) Key(member int64) string {
	return f.Prefix + "timeline:" + strconv.FormatInt(member, 10)
}

// sentinel is the timeline member that marks a timeline as existing even
// when it holds no post; its score is building while a rebuild runs.
const (
	sentinel = "0"
	building = -1
	built    = 0
)

// slack is how many candidates beyond the page a read asks Redis for, so a
// few deleted or unfollowed candidates do not cost a second round.
const slack = 8

// candidates is what Redis offered for a page.
type candidates struct {
	ids []int64
	// full: Redis returned as many as asked, so there may be more; minAt is
	// then the oldest candidate's time, below which the page cannot trust
	// that it saw every candidate.
	full  bool
	minAt int64
	// pullAll: the page comes from every followee's posts in PostgreSQL
	// (no timeline, a rebuild in progress, or paging past the capped one).
	pullAll bool
}

// Following returns reader's follow feed: posts of the members reader
// follows, newest first.
func (f *Feeds) Following(ctx context.Context, reader int64, q Request) (paging.Slice[Post], error) {
	limit, off, after := q.Size+1, q.offset(), q.after(farFuture)
	n := off + limit + slack
	var keys []Key
	for attempt := 0; ; attempt++ {
		c := f.candidates(ctx, reader, after, n)
		if attempt == 2 {
			c.pullAll = true // give up on the timeline: PostgreSQL alone is always right
		}
		var err error
		if keys, err = f.pick(ctx, reader, c, after, off, limit); err != nil {
			return paging.Slice[Post]{}, err
		}
		if c.pullAll || !c.full || complete(keys, limit, c.minAt) {
			break
		}
		n *= 4 // deleted or unfollowed candidates crowded the window: widen it
	}
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	posts, err := Hydrate(ctx, f.DB, reader, ids)
	if err != nil {
		return paging.Slice[Post]{}, err
	}
	return sliceOf(q, posts, postKey), nil
}

// complete reports whether a page picked from a full window of candidates
// is certainly right: it is full and no row is older than the window.
func complete(keys []Key, limit int, minAt int64) bool {
	if len(keys) < limit {
		return false
	}
	for _, k := range keys {
		if k.At.UnixMicro() < minAt {
			return false
		}
	}
	return true
}

// candidates reads up to n timeline entries at or before after, rebuilding
// a missing timeline first. Redis failures fall back to PostgreSQL.
func (f *Feeds) candidates(ctx context.Context, reader int64, after Key, n int) candidates {
	if f.Redis == nil {
		return candidates{pullAll: true}
	}
	for try := 0; try < 2; try++ {
		c, exists, err := f.window(ctx, reader, after, n)
		if err == nil && !exists && try == 0 {
			err = f.rebuild(ctx, reader)
			if err == nil {
				continue
			}
		}
		if err != nil {
			slog.WarnContext(ctx, "timeline unavailable, reading from postgres", "member", reader, "err", err)
			return candidates{pullAll: true}
		}
		if !exists {
			return candidates{pullAll: true}
		}
		return c
	}
	return candidates{pullAll: true}
}

// window is the read pipeline: size, build marker, the range and EXPIRE.
func (f *Feeds) window(ctx context.Context, reader int64, after Key, n int) (candidates, bool, error) {
	key := f.Key(reader)
	max := "+inf"
	if after.ID != farFuture.ID {
		max = strconv.FormatInt(after.At.UnixMicro(), 10)
	}
	var (
		card  *redis.IntCmd
		mark  *redis.FloatCmd
		items *redis.ZSliceCmd
	)
	_, err := f.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		card = p.ZCard(ctx, key)
		mark = p.ZScore(ctx, key, sentinel)
		items = p.ZRevRangeByScoreWithScores(ctx, key, &redis.ZRangeBy{Max: max, Min: "-inf", Count: int64(n)})
		p.Expire(ctx, key, f.Options.TTL)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return candidates{}, false, fmt.Errorf("read timeline: %w", err)
	}
	if card.Val() == 0 {
		return candidates{}, false, nil
	}
	if mark.Err() == nil && mark.Val() == building {
		return candidates{pullAll: true}, true, nil
	}
	var c candidates
	zs := items.Val()
	c.full = len(zs) == n
	for _, z := range zs {
		s, _ := z.Member.(string)
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		c.ids = append(c.ids, id)
		c.minAt = int64(z.Score)
	}
	// Past the end of a timeline that was ever trimmed to its cap, older
	// posts exist that it no longer holds: trimming drops the sentinel
	// first (the lowest score), so a timeline without one is a prefix of
	// the feed, however short removals (deletes, unfollows) made it since.
	trimmed := errors.Is(mark.Err(), redis.Nil)
	c.pullAll = !c.full && (trimmed || card.Val() >= int64(f.Options.Cap))
	return c, true, nil
}

// pickSQL picks a page of the follow feed among cand, the rows of a CTE
// of candidate post ids: $1 reader, $2/$3 the keyset position, $4 limit,
// $5 offset. Posts whose author's privacy level hides them from the reader
// (a followed PRIVATE member) are not picked, so a page holds as many
// posts as Hydrate then returns.
//
// Both statements are written so that PostgreSQL's generic plan is good
// and cheaper than a custom one: after its fifth run on a connection the
// statement is no longer planned (a custom plan of the feed's pick took
// 0.7 ms to plan for 0.2 ms of execution, BENCHMARKS.md). So no parameter
// decides which branch runs (the pull-everything page is a statement of
// its own) and the merge threshold is a constant of the statement's text:
// with a parameter there, the generic plan cannot know that few members
// pass it.
func pickSQL(cand string) string {
	return `
	WITH cand AS (` + cand + `)
	SELECT p.id, p.created_at FROM cand JOIN posts p ON p.id = cand.id JOIN members a ON a.id = p.author_id
	WHERE p.deleted_at IS NULL AND (p.created_at, p.id) < ($2, $3)
	  AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = p.author_id)
	  AND ` + member.VisibleSQL("a", "$1") + `
	ORDER BY p.created_at DESC, p.id DESC
	OFFSET $5 LIMIT $4`
}

// latestOf is the LATERAL subquery of the latest posts of the followee
// f.followee_id before the keyset position, as many as a page needs.
const latestOf = `LATERAL (
			SELECT p.id FROM posts p
			WHERE p.author_id = f.followee_id AND p.deleted_at IS NULL AND (p.created_at, p.id) < ($2, $3)
			ORDER BY p.created_at DESC, p.id DESC
			LIMIT $4::int + $5::int) x`

// pullAllSQL picks a page from every followee's posts.
var pullAllSQL = pickSQL(`
		SELECT x.id FROM follows f, ` + latestOf + `
		WHERE f.follower_id = $1`)

// candidatesSQL picks a page among the Redis candidates ($6) united with
// the posts of the followees with at least threshold followers.
func candidatesSQL(threshold int64) string {
	return pickSQL(`
		SELECT r.id FROM unnest($6::bigint[]) AS r(id)
		UNION
		SELECT x.id FROM members m JOIN follows f ON f.follower_id = $1 AND f.followee_id = m.id, ` + latestOf + `
		WHERE m.followers_count >= ` + strconv.FormatInt(threshold, 10))
}

// candidatesSQLs holds candidatesSQL by threshold (a process has one).
var candidatesSQLs sync.Map

func (f *Feeds) candidatesSQL() string {
	t := f.Options.mergeThreshold()
	if q, ok := candidatesSQLs.Load(t); ok {
		return q.(string)
	}
	q, _ := candidatesSQLs.LoadOrStore(t, candidatesSQL(t))
	return q.(string)
}

func (f *Feeds) pick(ctx context.Context, reader int64, c candidates, after Key, off, limit int) ([]Key, error) {
	var rows pgx.Rows
	var err error
	if c.pullAll {
		rows, err = f.DB.Query(ctx, pullAllSQL, reader, after.At, after.ID, limit, off)
	} else {
		ids := c.ids
		if ids == nil {
			ids = []int64{}
		}
		rows, err = f.DB.Query(ctx, f.candidatesSQL(), reader, after.At, after.ID, limit, off, ids)
	}
	if err != nil {
		return nil, fmt.Errorf("select feed: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Key, error) {
		var k Key
		err := r.Scan(&k.ID, &k.At)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("select feed: %w", err)
	}
	return keys, nil
}

// rebuildSQL selects the latest $3 live posts of the followees of $1 that
// are pushed (fewer than $2 followers).
const rebuildSQL = `
	SELECT x.id, x.created_at
	FROM follows f JOIN members m ON m.id = f.followee_id,
	LATERAL (
		SELECT p.id, p.created_at FROM posts p
		WHERE p.author_id = f.followee_id AND p.deleted_at IS NULL
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $3) x
	WHERE f.follower_id = $1 AND m.followers_count < $2
	ORDER BY x.created_at DESC, x.id DESC
	LIMIT $3`

// rebuild fills member's missing timeline from PostgreSQL. The sentinel is
// added first with the building score, so pushes that happen while the
// query runs land in the timeline (pushes need it to exist) and readers in
// the meantime read PostgreSQL instead of a partial timeline.
func (f *Feeds) rebuild(ctx context.Context, member int64) error {
	key := f.Key(member)
	if err := f.Redis.ZAddNX(ctx, key, redis.Z{Score: building, Member: sentinel}).Err(); err != nil {
		return fmt.Errorf("mark timeline: %w", err)
	}
	rows, err := f.DB.Query(ctx, rebuildSQL, member, f.Options.HeavyThreshold, f.Options.Cap)
	if err != nil {
		f.Redis.Del(context.WithoutCancel(ctx), key)
		return fmt.Errorf("select timeline: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Key, error) {
		var k Key
		err := r.Scan(&k.ID, &k.At)
		return k, err
	})
	if err != nil {
		f.Redis.Del(context.WithoutCancel(ctx), key)
		return fmt.Errorf("select timeline: %w", err)
	}
	zs := make([]redis.Z, 0, len(keys)+1)
	for _, k := range keys {
		zs = append(zs, redis.Z{Score: float64(k.At.UnixMicro()), Member: strconv.FormatInt(k.ID, 10)})
	}
	zs = append(zs, redis.Z{Score: built, Member: sentinel})
	_, err = f.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, key, zs...)
		p.ZRemRangeByRank(ctx, key, 0, -int64(f.Options.Cap)-1)
		p.Expire(ctx, key, f.Options.TTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("write timeline: %w", err)
	}
	return f.recheck(ctx, member, keys)
}

// recheck removes from member's rebuilt timeline the posts deleted, or of
// authors unfollowed, since the rebuild's query read them. Their events'
// removals may have run before the rebuild wrote the posts (the removal
// found nothing to remove); anything committed after this query has its
// event applied after it, on a timeline that holds the post.
func (f *Feeds) recheck(ctx context.Context, member int64, keys []Key) error {
	if len(keys) == 0 {
		return nil
	}
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	rows, err := f.DB.Query(ctx, `
		SELECT p.id FROM posts p WHERE p.id = ANY($2) AND (p.deleted_at IS NOT NULL
		   OR NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = p.author_id))`, member, ids)
	if err != nil {
		return fmt.Errorf("recheck timeline: %w", err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(stale) == 0 {
		if err != nil {
			return fmt.Errorf("recheck timeline: %w", err)
		}
		return nil
	}
	members := make([]any, len(stale))
	for i, id := range stale {
		members[i] = strconv.FormatInt(id, 10)
	}
	if err := f.Redis.ZRem(ctx, f.Key(member), members...).Err(); err != nil {
		return fmt.Errorf("recheck timeline: %w", err)
	}
	return nil
}

// Rebuild drops member's timeline and rebuilds it from PostgreSQL (the
// bench's cold-rebuild measure; reads rebuild missing timelines by
// themselves).
func (f *Feeds) Rebuild(ctx context.Context, member int64) error {
	if f.Redis == nil {
		return errcode.New(errcode.Unavailable, "no redis")
	}
	if err := f.Redis.Del(ctx, f.Key(member)).Err(); err != nil {
		return fmt.Errorf("drop timeline: %w", err)
	}
	return f.rebuild(ctx, member)
}
