package activity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/events"
)

// TxBeginner is what Recorder needs from the pool.
type TxBeginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Recorder records activity events idempotently (see the package doc).
type Recorder struct {
	DB TxBeginner
	// Redis is the pre-check; nil skips it.
	Redis  *redis.Client
	Prefix string        // config.RedisPrefix
	TTL    time.Duration // DedupTTL when zero
	Now    func() time.Time
}

// Outcome says what Record did.
type Outcome int

const (
	Recorded        Outcome = iota + 1 // a new row
	DuplicateRedis                     // the pre-check knew the event
	DuplicateUnique                    // the unique key knew the event
)

func (o Outcome) String() string {
	switch o {
	case Recorded:
		return "recorded"
	case DuplicateRedis:
		return "duplicate (redis)"
	case DuplicateUnique:
		return "duplicate (database)"
	}
	return "unknown"
}

// Record stores the activity of e. A malformed or unknown event is a
// MALFORMED_EVENT error (400); a database failure is an uncoded error (5xx,
// retried); a duplicate is no error.
func (r Recorder) Record(ctx context.Context, e event.Event) (Outcome, error) {
	// Parse: anything malformed is permanent.
	p, err := events.Parse(e)
	if err != nil {
		return 0, err
	}
	key := r.Prefix + events.DedupKeyOf(e)
	// Pre-check: the key holds the id of the event that recorded it.
	if r.seen(ctx, key, e.ID()) {
		return DuplicateRedis, nil
	}
	// The row, keyed by the event id, in one transaction.
	inserted, err := r.insert(ctx, e, p)
	if err != nil {
		return 0, err
	}
	// Only now that the row is committed may Redis say "seen".
	r.mark(ctx, key, e.ID())
	if !inserted {
		return DuplicateUnique, nil
	}
	return Recorded, nil
}

func (r Recorder) seen(ctx context.Context, key, id string) bool {
	if r.Redis == nil {
		return false
	}
	v, err := r.Redis.Get(ctx, key).Result()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			slog.WarnContext(ctx, "dedup pre-check unavailable, using the database", "err", err)
		}
		return false
	}
	return v == id
}

func (r Recorder) mark(ctx context.Context, key, id string) {
	if r.Redis == nil {
		return
	}
	ttl := r.TTL
	if ttl <= 0 {
		ttl = DedupTTL
	}
	if err := r.Redis.SetNX(ctx, key, id, ttl).Err(); err != nil {
		slog.WarnContext(ctx, "dedup mark not written", "key", key, "err", err)
	}
}

func (r Recorder) insert(ctx context.Context, e event.Event, p events.Payload) (bool, error) {
	tx, err := r.DB.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("record activity: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	const q = `
		INSERT INTO activities (event_id, dedup_key, member_id, activity_type, post_id, comment_id,
			target_member_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, NULLIF($5::bigint, 0), NULLIF($6::bigint, 0), $7, $8, $9)
		ON CONFLICT (event_id) DO NOTHING`
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	tag, err := tx.Exec(ctx, q, e.ID(), events.DedupKeyOf(e), p.MemberID, string(p.MemberActivityType),
		p.PostID, p.CommentID, p.TargetMemberID, p.CreatedAt, now)
	if err != nil {
		return false, fmt.Errorf("record activity: insert: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("record activity: commit: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
