// Package ranking is dailyfeed's post statistics and rankings: the
// update-stats sink, which counts views and keeps two Redis rankings, and
// the reads popular-posts and most-commented-posts, which fall back to
// PostgreSQL when Redis is empty or down.
//
// # What is counted where
//
// Likes and comments are counted by the writes themselves: like-post,
// create-comment and the rest move posts.like_count and comment_count in
// their own transaction (internal/content), so those counts are true the
// moment the write answers. update-stats never touches them: counting them
// again from events would double them.
//
// Views are counted by update-stats. get-post commits a POST_READ event
// through the outbox (the read stays a cheap insert, with no contended
// UPDATE of a hot post's row on the request path); update-stats adds one to
// posts.view_count when the reader is not the author, in one transaction
// with a processed_events row keyed by the CloudEvent id, so a re-delivered
// event never counts twice. Redis holds the same ids (SET after success) as
// a fast pre-check. viewCount therefore trails the read by the event's
// delivery time (milliseconds to seconds).
//
// # Rankings
//
// For every event that changes a post's engagement (POST_CREATE, POST_READ,
// LIKE_POST, LIKE_POST_CANCEL, COMMENT_CREATE, COMMENT_DELETE) update-stats
// reads the post's true counts and sets its scores in two sorted sets,
// {prefix}ranking:popular and {prefix}ranking:most-commented; POST_DELETE
// removes it. Scores are recomputed from the row, never incremented, so
// re-delivery does not matter. Order does not either: two events of one post
// may run at once (a comment's events are keyed by the comment, so they run
// on another partition than the post's likes and views), and a rebuild may
// run beside them. Each write carries the post's stats_version, which
// PostgreSQL moves with every change of its counts (a trigger), and a Lua
// script writes a post's score only if its version is not older than the one
// the ranking last took for that post ({prefix}ranking:<name>:versions), so
// the newest counts win whatever finishes last. A deleted post's removal
// keeps its version, so a late older event cannot bring it back. Each set
// keeps its top Keep posts.
//
// The popular score is Reddit-style, with the time decay built into a fixed
// epoch so a score never needs recomputing as time passes:
//
//	engagement = 2·likes + 3·comments + 0.1·views
//	score      = log10(1 + engagement) + (createdAt − 2025-01-01T00:00:00Z) / 45000 s
//
// A post 12.5 hours newer than another needs ten times less engagement to
// rank equal: a fresh post with the same engagement always outranks an old
// one, and an old post cannot stay on top forever. Comments weigh most
// (effort), views least (cheap, and numerous). most-commented scores are
// the comment count (all time, as the original).
//
// A ranking whose "ready" marker is missing (Redis flushed, or older than
// ReadyTTL) is rebuilt from PostgreSQL on read with the same formula in SQL,
// through the same versioned write.
package ranking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/outbox"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// Formula constants of the popular score (see the package doc).
var (
	Epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	LikeWeight    = 2.0
	CommentWeight = 3.0
	ViewWeight    = 0.1
	// DecaySeconds is the age for which ten times the engagement is needed.
	DecaySeconds = 45000.0
)

// Score is the popular score of a post with these counts created at created.
func Score(likes, comments, views int64, created time.Time) float64 {
	e := LikeWeight*float64(likes) + CommentWeight*float64(comments) + ViewWeight*float64(views)
	return math.Log10(1+e) + created.Sub(Epoch).Seconds()/DecaySeconds
}

// scoreSQL is Score in SQL over posts p.
const scoreSQL = `(log(1 + 2 * p.like_count + 3 * p.comment_count + 0.1 * p.view_count)
	+ extract(epoch FROM p.created_at - timestamptz '2025-01-01 00:00:00+00') / 45000)`

// Consumer is update-stats' name in processed_events.
const Consumer = "update-stats"

