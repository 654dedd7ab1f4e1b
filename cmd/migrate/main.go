// Command migrate is dailyfeed's one-shot setup job: it applies the
// database migrations and creates the object-store bucket, then exits. It
// runs once per deployment before the functions start (the Kubernetes Job
// knative/jobs/migrate.yaml on a cluster; `make run`, `make bench` and
// `make migrate` locally), so that no function's cold start migrates.
// The configuration is the functions' own (README.md, Configuration).
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	cfg, err := config.FromEnv()
	if err != nil {
		slog.Error("migrate: configuration", "err", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	if err := stack.Prepare(ctx, cfg, stack.Postgres|stack.S3); err != nil {
		slog.Error("migrate failed", "err", err)
		os.Exit(1)
	}
	slog.Info("migrate: schema migrated and bucket ready", "schema", cfg.DatabaseSchema, "bucket", cfg.S3Bucket,
		"took", time.Since(start).Round(time.Millisecond))
}
