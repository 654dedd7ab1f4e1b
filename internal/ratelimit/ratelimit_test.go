package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestRedisDownLetsThrough: the guard fails open, it never locks everyone out.
func TestRedisDownLetsThrough(t *testing.T) {
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = down.Close() })
	f := Failures{Redis: down, Prefix: "x:", Max: 1, Window: time.Minute}
	ctx := context.Background()
	f.Fail(ctx, "k")
	f.Fail(ctx, "k")
	if err := f.Check(ctx, "k"); err != nil {
		t.Errorf("Check with Redis down: %v, want nil", err)
	}
}
