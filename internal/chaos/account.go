package chaos

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/events"
)

// Tally is the verdict of the accounting: every figure must be 0.
type Tally struct {
	Lost       int `json:"lost"`       // acknowledged, but missing (a row, an event, a delivery)
	Duplicated int `json:"duplicated"` // applied more often than acknowledged
	Wrong      int `json:"wrong"`      // present but not what it should be
	Stuck      int `json:"stuck"`      // still waiting when the run ended
	// Findings describes the first problems found.
	Findings []string `json:"findings,omitempty"`
}

func (t *Tally) add(kind *int, n int, format string, args ...any) {
	if n <= 0 {
		return
	}
	*kind += n
	if len(t.Findings) < 40 {
		t.Findings = append(t.Findings, fmt.Sprintf("%d × ", n)+fmt.Sprintf(format, args...))
	}
}

// Zero reports whether nothing was lost, duplicated, wrong or stuck.
func (t Tally) Zero() bool { return t.Lost == 0 && t.Duplicated == 0 && t.Wrong == 0 && t.Stuck == 0 }

// accountant compares what the API acknowledged with what the servers
// hold, computing the truth from PostgreSQL's rows, never from the
// derived state under test.
type accountant struct {
	db     *pgxpool.Pool
	redis  *redis.Client
	prefix string // Redis key prefix
	l      *ledger
	t      Tally
	// heavy and timelineCap are the feed's settings (FEED_HEAVY_THRESHOLD,
	// FEED_TIMELINE_CAP).
	heavy       int64
	timelineCap int
}

func (a *accountant) int(ctx context.Context, q string, args ...any) int {
	var n int
	if err := a.db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		a.t.add(&a.t.Wrong, 1, "accounting query failed: %v: %s", err, strings.Join(strings.Fields(q), " "))
	}
	return n
}

func (a *accountant) run(ctx context.Context) Tally {
	a.events(ctx)
	a.writes(ctx)
	a.counts(ctx)
	a.timelines(ctx)
	a.rankings(ctx)
	return a.t
}

// events: every outbox event recorded exactly once, as it was; every
// acknowledged operation's event is there, and no more than were asked.
func (a *accountant) events(ctx context.Context) {
	t := &a.t
	t.add(&t.Lost, a.int(ctx, `SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM activities a WHERE a.event_id = o.event_id)`),
		"outbox events without their activity row")
	t.add(&t.Duplicated, a.int(ctx, `SELECT count(*) FROM activities a WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = a.event_id)`),
		"activity rows of no event")
	t.add(&t.Duplicated, a.int(ctx, `SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM activities GROUP BY event_id HAVING count(*) > 1) d`),
		"activity rows recorded twice")
	t.add(&t.Wrong, a.int(ctx, `
		SELECT count(*) FROM outbox o JOIN activities a USING (event_id)
		WHERE a.member_id <> (o.event->'data'->>'memberId')::bigint
		   OR a.activity_type <> o.event->'data'->>'memberActivityType'
		   OR coalesce(a.post_id, 0) <> coalesce((o.event->'data'->>'postId')::bigint, 0)
		   OR coalesce(a.comment_id, 0) <> coalesce((o.event->'data'->>'commentId')::bigint, 0)
		   OR a.target_member_id <> (o.event->'data'->>'targetMemberId')::bigint`),
		"activity rows that differ from their event")

	rows, err := a.db.Query(ctx, `
		SELECT event->'data'->>'memberActivityType', (event->'data'->>'memberId')::bigint, count(*)
		FROM outbox GROUP BY 1, 2`)
	if err != nil {
		t.add(&t.Wrong, 1, "outbox: %v", err)
		return
	}
	have := map[typeMember]int{}
	for rows.Next() {
		var k typeMember
		var typ string
		var n int
		if err := rows.Scan(&typ, &k.m, &n); err != nil {
			t.add(&t.Wrong, 1, "outbox: %v", err)
		}
		k.t = events.Type(typ)
		have[k] = n
	}
	rows.Close()
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	for k, want := range a.l.events {
		if n := have[k]; n < want {
			t.add(&t.Lost, want-n, "acknowledged %s by member %d without its event (%d of %d)", k.t, k.m, n, want)
		}
	}
	for k, n := range have {
		if max := a.l.events[k] + a.l.unsure[k]; n > max {
			t.add(&t.Duplicated, n-max, "%s events by member %d beyond the operations asked (%d, asked at most %d)", k.t, k.m, n, max)
		}
	}
}

