// Package testenv gives integration tests an isolated slice of the real
// servers: a fresh PostgreSQL schema, a unique Redis key prefix and a unique
// bucket, so tests run in parallel. Servers are addressed by the same
// environment variables as dailyfeed itself, with loopback defaults; a server
// that is not there fails the test with how to start it. A -short run (make
// test-unit) skips the tests that need the servers, at their first use of
// them, and only then.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

const howToStart = "start the local stack with `make stack` (or `make test`, which starts it)"

// ID returns a short random lowercase id for naming test resources.
func ID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Config returns the configuration of a test: the environment's servers,
// with a schema, a Redis prefix and a bucket of its own.
func Config(t testing.TB) config.Config {
	t.Helper()
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	id := ID()
	cfg.DatabaseSchema = "test_" + id
	cfg.RedisPrefix = "test:" + id + ":"
	cfg.S3Bucket = "test-" + id
	cfg.TopicBase = "test-" + id + "-" + config.DefaultTopicBase
	return cfg
}

// Stack opens a stack over fresh test resources and removes them when the
// test ends.
func Stack(t testing.TB, needs stack.Needs) *stack.Stack {
	t.Helper()
	return StackWith(t, Config(t), needs)
}

// StackWith opens a stack for cfg (from Config, possibly changed).
func StackWith(t testing.TB, cfg config.Config, needs stack.Needs) *stack.Stack {
	t.Helper()
	kafkatest.SkipShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if needs&stack.Postgres != 0 {
		createSchema(t, ctx, cfg)
	}
	// What the migrate job does before functions start.
	if err := stack.Prepare(ctx, cfg, needs); err != nil {
		t.Fatalf("prepare (migrate, bucket): %v\n%s", err, howToStart)
	}
	s, err := stack.Open(ctx, cfg, needs)
	if err != nil {
		t.Fatalf("open stack: %v\n%s", err, howToStart)
	}
	if err := s.Check(ctx, needs); err != nil {
		s.Close()
		t.Fatalf("servers do not answer: %v\n%s", err, howToStart)
	}
	if s.Publisher != nil {
		kafkatest.DeleteTopicsAtCleanup(t, cfg.KafkaBrokers, s.Publisher.Topics())
	}
	t.Cleanup(func() {
		if s.Redis != nil {
			deleteKeys(s, cfg.RedisPrefix)
		}
		s.Close()
	})
	return s
}

func createSchema(t testing.TB, ctx context.Context, cfg config.Config) {
	t.Helper()
	conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatalf("connect to postgres at %s: %v\n%s", redact(cfg.DatabaseURL), err, howToStart)
	}
	defer conn.Close(ctx)
	schema := pgx.Identifier{cfg.DatabaseSchema}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	})
}

func deleteKeys(s *stack.Stack, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := s.Redis.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		s.Redis.Del(ctx, iter.Val())
	}
}

// redact removes a password from a database URL.
func redact(url string) string {
	if at := strings.LastIndex(url, "@"); at > 0 {
		if scheme := strings.Index(url, "://"); scheme > 0 && scheme < at {
			return url[:scheme+3] + "…" + url[at:]
		}
	}
	return url
}

// Exec runs sql in the test's schema; for test setup only.
func Exec(t testing.TB, s *stack.Stack, sql string, args ...any) {
	t.Helper()
	if _, err := s.DB.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
}

// Eventually waits for cond, checking every 20 ms, and fails the test with
// what it waited for after 60 s: generous, so that only a hang reaches it
// on a slow machine.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 60 s waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
