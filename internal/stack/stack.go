// Package stack opens and closes the outside systems a function uses
// (PostgreSQL, Redis, Kafka, the object store) and reports whether they
// answer. A function opens only what it needs, so a function that never
// touches the object store does not become unready when MinIO is down.
//
// Open does no network I/O: every client connects on first use, so a
// function process answers its first request within a few milliseconds of
// exec (BENCHMARKS.md, cold start). The schema and the bucket are set up
// once per deployment by Prepare, run by the migrate job (cmd/migrate, the
// Job in knative/jobs), never by a function's Start.
package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/outbox"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/minio"
)

// Needs is a set of outside systems.
type Needs uint8

const (
	Postgres Needs = 1 << iota
	Redis
	Kafka
	S3

	All = Postgres | Redis | Kafka | S3

	// Hard is what a function cannot serve without. Redis (Postgres is the
	// fallback) and Kafka (the outbox keeps events until it is back) are
	// accelerators: a function stays ready without them.
	Hard = Postgres | S3
)

// Stack is the open connections of one process.
type Stack struct {
	Config config.Config
	Needs  Needs
	// Now is the clock every domain call uses; tests replace it.
	Now func() time.Time

	DB    *pgxpool.Pool
	Redis *redis.Client
	Store *minio.Store

	// Publisher sends CloudEvents to the dated topics (needs Kafka), and
	// Outbox publishes the events that writes commit with their change
	// (needs Postgres and Kafka).
	Publisher *kafka.Publisher
	Outbox    *outbox.Outbox

	// Auth verifies access tokens; it caches signing keys, so there is one
	// per process. Set when the stack opens Postgres.
	Auth *auth.Verifier

	// Observer is told what the metrics count (internal/metrics.Observers);
	// nil tells nothing. Set it right after Open, before the stack is used.
	Observer Observer
}

// Observer is told about what an operator watches in the domain packages:
// a Redis cache answered by its PostgreSQL fallback (cache, reason), a
// login refused by the brute-force guard (store: redis or postgres), an
// image processed by the thumbnailer (outcome, time), a dead letter kept
// by the dead-letter sink (the sink that failed, its last status, "" when
// it never answered). Its methods must be quick and safe for concurrent
// use.
type Observer interface {
	Fallback(cache, reason string)
	LoginRefused(store string)
	ImageProcessed(outcome string, took time.Duration)
	DeadLetterKept(sink, status string)
}

// Observe returns the stack's Observer, one that is told nothing when none
// is set.
func (s *Stack) Observe() Observer {
	if s.Observer == nil {
		return unobserved{}
	}
	return s.Observer
}

type unobserved struct{}

func (unobserved) Fallback(string, string)              {}
func (unobserved) LoginRefused(string)                  {}
func (unobserved) ImageProcessed(string, time.Duration) {}
func (unobserved) DeadLetterKept(string, string)        {}

// Prepare sets up what the functions expect to exist, for the systems of
// needs: it applies the database migrations (PostgreSQL) and creates the
// bucket (S3). It is idempotent and safe to run concurrently (migrations
// take an advisory lock). The migrate job runs it before functions start:
// `make run`, `make bench` and the tests (internal/testenv) locally, a
// Kubernetes Job on a cluster.
func Prepare(ctx context.Context, cfg config.Config, needs Needs) error {
	if needs&Postgres != 0 {
		pool, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseSchema)
		if err != nil {
			return err
		}
		defer pool.Close()
		if err := postgres.Migrate(ctx, pool); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	if needs&S3 != 0 {
		store := openStore(cfg)
		if err := store.EnsureBucket(ctx); err != nil {
			return fmt.Errorf("create bucket: %w", err)
		}
		if arn := cfg.S3NotifyARN; arn != "" && arn != "off" {
			// Without it uploads still work; thumbnails are not made
			// and views serve the originals.
			if err := store.EnsureNotification(ctx, arn, "images/", "/original"); err != nil {
				slog.WarnContext(ctx, "bucket notifications not configured: thumbnails will not be made (S3_NOTIFY_ARN, MinIO's MINIO_NOTIFY_KAFKA_* settings)", "err", err)
			}
		}
	}
	return nil
}

func openStore(cfg config.Config) *minio.Store {
	return minio.Open(minio.Config{
		Endpoint: cfg.S3Endpoint, Region: cfg.S3Region,
		AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, Bucket: cfg.S3Bucket,
	})
}