// writes: every acknowledged write is there as acknowledged; no refused
// write is visible.
func (a *accountant) writes(ctx context.Context) {
	t := &a.t
	a.l.mu.Lock()
	posts := make(map[int64]post, len(a.l.posts))
	for id, p := range a.l.posts {
		posts[id] = *p
	}
	comments := make(map[int64]comment, len(a.l.comments))
	for id, c := range a.l.comments {
		comments[id] = *c
	}
	refused := slices.Clone(a.l.refusedContent)
	a.l.mu.Unlock()

	rows, err := a.db.Query(ctx, `SELECT id, content, deleted_at IS NOT NULL FROM posts`)
	if err != nil {
		t.add(&t.Wrong, 1, "posts: %v", err)
		return
	}
	seen := map[int64]bool{}
	for rows.Next() {
		var id int64
		var content string
		var deleted bool
		if err := rows.Scan(&id, &content, &deleted); err != nil {
			t.add(&t.Wrong, 1, "posts: %v", err)
			break
		}
		seen[id] = true
		p, ok := posts[id]
		if !ok || p.unsure {
			continue // created by an unanswered request, or changed by one
		}
		if p.deleted != deleted {
			t.add(&t.Wrong, 1, "post %d deleted=%v, acknowledged deleted=%v", id, deleted, p.deleted)
		}
		if content != p.content {
			t.add(&t.Wrong, 1, "post %d content %q, acknowledged %q", id, content, p.content)
		}
	}
	rows.Close()
	for id := range posts {
		if !seen[id] {
			t.add(&t.Lost, 1, "acknowledged post %d missing", id)
		}
	}

	ids := make([]int64, 0, len(comments))
	for id := range comments {
		ids = append(ids, id)
	}
	var present, liveButDeleted int
	for c := range slices.Chunk(ids, 5000) {
		rows, err := a.db.Query(ctx, `SELECT id, deleted_at IS NOT NULL FROM comments WHERE id = ANY($1)`, c)
		if err != nil {
			t.add(&t.Wrong, 1, "comments: %v", err)
			return
		}
		for rows.Next() {
			var id int64
			var deleted bool
			if err := rows.Scan(&id, &deleted); err != nil {
				break
			}
			present++
			if cm := comments[id]; cm.deleted && !cm.unsure && !deleted {
				liveButDeleted++
			}
		}
		rows.Close()
	}
	t.add(&t.Lost, len(comments)-present, "acknowledged comments missing")
	t.add(&t.Wrong, liveButDeleted, "comments live after an acknowledged delete")
	t.add(&t.Wrong, a.int(ctx, `SELECT count(*) FROM posts WHERE content = ANY($1)`, refused)+
		a.int(ctx, `SELECT count(*) FROM comments WHERE content = ANY($1)`, refused), "refused writes visible")

	a.relation(ctx, "post like", `SELECT member_id, post_id FROM post_likes`, a.l.postLikes)
	a.relation(ctx, "comment like", `SELECT member_id, comment_id FROM comment_likes`, a.l.commentLikes)
	a.relation(ctx, "follow", `SELECT follower_id, followee_id FROM follows`, a.l.follows)
}

// relation compares rows (who, what) with the acknowledged states.
func (a *accountant) relation(ctx context.Context, name, q string, want map[pair]state) {
	t := &a.t
	rows, err := a.db.Query(ctx, q)
	if err != nil {
		t.add(&t.Wrong, 1, "%s: %v", name, err)
		return
	}
	have := map[pair]bool{}
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.who, &p.what); err != nil {
			break
		}
		have[p] = true
	}
	rows.Close()
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	for p, s := range want {
		switch {
		case s.unsure:
		case s.on && !have[p]:
			t.add(&t.Lost, 1, "acknowledged %s %d→%d missing", name, p.who, p.what)
		case !s.on && have[p]:
			t.add(&t.Wrong, 1, "%s %d→%d present after an acknowledged cancel", name, p.who, p.what)
		}
	}
	for p := range have {
		if _, ok := want[p]; !ok {
			t.add(&t.Wrong, 1, "%s %d→%d never asked for", name, p.who, p.what)
		}
	}
}

