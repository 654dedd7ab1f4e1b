// Package ratelimit throttles actions. Attempts is the brute-force guard of
// login: every attempt for one key reserves a slot before it is checked,
// atomically, so at most Max attempts per window are ever checked however
// they arrive (in sequence or all at once); past that the action is refused
// with 429 and Retry-After until the window ends. A success frees the key.
//
// The slots are counted in Redis (one script, one round trip). When Redis
// does not answer, they are counted in PostgreSQL (one atomic upsert on
// rate_limit_slots), so the guard still holds; when neither answers, the
// action cannot be checked and is 503.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Attempts counts attempts per key in a fixed window that starts at the
// key's first attempt.
type Attempts struct {
	Redis *redis.Client // nil: PostgreSQL only
	DB    postgres.DB   // the fallback store (rate_limit_slots)
	// Prefix namespaces the keys, e.g. cfg.RedisPrefix + "auth:login:"; in
	// PostgreSQL the row's key is the SHA-256 of prefix and key.
	Prefix string
	Max    int64         // attempts allowed within Window
	Window time.Duration // how long attempts are remembered
	Now    func() time.Time
	// Refused is told of each refused attempt, with the store that counted
	// it ("redis" or "postgres"); Fallback when Redis did not answer and
	// PostgreSQL counted (cache "login_attempts", reason "redis_error").
	// Nil tells nobody.
	Refused  func(store string)
	Fallback func(cache, reason string)
}

// Slot is an admitted attempt. The attempt counts until Succeeded forgets
// the key's attempts.
type Slot struct {
	a     Attempts
	key   string
	redis bool // the slot was taken in Redis (else in PostgreSQL)
}

// reserve increments the key's count, starting its window at the first
// attempt, and returns the count and the window's remaining time in ms.
var reserve = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`)

// Reserve takes a slot for one attempt of key before the attempt is
// checked. Past Max attempts within the window it is a 429
// (errcode.RetryAfterError) and the attempt must not be checked.
func (a Attempts) Reserve(ctx context.Context, key string) (Slot, error) {
	if a.Redis != nil {
		n, after, err := a.reserveRedis(ctx, key)
		if err == nil {
			return Slot{a: a, key: key, redis: true}, a.verdict(n, after, "redis")
		}
		if a.Fallback != nil {
			a.Fallback("login_attempts", "redis_error")
		}
		slog.WarnContext(ctx, "rate limit: redis unavailable, counting in postgres", "err", err)
	}
	n, after, err := a.reservePostgres(ctx, key)
	if err != nil {
		return Slot{}, errcode.Wrap(errcode.Unavailable, "cannot check the attempt now, try again", err)
	}
	return Slot{a: a, key: key}, a.verdict(n, after, "postgres")
}

func (a Attempts) verdict(n int64, after time.Duration, store string) error {
	if n <= a.Max {
		return nil
	}
	if a.Refused != nil {
		a.Refused(store)
	}
	if after <= 0 {
		after = a.Window
	}
	return &errcode.RetryAfterError{Err: errcode.New(errcode.RateLimited, "too many failed attempts; try again later"), After: after}
}

func (a Attempts) reserveRedis(ctx context.Context, key string) (int64, time.Duration, error) {
	res, err := reserve.Run(ctx, a.Redis, []string{a.Prefix + key}, a.Window.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	if len(res) != 2 {
		return 0, 0, fmt.Errorf("rate limit script answered %v", res)
	}
	return res[0], time.Duration(res[1]) * time.Millisecond, nil
}

// rowKey is the PostgreSQL key of key: a fixed-size digest, whatever the
// key's length.
func (a Attempts) rowKey(key string) string {
	h := sha256.Sum256([]byte(a.Prefix + key))
	return hex.EncodeToString(h[:])
}

func (a Attempts) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a Attempts) reservePostgres(ctx context.Context, key string) (int64, time.Duration, error) {
	if a.DB == nil {
		return 0, 0, fmt.Errorf("no store for rate limit slots")
	}
	now := a.now()
	// One statement: a new key, or an expired window, starts at 1; the row
	// lock of the upsert serializes concurrent attempts of one key.
	const q = `
		INSERT INTO rate_limit_slots (key, count, window_ends_at) VALUES ($1, 1, $2::timestamptz + $3::bigint * interval '1 millisecond')
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN rate_limit_slots.window_ends_at <= $2::timestamptz THEN 1 ELSE rate_limit_slots.count + 1 END,
			window_ends_at = CASE WHEN rate_limit_slots.window_ends_at <= $2::timestamptz THEN excluded.window_ends_at ELSE rate_limit_slots.window_ends_at END
		RETURNING count, window_ends_at`
	var n int64
	var ends time.Time
	if err := a.DB.QueryRow(ctx, q, a.rowKey(key), now, a.Window.Milliseconds()).Scan(&n, &ends); err != nil {
		return 0, 0, fmt.Errorf("reserve rate limit slot: %w", err)
	}
	return n, ends.Sub(now), nil
}

// Succeeded forgets the key's attempts (after a successful login), in the
// store that counted them.
func (s Slot) Succeeded(ctx context.Context) {
	if s.redis {
		if err := s.a.Redis.Del(ctx, s.a.Prefix+s.key).Err(); err != nil {
			slog.WarnContext(ctx, "rate limit: reset failed", "err", err)
		}
		return
	}
	if s.a.DB == nil {
		return
	}
	if _, err := s.a.DB.Exec(ctx, `DELETE FROM rate_limit_slots WHERE key = $1`, s.a.rowKey(s.key)); err != nil {
		slog.WarnContext(ctx, "rate limit: reset failed", "err", err)
	}
}
