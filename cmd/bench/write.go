package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/loadtest"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

func init() { scenarioByName["write"] = writeScenario }

// writeScenario measures create-post (validation, the post row, its outbox
// event in the same transaction, the publish to Kafka after commit) over
// HTTP, side by side with a bare single-row INSERT into posts on a pool to
// the same database in the same run: the ratio is the price of the API and
// of never losing the event. During the create-post run a consumer reads
// the events back from the broker: the commit-to-broker lag (lag.go).
func writeScenario(ctx context.Context, c *client, workers int, d time.Duration) ([]loadtest.Result, error) {
	members, err := signUpMembers(ctx, c, workers)
	if err != nil {
		return nil, err
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
	probe, err := startLagProbe(cfg)
	if err != nil {
		return nil, err
	}
	defer probe.close()

	body := map[string]string{"content": "오늘 한국어 공부를 했어요 — a benchmark post about the quick brown fox"}
	from := time.Now()
	create := loadtest.Run(ctx, "create-post + event (HTTP)", workers, d, func(ctx context.Context, w, _ int) error {
		_, err := c.do(ctx, "POST", "/api/posts", members[w].token, body, nil)
		return err
	})
	lag, err := probe.commitToBroker(ctx, pool, from, time.Now())
	if err != nil {
		return nil, err
	}

	var last int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM posts`).Scan(&last); err != nil {
		return nil, fmt.Errorf("last post: %w", err)
	}
	bare := loadtest.Run(ctx, "bare INSERT posts (same database)", workers, d, func(ctx context.Context, w, _ int) error {
		_, err := pool.Exec(ctx, `INSERT INTO posts (author_id, content, created_at, updated_at, activity_at)
			VALUES ($1, $2, now(), now(), now())`, members[w].id, body["content"])
		if err != nil {
			return fmt.Errorf("bare insert: %w", err)
		}
		return nil
	})
	bare.Name += fmt.Sprintf(" — create-post/bare: req/s %.2fx", create.PerSecond()/max(bare.PerSecond(), 1e-9))
	// The floor's rows are no posts the API could make (no search terms,
	// no events, no counts): left in place they would be the newest tens of
	// thousands of posts with no text to match, and every later scenario
	// (search above all) would measure them instead of the dataset.
	if _, err := pool.Exec(ctx, `DELETE FROM posts WHERE id > $1 AND search_terms IS NULL`, last); err != nil {
		return nil, fmt.Errorf("remove the bare rows: %w", err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE posts`); err != nil {
		return nil, fmt.Errorf("vacuum posts: %w", err)
	}
	return append([]loadtest.Result{create, bare}, lag...), nil
}