// counts: every counter equals the count of its rows; views equal the
// view events.
func (a *accountant) counts(ctx context.Context) {
	t := &a.t
	t.add(&t.Wrong, a.int(ctx, `
		SELECT count(*) FROM posts p WHERE p.deleted_at IS NULL AND (
		   p.like_count <> (SELECT count(*) FROM post_likes l WHERE l.post_id = p.id)
		OR p.comment_count <> (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.deleted_at IS NULL))`),
		"posts whose like or comment count is not the count of their rows")
	t.add(&t.Wrong, a.int(ctx, `
		SELECT count(*) FROM comments c WHERE c.deleted_at IS NULL AND (
		   c.like_count <> (SELECT count(*) FROM comment_likes l WHERE l.comment_id = c.id)
		OR c.reply_count <> (SELECT count(*) FROM comments r WHERE r.parent_id = c.id AND r.deleted_at IS NULL))`),
		"comments whose like or reply count is not the count of their rows")
	t.add(&t.Wrong, a.int(ctx, `
		SELECT count(*) FROM members m WHERE
		   m.followers_count <> (SELECT count(*) FROM follows f WHERE f.followee_id = m.id)
		OR m.following_count <> (SELECT count(*) FROM follows f WHERE f.follower_id = m.id)`),
		"members whose follower or following count is not the count of their rows")
	t.add(&t.Wrong, a.int(ctx, `
		WITH views AS (
			SELECT (event->'data'->>'postId')::bigint AS post_id, count(*) AS n FROM outbox
			WHERE event->'data'->>'memberActivityType' = 'POST_READ'
			  AND event->'data'->>'memberId' <> event->'data'->>'targetMemberId'
			GROUP BY 1)
		SELECT count(*) FROM posts p LEFT JOIN views v ON v.post_id = p.id
		WHERE p.deleted_at IS NULL AND p.view_count <> coalesce(v.n, 0)`),
		"posts whose view count is not the count of their view events")
}

// timelines: every Redis timeline holds exactly what a rebuild from
// PostgreSQL would, post for post (compared before anything rebuilds).
func (a *accountant) timelines(ctx context.Context) {
	t := &a.t
	iter := a.redis.Scan(ctx, 0, a.prefix+"timeline:*", 1000).Iterator()
	checked := 0
	for iter.Next(ctx) {
		key := iter.Val()
		member, err := strconv.ParseInt(strings.TrimPrefix(key, a.prefix+"timeline:"), 10, 64)
		if err != nil {
			continue
		}
		zs, err := a.redis.ZRevRangeWithScores(ctx, key, 0, -1).Result()
		if err != nil {
			t.add(&t.Wrong, 1, "timeline %d: %v", member, err)
			continue
		}
		var have []string
		building, trimmed := false, true
		for _, z := range zs {
			if z.Member == "0" {
				building, trimmed = z.Score < 0, false
				continue
			}
			have = append(have, z.Member.(string))
		}
		if building {
			t.add(&t.Stuck, 1, "timeline of member %d still marked as rebuilding", member)
			continue
		}
		rows, err := a.db.Query(ctx, `
			SELECT x.id::text FROM follows f JOIN members m ON m.id = f.followee_id,
			LATERAL (SELECT p.id, p.created_at FROM posts p
			         WHERE p.author_id = f.followee_id AND p.deleted_at IS NULL
			         ORDER BY p.created_at DESC, p.id DESC LIMIT $3) x
			WHERE f.follower_id = $1 AND m.followers_count < $2
			ORDER BY x.created_at DESC, x.id DESC LIMIT $3`, member, a.heavy, a.timelineCap)
		if err != nil {
			t.add(&t.Wrong, 1, "timeline %d: %v", member, err)
			continue
		}
		want, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.add(&t.Wrong, 1, "timeline %d: %v", member, err)
			continue
		}
		checked++
		if trimmed && len(have) < len(want) {
			// A timeline trimmed to its cap (its sentinel went first) holds
			// the newest part of the feed; reads past its end come from
			// PostgreSQL (timeline.window), so it must be a prefix.
			want = want[:len(have)]
		}
		if !slices.Equal(have, want) {
			missing, extra := diff(want, have), diff(have, want)
			if len(missing) > 0 {
				t.add(&t.Lost, len(missing), "posts missing from member %d's timeline (e.g. %v)", member, first(missing))
			}
			if len(extra) > 0 {
				t.add(&t.Wrong, len(extra), "posts in member %d's timeline that should not be (e.g. %v)", member, first(extra))
			}
			if len(missing) == 0 && len(extra) == 0 {
				t.add(&t.Wrong, 1, "member %d's timeline out of order", member)
			}
		}
	}
	if err := iter.Err(); err != nil {
		t.add(&t.Wrong, 1, "scan timelines: %v", err)
	}
	if checked == 0 {
		t.add(&t.Wrong, 1, "no timeline to check: the run proves nothing about fan-out")
	}
}

