package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/loadtest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

func init() { scenarioByName["fanout"] = fanoutScenario }

// fanoutScenario measures the fan-out sink's work per post (timeline.Feeds
// .Apply of a POST_CREATE: the post row, the followers in pages of 1000,
// one pipelined push script per follower) by follower count, in-process,
// over a dataset of its own (schema BENCH_FANOUT_SCHEMA, default
// bench_fanout; Redis prefix "<schema>:"; seeded by COPY on first use, see
// fanoutseed.go): one author per size of BENCH_FANOUT_SIZES (default 10,
// 1000, 10000, 100000), followed by the first <size> of the follower
// members, each of whom has a timeline in Redis (a push only writes
// timelines that exist).
//
// Each size is measured twice, BENCH_FANOUT_POSTS posts each (default 20,
// or fewer when one size takes longer than -d): with the configured
// heavy-author threshold (FEED_HEAVY_THRESHOLD, default 10000: authors
// with at least that many followers are not pushed, the sink only reads
// the post row) and with no threshold (every author pushed). The rows time
// Apply alone; the post is inserted before. After each pushed post, the
// timeline of the author's last follower is checked for it (an error if
// missing). Then the read side of the threshold: a follow-feed page
// (in-process) of the follower who follows every author, with the
// threshold (heavy authors merged at read from PostgreSQL) and without
// (every post from the Redis timeline).
func fanoutScenario(ctx context.Context, _ *client, workers int, d time.Duration) ([]loadtest.Result, error) {
	sizes, err := fanoutSizes()
	if err != nil {
		return nil, err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	schema := os.Getenv("BENCH_FANOUT_SCHEMA")
	if schema == "" {
		schema = "bench_fanout"
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, schema)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	rdb := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, DB: cfg.RedisDB, PoolSize: 4 * workers})
	defer rdb.Close()

	ds, err := seedFanout(ctx, pool, schema, sizes)
	if err != nil {
		return nil, err
	}
	withThreshold := &timeline.Feeds{DB: pool, Redis: rdb, Prefix: schema + ":", Options: timeline.OptionsFrom(cfg)}
	pushAll := *withThreshold
	pushAll.Options.HeavyThreshold = math.MaxInt32 // followers_count is an integer column
	if err := ds.openTimelines(ctx, withThreshold); err != nil {
		return nil, err
	}

	posts := envInt("BENCH_FANOUT_POSTS", 20)
	threshold := withThreshold.Options.HeavyThreshold
	var results []loadtest.Result
	for _, size := range sizes {
		for _, run := range []struct {
			name  string
			feeds *timeline.Feeds
		}{
			{fmt.Sprintf("threshold %d", threshold), withThreshold},
			{"no threshold: pushed", &pushAll},
		} {
			how := run.name
			if run.feeds == withThreshold {
				if int64(size) >= threshold {
					how += ": heavy, not pushed"
				} else {
					how += ": pushed"
				}
			}
			name := fmt.Sprintf("fan-out per post, %d followers (%s)", size, how)
			results = append(results, ds.measurePush(ctx, run.feeds, name, size, posts, d))
		}
	}
	for _, run := range []struct {
		name  string
		feeds *timeline.Feeds
	}{
		{fmt.Sprintf("heavy authors merged at read, threshold %d", threshold), withThreshold},
		{"no threshold: every post from Redis", &pushAll},
	} {
		name := fmt.Sprintf("follow-feed page in-process, reader of the %d authors (%s)", len(sizes), run.name)
		results = append(results, loadtest.Run(ctx, name, workers, min(d, 5*time.Second), func(ctx context.Context, _, _ int) error {
			_, err := run.feeds.Following(ctx, ds.reader, timeline.Request{Page: paging.Page{Size: 20}})
			return err
		}))
	}
	return results, nil
}

// measurePush inserts up to posts posts of the author of size (fewer when
// they take longer than d) and times Apply of each one's POST_CREATE.
func (ds fanoutData) measurePush(ctx context.Context, feeds *timeline.Feeds, name string, size, posts int, d time.Duration) loadtest.Result {
	author, last := ds.authors[size], ds.followers[size-1]
	var lat []time.Duration
	errs := 0
	start := time.Now()
	for i := 0; i < posts && (i < 3 || time.Since(start) < d); i++ {
		var id int64
		if err := feeds.DB.QueryRow(ctx, `INSERT INTO posts (author_id, content, created_at, updated_at, activity_at)
			VALUES ($1, $2, now(), now(), now()) RETURNING id`, author, fmt.Sprintf("fan-out post %d", i)).Scan(&id); err != nil {
			errs++
			logRunError(name, "insert post", i, err)
			continue
		}
		t0 := time.Now()
		err := feeds.Apply(ctx, events.Payload{MemberActivityType: events.PostCreate, MemberID: author, PostID: id})
		lat = append(lat, time.Since(t0))
		if err == nil && int64(size) < feeds.Options.HeavyThreshold {
			err = feeds.Redis.ZScore(ctx, feeds.Key(last), strconv.FormatInt(id, 10)).Err()
		}
		if err != nil {
			errs++
			logRunError(name, "apply", i, err)
		}
	}
	return loadtest.Samples(name, lat, errs, time.Since(start))
}

// fanoutSizes reads BENCH_FANOUT_SIZES: ascending follower counts.
func fanoutSizes() ([]int, error) {
	spec := os.Getenv("BENCH_FANOUT_SIZES")
	if spec == "" {
		spec = "10,1000,10000,100000"
	}
	var sizes []int
	for _, f := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 || (len(sizes) > 0 && n <= sizes[len(sizes)-1]) {
			return nil, fmt.Errorf("BENCH_FANOUT_SIZES %q: want ascending positive counts", spec)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}
