// Command seed fills the database with a bench dataset (`make bench` runs
// it): members seed_<n> (e-mail seed<n>@bench.local, password
// Bench-pass1!), each following -follows random others, and -posts posts
// by random authors over the last 30 days, all through COPY. Progress is
// printed as it goes. A dataset already there (as many seed members) is
// kept. Sizes come from flags or BENCH_MEMBERS, BENCH_FOLLOWS, BENCH_POSTS.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/search/terms"
)

// vocabulary are the words of the seed posts: Korean with particles
// attached, and English.
var vocabulary = []string{
	"오늘", "한국어", "공부를", "커피를", "밥을", "책을", "친구와", "서울에서", "마셨다", "읽었다",
	"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "weekend", "coffee",
	"주말에", "맛있는", "저녁", "운동을", "했어요", "사진을", "찍었다", "날씨가", "좋아요", "영화를",
	"travel", "photo", "dinner", "running", "reading", "movie", "friends", "code", "search", "index",
}

// Password is every seed member's password.
const Password = "Bench-pass1!"

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}

func main() {
	members := flag.Int("members", envInt("BENCH_MEMBERS", 10_000), "members to create")
	follows := flag.Int("follows", envInt("BENCH_FOLLOWS", 200), "followings per member")
	posts := flag.Int("posts", envInt("BENCH_POSTS", 200_000), "posts to create")
	flag.Parse()
	if err := run(context.Background(), *members, *follows, *posts); err != nil {
		slog.Error("seed failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, members, follows, posts int) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseSchema)
	if err != nil {
		return err
	}
	defer pool.Close()
	if cfg.DatabaseSchema != "" {
		if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{cfg.DatabaseSchema}.Sanitize()); err != nil {
			return err
		}
	}
	if err := postgres.Migrate(ctx, pool); err != nil {
		return err
	}
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM members WHERE handle LIKE 'seed\_%'`).Scan(&have); err != nil {
		return err
	}
	if have >= members {
		fmt.Printf("seed: %d seed members already there, dataset kept\n", have)
		return nil
	}
	if have > 0 {
		return fmt.Errorf("a partial seed (%d members) is there: drop it or seed with -members %d", have, have)
	}
	follows = min(follows, members-1)
	start := time.Now()
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)

	// Members, created one second apart (recommend-members sorts by it).
	n := 0
	if err := copyRows(ctx, pool, "members", []string{"email", "password_hash", "member_name", "handle", "created_at", "updated_at"},
		members, func() []any {
			n++
			at := now.Add(-time.Duration(members-n) * time.Second)
			return []any{fmt.Sprintf("seed%d@bench.local", n), hash, fmt.Sprintf("Seed %d", n), fmt.Sprintf("seed_%d", n), at, at}
		}); err != nil {
		return err
	}
	rows, err := pool.Query(ctx, `SELECT id FROM members WHERE handle LIKE 'seed\_%' ORDER BY id`)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}

	// Follows: each member follows `follows` distinct random others.
	rng := rand.New(rand.NewPCG(1, 2))
	var pending [][]any
	member := 0
	if err := copyRows(ctx, pool, "follows", []string{"follower_id", "followee_id", "created_at"}, len(ids)*follows, func() []any {
		if len(pending) == 0 {
			seen := map[int]bool{member: true}
			for len(pending) < follows {
				j := rng.IntN(len(ids))
				if !seen[j] {
					seen[j] = true
					pending = append(pending, []any{ids[member], ids[j], now.Add(-time.Duration(len(pending)) * time.Minute)})
				}
			}
			member++
		}
		r := pending[0]
		pending = pending[1:]
		return r
	}); err != nil {
		return err
	}

	// Posts by random authors, one every few seconds over the last 30 days
	// (distinct times), oldest first.
	step := 30 * 24 * time.Hour / time.Duration(max(posts, 1))
	// Their text: "bench post <n>:" and 8 words of vocabulary, so every
	// post matches bench and each word about a fifth of them (search).
	k := 0
	var b strings.Builder
	if err := copyRows(ctx, pool, "posts", []string{"author_id", "content", "created_at", "updated_at", "activity_at", "search_terms"}, posts, func() []any {
		k++
		at := now.Add(-time.Duration(posts-k) * step)
		b.Reset()
		fmt.Fprintf(&b, "bench post %d:", k)
		for range 8 {
			b.WriteString(" " + vocabulary[rng.IntN(len(vocabulary))])
		}
		text := b.String()
		return []any{ids[rng.IntN(len(ids))], text, at, at, at, terms.Vector(text)}
	}); err != nil {
		return err
	}

	fmt.Print("seed: counts and statistics ...")
	if _, err := pool.Exec(ctx, `
		UPDATE members m SET followers_count = c.n FROM (
			SELECT followee_id AS id, count(*) AS n FROM follows GROUP BY followee_id) c WHERE m.id = c.id AND m.handle LIKE 'seed\_%';
		UPDATE members m SET following_count = c.n FROM (
			SELECT follower_id AS id, count(*) AS n FROM follows GROUP BY follower_id) c WHERE m.id = c.id AND m.handle LIKE 'seed\_%';`); err != nil {
		return err
	}
	for _, table := range []string{"members", "follows", "posts"} { // statistics, and index-only scans
		if _, err := pool.Exec(ctx, "VACUUM ANALYZE "+table); err != nil {
			return err
		}
	}
	fmt.Printf(" done\nseed: %d members, %d follows, %d posts in %s\n", len(ids), len(ids)*follows, posts, time.Since(start).Round(time.Second))
	return nil
}

// copyRows COPYs total rows made by next into table, in chunks, printing
// progress.
func copyRows(ctx context.Context, pool *pgxpool.Pool, table string, cols []string, total int, next func() []any) error {
	const chunk = 50_000
	start := time.Now()
	for done := 0; done < total; {
		n := min(chunk, total-done)
		i := 0
		_, err := pool.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return next(), nil
		}))
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		done += n
		fmt.Printf("\rseed: %-8s %9d / %d (%3.0f%%) %s", table, done, total, 100*float64(done)/float64(total), time.Since(start).Round(100*time.Millisecond))
	}
	fmt.Println()
	return nil
}