// Rankings is the update-stats sink and the ranking reads.
type Rankings struct {
	DB outbox.DB
	// Redis holds the rankings and the dedup pre-check; nil reads from
	// PostgreSQL.
	Redis  *redis.Client
	Prefix string
	// Keep is how many posts each ranking holds (default 1000).
	Keep int
	// ReadyTTL is how long a ranking is trusted before it is rebuilt from
	// PostgreSQL (default 1h), which also heals any drift.
	ReadyTTL time.Duration
	// Retention is how long processed event ids are kept (default 8 days:
	// the topics' 7 days of retention and a day of margin).
	Retention time.Duration
}

func (r *Rankings) keep() int {
	if r.Keep > 0 {
		return r.Keep
	}
	return 1000
}

func (r *Rankings) retention() time.Duration {
	if r.Retention > 0 {
		return r.Retention
	}
	return 8 * 24 * time.Hour
}

func (r *Rankings) readyTTL() time.Duration {
	if r.ReadyTTL > 0 {
		return r.ReadyTTL
	}
	return time.Hour
}

// Ranking names a ranking.
type Ranking string

const (
	Popular       Ranking = "popular"
	MostCommented Ranking = "most-commented"
)

func (r *Rankings) key(k Ranking) string { return r.Prefix + "ranking:" + string(k) }
func (r *Rankings) readyKey(k Ranking) string {
	return r.Prefix + "ranking:" + string(k) + ":ready"
}
func (r *Rankings) dedupKey(id string) string { return r.Prefix + "update-stats:event:" + id }

// counted are the event types update-stats acts on.
var counted = map[events.Type]bool{
	events.PostCreate: true, events.PostRead: true, events.PostDelete: true,
	events.LikePost: true, events.LikePostCancel: true,
	events.CommentCreate: true, events.CommentDelete: true,
}

// counts is a post's row as the rankings need it.
type counts struct {
	likes, comments, views int64
	created                time.Time
	live                   bool
	version                int64
}

// Apply applies the event id (the CloudEvent id) with payload p: counts a
// view and re-scores the post. A duplicate is a success that changes no
// count. Failures of PostgreSQL or Redis are SERVICE_UNAVAILABLE (retried).
func (r *Rankings) Apply(ctx context.Context, id string, p events.Payload) error {
	if !counted[p.MemberActivityType] {
		return nil
	}
	if r.Redis != nil {
		if n, err := r.Redis.Exists(ctx, r.dedupKey(id)).Result(); err == nil && n == 1 {
			return nil
		}
	}
	c, err := r.count(ctx, id, p)
	if errcode.Is(err, errcode.UnknownEntity) {
		return err
	}
	if err != nil {
		return errcode.Wrap(errcode.Unavailable, "update-stats failed", err)
	}
	if r.Redis == nil {
		return nil
	}
	if err := r.score(ctx, p.PostID, c); err != nil {
		return errcode.Wrap(errcode.Unavailable, "update-stats failed", err)
	}
	if err := r.Redis.Set(ctx, r.dedupKey(id), 1, r.retention()).Err(); err != nil {
		slog.WarnContext(ctx, "update-stats: dedup pre-check not recorded", "event", id, "err", err)
	}
	if rand.IntN(1000) == 0 {
		r.cleanup(ctx)
	}
	return nil
}

