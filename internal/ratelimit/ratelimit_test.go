package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/ratelimit"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// TestReserveIsAtomic: 30 parallel reservations of one key admit exactly
// Max, in Redis and, with Redis unreachable, in PostgreSQL; a success frees
// the key, and an ended window starts over.
func TestReserveIsAtomic(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = down.Close() })
	now := time.Now()
	for name, client := range map[string]*redis.Client{"redis": s.Redis, "postgres": down} {
		a := ratelimit.Attempts{Redis: client, DB: s.DB, Prefix: s.Config.RedisPrefix + name + ":", Max: 5, Window: time.Minute,
			Now: func() time.Time { return now }}
		ctx := context.Background()
		var mu sync.Mutex
		var wg sync.WaitGroup
		admitted, refused := 0, 0
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := a.Reserve(ctx, "k")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					admitted++
				case errcode.Is(err, errcode.RateLimited):
					refused++
				default:
					t.Errorf("%s: %v", name, err)
				}
			}()
		}
		wg.Wait()
		if admitted != 5 || refused != 25 {
			t.Errorf("%s: %d admitted, %d refused; want 5 and 25", name, admitted, refused)
		}
		slot, err := a.Reserve(ctx, "other")
		if err != nil {
			t.Fatalf("%s: another key: %v", name, err)
		}
		for range 4 {
			_, _ = a.Reserve(ctx, "other")
		}
		slot.Succeeded(ctx)
		if _, err := a.Reserve(ctx, "other"); err != nil {
			t.Errorf("%s: after a success: %v", name, err)
		}
	}
	// In PostgreSQL the window is the row's: once it ends, the count starts over.
	a := ratelimit.Attempts{Redis: down, DB: s.DB, Prefix: "window:", Max: 1, Window: time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()
	_, _ = a.Reserve(ctx, "k")
	if _, err := a.Reserve(ctx, "k"); !errcode.Is(err, errcode.RateLimited) {
		t.Errorf("second attempt within the window: %v", err)
	}
	now = now.Add(time.Minute)
	if _, err := a.Reserve(ctx, "k"); err != nil {
		t.Errorf("after the window: %v", err)
	}
}
