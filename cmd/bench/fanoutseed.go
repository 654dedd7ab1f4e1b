package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// fanoutData is the fan-out scenario's dataset: authors by follower count,
// the follower members in id order (the author of size n is followed by
// the first n), and the reader, who follows every author.
type fanoutData struct {
	authors   map[int]int64
	followers []int64
	reader    int64
}

// seedFanout makes sure schema holds the fan-out dataset for sizes and
// returns it. A dataset of other sizes is truncated and seeded again; the
// password hash is a placeholder (nobody logs in).
func seedFanout(ctx context.Context, pool *pgxpool.Pool, schema string, sizes []int) (fanoutData, error) {
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fanoutData{}, fmt.Errorf("create schema: %w", err)
	}
	if err := postgres.Migrate(ctx, pool); err != nil {
		return fanoutData{}, err
	}
	largest := sizes[len(sizes)-1]
	ds, err := loadFanout(ctx, pool, sizes)
	if err == nil && len(ds.followers) == largest && len(ds.authors) == len(sizes) {
		return ds, nil
	}
	if err != nil {
		return fanoutData{}, err
	}
	start := time.Now()
	slog.Info("fan-out: seeding", "schema", schema, "sizes", sizes)
	if _, err := pool.Exec(ctx, "TRUNCATE members CASCADE"); err != nil {
		return fanoutData{}, fmt.Errorf("truncate: %w", err)
	}
	now := time.Now().UTC()
	n := 0
	if err := copyFrom(ctx, pool, "members", []string{"email", "password_hash", "member_name", "handle", "created_at", "updated_at"}, largest+len(sizes), func() []any {
		n++
		if n <= largest {
			return []any{fmt.Sprintf("fanout%d@bench.local", n), "-", fmt.Sprintf("Follower %d", n), fmt.Sprintf("fanout_f_%d", n), now, now}
		}
		size := sizes[n-largest-1]
		return []any{fmt.Sprintf("fanout-author%d@bench.local", size), "-", fmt.Sprintf("Author of %d", size), fmt.Sprintf("fanout_a_%d", size), now, now}
	}); err != nil {
		return fanoutData{}, err
	}
	if ds, err = loadFanout(ctx, pool, sizes); err != nil {
		return fanoutData{}, err
	}
	total := 0
	for _, s := range sizes {
		total += s
	}
	si, fi := 0, 0
	if err := copyFrom(ctx, pool, "follows", []string{"follower_id", "followee_id", "created_at"}, total, func() []any {
		if fi == sizes[si] {
			si, fi = si+1, 0
		}
		fi++
		return []any{ds.followers[fi-1], ds.authors[sizes[si]], now}
	}); err != nil {
		return fanoutData{}, err
	}
	if _, err := pool.Exec(ctx, `
		UPDATE members m SET followers_count = c.n FROM (
			SELECT followee_id AS id, count(*) AS n FROM follows GROUP BY followee_id) c WHERE m.id = c.id;
		UPDATE members m SET following_count = c.n FROM (
			SELECT follower_id AS id, count(*) AS n FROM follows GROUP BY follower_id) c WHERE m.id = c.id;
		ANALYZE members; ANALYZE follows`); err != nil {
		return fanoutData{}, fmt.Errorf("counts: %w", err)
	}
	slog.Info("fan-out: seeded", "members", largest+len(sizes), "follows", total, "took", time.Since(start).Round(time.Millisecond))
	return ds, nil
}

// loadFanout reads the dataset's ids; it is incomplete when not seeded.
func loadFanout(ctx context.Context, pool *pgxpool.Pool, sizes []int) (fanoutData, error) {
	rows, err := pool.Query(ctx, `SELECT id FROM members WHERE handle LIKE 'fanout\_f\_%' ORDER BY id`)
	if err != nil {
		return fanoutData{}, fmt.Errorf("followers: %w", err)
	}
	followers, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fanoutData{}, fmt.Errorf("followers: %w", err)
	}
	ds := fanoutData{authors: map[int]int64{}, followers: followers}
	if len(followers) > 0 {
		ds.reader = followers[0]
	}
	for _, s := range sizes {
		var id int64
		err := pool.QueryRow(ctx, `SELECT id FROM members WHERE handle = $1`, fmt.Sprintf("fanout_a_%d", s)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return fanoutData{}, fmt.Errorf("author of %d: %w", s, err)
		}
		ds.authors[s] = id
	}
	return ds, nil
}

// openTimelines gives every follower a timeline (an empty, built one
// unless it exists), so pushes write to all of them, and rebuilds the
// reader's from PostgreSQL.
func (ds fanoutData) openTimelines(ctx context.Context, feeds *timeline.Feeds) error {
	start := time.Now()
	for i := 0; i < len(ds.followers); i += 1000 {
		_, err := feeds.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, id := range ds.followers[i:min(i+1000, len(ds.followers))] {
				if id == ds.reader {
					continue // rebuilt below
				}
				p.ZAddNX(ctx, feeds.Key(id), redis.Z{Score: 0, Member: "0"})
				p.Expire(ctx, feeds.Key(id), feeds.Options.TTL)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("open timelines: %w", err)
		}
	}
	if err := feeds.Redis.Del(ctx, feeds.Key(ds.reader)).Err(); err != nil {
		return fmt.Errorf("reader's timeline: %w", err)
	}
	if err := feeds.Rebuild(ctx, ds.reader); err != nil {
		return fmt.Errorf("reader's timeline: %w", err)
	}
	slog.Info("fan-out: timelines open", "followers", len(ds.followers), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// copyFrom COPYs total rows made by next into table.
func copyFrom(ctx context.Context, pool *pgxpool.Pool, table string, cols []string, total int, next func() []any) error {
	i := 0
	_, err := pool.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if i == total {
			return nil, nil
		}
		i++
		return next(), nil
	}))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return nil
}
