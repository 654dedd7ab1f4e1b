// Package ratelimit throttles actions in Redis. Failures is the brute-force
// guard of login: after too many failures for one key within a window, the
// action is refused with 429 and Retry-After until the window ends.
//
// Redis is an accelerator here too: when it does not answer, the guard
// lets the action through (logged) rather than lock every member out.
package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Failures counts failures per key in a fixed window.
type Failures struct {
	Redis  *redis.Client
	Prefix string        // key namespace, e.g. cfg.RedisPrefix + "login-failures:"
	Max    int64         // failures allowed within Window
	Window time.Duration // how long failures are remembered
}

// Check refuses the action with a 429 (web.RetryAfterError) when key has
// failed Max times within the window.
func (f Failures) Check(ctx context.Context, key string) error {
	if f.Redis == nil {
		return nil
	}
	k := f.Prefix + key
	pipe := f.Redis.Pipeline()
	n := pipe.Get(ctx, k)
	ttl := pipe.PTTL(ctx, k)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		slog.WarnContext(ctx, "rate limit check unavailable, allowing", "err", err)
		return nil
	}
	count, err := n.Int64()
	if err != nil || count < f.Max {
		return nil
	}
	after := ttl.Val()
	if after <= 0 {
		after = f.Window
	}
	return &web.RetryAfterError{Err: errcode.New(errcode.RateLimited, "too many failed attempts; try again later"), After: after}
}

// Fail records a failure of key; the window starts at the first failure.
func (f Failures) Fail(ctx context.Context, key string) {
	if f.Redis == nil {
		return
	}
	k := f.Prefix + key
	pipe := f.Redis.TxPipeline()
	pipe.Incr(ctx, k)
	pipe.ExpireNX(ctx, k, f.Window)
	if _, err := pipe.Exec(ctx); err != nil {
		slog.WarnContext(ctx, "rate limit: failure not recorded", "err", err)
	}
}

// Reset forgets the failures of key (after a success).
func (f Failures) Reset(ctx context.Context, key string) {
	if f.Redis == nil {
		return
	}
	if err := f.Redis.Del(ctx, f.Prefix+key).Err(); err != nil {
		slog.WarnContext(ctx, "rate limit: reset failed", "err", err)
	}
}
