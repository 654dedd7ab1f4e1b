package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/loadtest"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

func init() { scenarioByName["feed"] = feedScenario }

// seedPassword is cmd/seed's password of every seed member.
const seedPassword = "Bench-pass1!"

// feedScenario measures follow-feed over the dataset of cmd/seed (run it
// first; BENCH_MEMBERS tells how many seed members there are): one member
// per client, spread over the dataset.
//
//   - follow-feed warm: the member's timeline is in Redis.
//   - raw ZREVRANGE + hydrate: what follow-feed is built on, in-process
//     (no HTTP, no token check, no heavy-author merge, no follow check):
//     the floor the warm feed is compared with.
//   - follow-feed cold: the timeline is deleted before each request, which
//     rebuilds it from PostgreSQL.
//   - rebuild in-process: DEL + the rebuild query + the pipelined write.
func feedScenario(ctx context.Context, c *client, workers int, d time.Duration) ([]loadtest.Result, error) {
	members := 10_000
	if n, err := strconv.Atoi(os.Getenv("BENCH_MEMBERS")); err == nil && n > 0 {
		members = n
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseSchema)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	rdb := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, DB: cfg.RedisDB, PoolSize: 4 * workers})
	defer rdb.Close()
	feeds := &timeline.Feeds{DB: pool, Redis: rdb, Prefix: cfg.RedisPrefix, Options: timeline.OptionsFrom(cfg)}

	ids := make([]int64, workers)
	tokens := make([]string, workers)
	for w := range workers {
		n := 1 + w*(members/workers)
		var login struct {
			ID          int64  `json:"memberId"`
			AccessToken string `json:"accessToken"`
		}
		body := map[string]string{"email": fmt.Sprintf("seed%d@bench.local", n), "password": seedPassword}
		if _, err := c.do(ctx, "POST", "/api/authentication/login", "", body, &login); err != nil {
			return nil, fmt.Errorf("log in a seed member (run cmd/seed first): %w", err)
		}
		ids[w], tokens[w] = login.ID, login.AccessToken
	}
	const path = "/api/timeline/posts/followings?size=20"
	var posts int
	for w := range workers { // warm every timeline
		var page struct {
			Content []struct{} `json:"content"`
		}
		if _, err := c.do(ctx, "GET", path, tokens[w], nil, &page); err != nil {
			return nil, err
		}
		posts += len(page.Content)
	}
	if posts == 0 {
		return nil, fmt.Errorf("the seed members' feeds are empty: run cmd/seed")
	}

	warm := loadtest.Run(ctx, fmt.Sprintf("follow-feed warm timeline (HTTP, size 20, %d members)", members), workers, d, func(ctx context.Context, w, _ int) error {
		_, err := c.do(ctx, "GET", path, tokens[w], nil, nil)
		return err
	})
	raw := loadtest.Run(ctx, "raw ZREVRANGE 20 + hydrate query (in-process)", workers, d, func(ctx context.Context, w, _ int) error {
		return rawFeed(ctx, pool, rdb, feeds, ids[w])
	})
	raw.Name += fmt.Sprintf(" — follow-feed/raw: p50 %.1fx, req/s %.2fx",
		float64(warm.P50)/float64(max(raw.P50, 1)), warm.PerSecond()/max(raw.PerSecond(), 1e-9))
	cold := loadtest.Run(ctx, "follow-feed cold (timeline deleted, rebuilt in the request)", workers, d, func(ctx context.Context, w, _ int) error {
		if err := rdb.Del(ctx, feeds.Key(ids[w])).Err(); err != nil {
			return err
		}
		_, err := c.do(ctx, "GET", path, tokens[w], nil, nil)
		return err
	})
	rebuild := loadtest.Run(ctx, "timeline rebuild alone (in-process, 800 posts)", 1, d, func(ctx context.Context, _, n int) error {
		return feeds.Rebuild(ctx, ids[n%workers])
	})
	return []loadtest.Result{warm, raw, cold, rebuild}, nil
}

// rawFeed is the floor of a feed page: the first 21 ids of the timeline
// and the one hydration query.
func rawFeed(ctx context.Context, pool *pgxpool.Pool, rdb *redis.Client, feeds *timeline.Feeds, member int64) error {
	ms, err := rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: feeds.Key(member), Start: 0, Stop: 20, Rev: true}).Result()
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		if id, err := strconv.ParseInt(m, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	_, err = timeline.Hydrate(ctx, pool, member, ids)
	return err
}