// Open builds the clients of what needs asks for. It does no network I/O
// (each client connects on first use, see Warm) and fails only on a
// configuration it cannot parse. It neither migrates nor creates the
// bucket: Prepare does, in the migrate job.
func Open(ctx context.Context, cfg config.Config, needs Needs) (*Stack, error) {
	s := &Stack{Config: cfg, Needs: needs, Now: time.Now}
	if needs&Postgres != 0 {
		pool, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseSchema)
		if err != nil {
			return nil, err
		}
		s.DB = pool
	}
	if needs&Redis != 0 {
		s.Redis = redis.NewClient(&redis.Options{
			Addr:     cfg.RedisAddr,
			Password: cfg.RedisPassword,
			DB:       cfg.RedisDB,
			// Redis is an accelerator: fail fast and fall back to Postgres.
			DialTimeout:  time.Second,
			ReadTimeout:  500 * time.Millisecond,
			WriteTimeout: 500 * time.Millisecond,
			MaxRetries:   1,
		})
		// A span per command inside a traced request or delivery; the
		// command's arguments (tokens, keys of members) are not recorded.
		if err := redisotel.InstrumentTracing(s.Redis, redisotel.WithDBStatement(false)); err != nil {
			return nil, fmt.Errorf("redis tracing: %w", err)
		}
	}
	if needs&Postgres != 0 {
		s.Auth = newVerifier(s)
	}
	if needs&Kafka != 0 {
		o := kafka.OptionsFrom(cfg)
		o.Topics.Now = func() time.Time { return s.Now() } // follows a test's clock
		s.Publisher = kafka.NewPublisher(o)
		if s.DB != nil {
			s.Outbox = outbox.New(s.DB, s.Publisher, outbox.Options{})
		}
	}
	if needs&S3 != 0 {
		s.Store = openStore(cfg)
	}
	return s, nil
}

// Warm opens the first PostgreSQL and Redis connections and loads the
// signing keys, all in parallel, so that the first requests find them
// ready. Functions call it in the background after Start: a request that
// comes first connects by itself, and failures are only logged (the
// readiness probe reports them).
func (s *Stack) Warm(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	run := func(what string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "warm-up failed", "system", what, "err", err)
			}
		}()
	}
	if s.DB != nil {
		run("postgres", func() error { return s.DB.Ping(ctx) })
	}
	if s.Redis != nil {
		run("redis", func() error { return s.Redis.Ping(ctx).Err() })
	}
	if s.Auth != nil {
		run("signing keys", func() error { return s.Auth.Warm(ctx) })
	}
	wg.Wait()
}

// newVerifier builds the process's token verifier: keys from the JWKS URL
// when one is configured, else from Postgres; revocations from Redis with
// Postgres as the truth. It reads the time through s.Now, so a test that
// replaces the clock moves the verifier's too.
func newVerifier(s *Stack) *auth.Verifier {
	var src auth.KeySource = auth.Keys{DB: s.DB, Grace: s.Config.KeyGrace}
	if s.Config.JWKSURL != "" {
		src = auth.JWKSKeys{URL: s.Config.JWKSURL}
	}
	return auth.NewVerifier(auth.VerifierConfig{
		Issuer:      s.Config.JWTIssuer,
		Audience:    s.Config.JWTAudience,
		Source:      src,
		DB:          s.DB,
		Redis:       s.Redis,
		RedisPrefix: s.Config.RedisPrefix,
		Now:         func() time.Time { return s.Now() },
		Fallback:    func(cache, reason string) { s.Observe().Fallback(cache, reason) },
	})
}

// Close closes every open connection.
func (s *Stack) Close() {
	if s.Outbox != nil {
		// Dispatch what is queued while the publisher is still open; what
		// does not make it in time stays pending for the relay.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.Outbox.Close(ctx)
		cancel()
	}
	if s.Publisher != nil {
		_ = s.Publisher.Close()
	}
	if s.DB != nil {
		s.DB.Close()
	}
	if s.Redis != nil {
		_ = s.Redis.Close()
	}
}

// Check pings the systems of which (among those the stack opened) and
// returns what does not answer.
func (s *Stack) Check(ctx context.Context, which Needs) error {
	which &= s.Needs
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var errs []error
	if which&Postgres != 0 {
		if err := s.DB.Ping(ctx); err != nil {
			errs = append(errs, fmt.Errorf("postgres: %w", err))
		}
	}
	if which&Redis != 0 {
		if err := s.Redis.Ping(ctx).Err(); err != nil {
			errs = append(errs, fmt.Errorf("redis: %w", err))
		}
	}
	if which&Kafka != 0 {
		if err := kafka.Ping(ctx, s.Config.KafkaBrokers); err != nil {
			errs = append(errs, fmt.Errorf("kafka: %w", err))
		}
	}
	if which&S3 != 0 {
		if err := s.Store.Ping(ctx); err != nil {
			errs = append(errs, fmt.Errorf("s3: %w", err))
		}
	}
	return errors.Join(errs...)
}