// rankings: every ranked post's score is the one its rows give, no deleted
// post is ranked, and the top ten are the true top ten.
func (a *accountant) rankings(ctx context.Context) {
	t := &a.t
	for _, name := range []string{"popular", "most-commented"} {
		key := a.prefix + "ranking:" + name
		if n, err := a.redis.Exists(ctx, key+":ready").Result(); err != nil || n == 0 {
			continue // not built since the last flush: reads rebuild it from PostgreSQL
		}
		zs, err := a.redis.ZRevRangeWithScores(ctx, key, 0, -1).Result()
		if err != nil {
			t.add(&t.Wrong, 1, "ranking %s: %v", name, err)
			continue
		}
		ids := make([]int64, 0, len(zs))
		for _, z := range zs {
			id, _ := strconv.ParseInt(z.Member.(string), 10, 64)
			ids = append(ids, id)
		}
		truth := map[int64]float64{}
		rows, err := a.db.Query(ctx, `
			SELECT id, like_count, comment_count, view_count, created_at FROM posts
			WHERE id = ANY($1) AND deleted_at IS NULL`, ids)
		if err != nil {
			t.add(&t.Wrong, 1, "ranking %s: %v", name, err)
			continue
		}
		for rows.Next() {
			var id, likes, comments, views int64
			var created time.Time
			if err := rows.Scan(&id, &likes, &comments, &views, &created); err != nil {
				break
			}
			truth[id] = float64(comments)
			if name == "popular" {
				truth[id] = popularScore(likes, comments, views, created)
			}
		}
		rows.Close()
		for i, z := range zs {
			want, live := truth[ids[i]]
			switch {
			case !live:
				t.add(&t.Wrong, 1, "%s ranks post %d, deleted or unknown", name, ids[i])
			case math.Abs(want-z.Score) > 1e-6:
				t.add(&t.Wrong, 1, "%s scores post %d %.6f, its rows give %.6f", name, ids[i], z.Score, want)
			}
		}
		order := `log(1 + 2 * like_count + 3 * comment_count + 0.1 * view_count)
			+ extract(epoch FROM created_at - timestamptz '2025-01-01 00:00:00+00') / 45000`
		if name == "most-commented" {
			order = "comment_count"
		}
		rows, err = a.db.Query(ctx, `SELECT (`+order+`)::float8 FROM posts WHERE deleted_at IS NULL ORDER BY 1 DESC LIMIT 10`)
		if err != nil {
			t.add(&t.Wrong, 1, "ranking %s: %v", name, err)
			continue
		}
		top, _ := pgx.CollectRows(rows, pgx.RowTo[float64])
		for i := range min(len(top), len(zs)) {
			if math.Abs(top[i]-zs[i].Score) > 1e-6 {
				t.add(&t.Wrong, 1, "%s rank %d scores %.6f, the true rank %d %.6f", name, i+1, zs[i].Score, i+1, top[i])
				break
			}
		}
	}
}

// popularScore is the popular ranking's score as documented in
// internal/ranking, computed here on its own.
func popularScore(likes, comments, views int64, created time.Time) float64 {
	e := 2*float64(likes) + 3*float64(comments) + 0.1*float64(views)
	return math.Log10(1+e) + created.Sub(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)).Seconds()/45000
}

func diff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func first(s []string) []string { return s[:min(len(s), 5)] }