// count records the event as processed, counts a view (first delivery of a
// POST_READ by another member than the author) and returns the post's
// counts, in one transaction.
func (r *Rankings) count(ctx context.Context, id string, p events.Payload) (counts, error) {
	var c counts
	tx, err := r.DB.Begin(ctx)
	if err != nil {
		return c, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	tag, err := tx.Exec(ctx, `
		INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, Consumer, id)
	if err != nil {
		return c, fmt.Errorf("record event: %w", err)
	}
	first := tag.RowsAffected() == 1
	if first && p.MemberActivityType == events.PostRead && p.MemberID != p.TargetMemberID {
		if _, err := tx.Exec(ctx, `UPDATE posts SET view_count = view_count + 1 WHERE id = $1 AND deleted_at IS NULL`, p.PostID); err != nil {
			return c, fmt.Errorf("count view: %w", err)
		}
	}
	err = tx.QueryRow(ctx, `
		SELECT like_count, comment_count, view_count, created_at, deleted_at IS NULL, stats_version FROM posts WHERE id = $1`, p.PostID).
		Scan(&c.likes, &c.comments, &c.views, &c.created, &c.live, &c.version)
	if errors.Is(err, pgx.ErrNoRows) {
		// Rolled back: the event is not recorded as processed.
		return c, errcode.Errorf(errcode.UnknownEntity, "post %d does not exist", p.PostID)
	}
	if err != nil {
		return c, fmt.Errorf("select post: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return c, fmt.Errorf("commit: %w", err)
	}
	return c, nil
}

// writeScript writes scores of posts to rankings unless a ranking took a
// newer version of the post. KEYS are pairs of a ranking's sorted set and
// its versions hash; ARGV[1] is how many posts a ranking keeps, then per
// post: its id, its stats_version and one score per ranking ("" removes
// the post, keeping its version).
var writeScript = redis.NewScript(`
local keep = tonumber(ARGV[1])
local n = #KEYS / 2
local i = 2
while i <= #ARGV do
  local m, v = ARGV[i], tonumber(ARGV[i + 1])
  for k = 1, n do
    local set, versions = KEYS[2 * k - 1], KEYS[2 * k]
    local took = tonumber(redis.call('HGET', versions, m) or '-1')
    if v >= took then
      redis.call('HSET', versions, m, v)
      local score = ARGV[i + 1 + k]
      if score == '' then
        redis.call('ZREM', set, m)
      else
        redis.call('ZADD', set, score, m)
      end
    end
  end
  i = i + 2 + n
end
for k = 1, n do
  redis.call('ZREMRANGEBYRANK', KEYS[2 * k - 1], 0, -keep - 1)
end
return 0
`)

// scored is one post's scores in some rankings.
type scored struct {
	post    int64
	version int64
	scores  []string
}

// write runs writeScript for the posts in rankings ks.
func (r *Rankings) write(ctx context.Context, ks []Ranking, posts []scored) error {
	keys := make([]string, 0, 2*len(ks))
	for _, k := range ks {
		keys = append(keys, r.key(k), r.key(k)+":versions")
	}
	args := make([]any, 0, 1+len(posts)*(2+len(ks)))
	args = append(args, r.keep())
	for _, p := range posts {
		args = append(args, p.post, p.version)
		for _, s := range p.scores {
			args = append(args, s)
		}
	}
	return writeScript.Run(ctx, r.Redis, keys, args...).Err()
}

// rankScore is a post's score in ranking k, as writeScript takes it.
func rankScore(k Ranking, c counts) string {
	if k == MostCommented {
		return strconv.FormatInt(c.comments, 10)
	}
	return strconv.FormatFloat(Score(c.likes, c.comments, c.views, c.created), 'g', -1, 64)
}

// score sets (or, for a deleted or unknown post, removes) the post's
// scores in both rankings, unless they took newer counts of it, and trims
// them to Keep.
func (r *Rankings) score(ctx context.Context, post int64, c counts) error {
	p := scored{post: post, version: c.version, scores: []string{"", ""}}
	if c.live {
		p.scores = []string{rankScore(Popular, c), rankScore(MostCommented, c)}
	}
	if err := r.write(ctx, []Ranking{Popular, MostCommented}, []scored{p}); err != nil {
		return fmt.Errorf("write rankings: %w", err)
	}
	return nil
}

// cleanup deletes processed event ids past the retention, one chunk.
func (r *Rankings) cleanup(ctx context.Context) {
	_, err := r.DB.Exec(ctx, `
		DELETE FROM processed_events WHERE ctid IN (
			SELECT ctid FROM processed_events WHERE processed_at < now() - make_interval(secs => $1) LIMIT 10000)`,
		r.retention().Seconds())
	if err != nil {
		slog.WarnContext(ctx, "update-stats: cleanup failed", "err", err)
	}
}

// orderSQL is each ranking's order in SQL.
var orderSQL = map[Ranking]string{
	Popular:       scoreSQL + ` DESC, p.id DESC`,
	MostCommented: `p.comment_count DESC, p.id DESC`,
}

// Page returns a page of ranking k as reader sees it: from Redis (rebuilt
// from PostgreSQL when its marker is missing), or from PostgreSQL alone
// when Redis is down or the page is deeper than Redis keeps.
func (r *Rankings) Page(ctx context.Context, k Ranking, reader int64, q paging.Page) (paging.Slice[timeline.Post], error) {
	if r.Redis != nil && q.Offset()+q.Size < r.keep() {
		ids, err := r.ids(ctx, k, q)
		if err == nil {
			s := paging.SliceOf(q, ids)
			posts, err := timeline.Hydrate(ctx, r.DB, reader, s.Content)
			if err != nil {
				return paging.Slice[timeline.Post]{}, err
			}
			return paging.Slice[timeline.Post]{Content: posts, Page: s.Page, Size: s.Size, HasNext: s.HasNext}, nil
		}
		slog.WarnContext(ctx, "ranking unavailable, reading from postgres", "ranking", k, "err", err)
	}
	rows, err := r.DB.Query(ctx, `SELECT p.id FROM posts p WHERE p.deleted_at IS NULL ORDER BY `+orderSQL[k]+` LIMIT $1 OFFSET $2`,
		q.Size+1, q.Offset())
	if err != nil {
		return paging.Slice[timeline.Post]{}, fmt.Errorf("select ranking: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return paging.Slice[timeline.Post]{}, fmt.Errorf("select ranking: %w", err)
	}
	s := paging.SliceOf(q, ids)
	posts, err := timeline.Hydrate(ctx, r.DB, reader, s.Content)
	if err != nil {
		return paging.Slice[timeline.Post]{}, err
	}
	return paging.Slice[timeline.Post]{Content: posts, Page: s.Page, Size: s.Size, HasNext: s.HasNext}, nil
}

// ids reads size+1 ids of the page from Redis, rebuilding the ranking first
// when it is not ready.
func (r *Rankings) ids(ctx context.Context, k Ranking, q paging.Page) ([]int64, error) {
	n, err := r.Redis.Exists(ctx, r.readyKey(k)).Result()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if err := r.Rebuild(ctx, k); err != nil {
			return nil, err
		}
	}
	ms, err := r.Redis.ZRangeArgs(ctx, redis.ZRangeArgs{Key: r.key(k), Start: q.Offset(), Stop: q.Offset() + q.Size, Rev: true}).Result()
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		if id, err := strconv.ParseInt(m, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Rebuild refills ranking k with its top Keep posts from PostgreSQL and
// marks it ready for ReadyTTL. It writes through writeScript, so a post
// that update-stats scored from newer counts meanwhile keeps that score.
func (r *Rankings) Rebuild(ctx context.Context, k Ranking) error {
	posts, err := r.top(ctx, k)
	if err != nil {
		return err
	}
	if len(posts) > 0 {
		if err := r.write(ctx, []Ranking{k}, posts); err != nil {
			return fmt.Errorf("write ranking: %w", err)
		}
	}
	if err := r.Redis.Set(ctx, r.readyKey(k), 1, r.readyTTL()).Err(); err != nil {
		return fmt.Errorf("write ranking: %w", err)
	}
	return nil
}

// top reads the top Keep posts of ranking k from PostgreSQL.
func (r *Rankings) top(ctx context.Context, k Ranking) ([]scored, error) {
	rows, err := r.DB.Query(ctx, `
		SELECT p.id, p.like_count, p.comment_count, p.view_count, p.created_at, p.stats_version FROM posts p
		WHERE p.deleted_at IS NULL ORDER BY `+orderSQL[k]+` LIMIT $1`, r.keep())
	if err != nil {
		return nil, fmt.Errorf("select ranking: %w", err)
	}
	var posts []scored
	for rows.Next() {
		var id int64
		var c counts
		if err := rows.Scan(&id, &c.likes, &c.comments, &c.views, &c.created, &c.version); err != nil {
			rows.Close()
			return nil, fmt.Errorf("select ranking: %w", err)
		}
		posts = append(posts, scored{post: id, version: c.version, scores: []string{rankScore(k, c)}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select ranking: %w", err)
	}
	return posts, nil
}
