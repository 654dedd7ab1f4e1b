// Package follow is dailyfeed's follow graph: follow-member and
// unfollow-member, with the members' followers and following counts kept
// true in the same transaction and a MEMBER_FOLLOW / MEMBER_UNFOLLOW event
// in the outbox (internal/outbox/emit).
//
// # Rules
//
//   - Following oneself is 400 CANNOT_FOLLOW_SELF; an unknown or
//     deactivated member is 404 MEMBER_NOT_FOUND.
//   - Following twice is 409 ALREADY_FOLLOWING; unfollowing a member one
//     does not follow is 404 FOLLOW_NOT_FOUND.
//   - A member follows at most MaxFollowings members: one more is 409
//     FOLLOW_LIMIT_EXCEEDED (a conflict with the member's current state,
//     which an unfollow resolves, rather than a malformed request).
//
// # Concurrency
//
// A write locks both member rows in ascending id order (so A→B and B→A
// at once cannot deadlock), then checks the limit under the lock; the
// primary key of follows decides duplicates.
package follow

import (
	"context"
	"fmt"
	"time"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/outbox/emit"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// MaxFollowings is how many members one member may follow.
const MaxFollowings = 1000

// Codes of the follow domain (declared with their status in errcode).
const (
	AlreadyFollowing    = errcode.AlreadyFollowing
	FollowNotFound      = errcode.FollowNotFound
	CannotFollowSelf    = errcode.CannotFollowSelf
	FollowLimitExceeded = errcode.FollowLimitExceeded
)

// Errors of the domain.
var (
	ErrAlreadyFollowing = errcode.New(AlreadyFollowing, "already following this member")
	ErrNotFollowing     = errcode.New(FollowNotFound, "not following this member")
	ErrSelf             = errcode.New(CannotFollowSelf, "a member cannot follow themself")
	ErrLimit            = errcode.Errorf(FollowLimitExceeded, "a member can follow at most %d members", MaxFollowings)
	ErrMemberNotFound   = errcode.New(errcode.MemberNotFound, "member not found")
)

// Result is the answer of follow and unfollow: the relation and both
// members' counts after the change.
type Result struct {
	FollowerID     int64 `json:"followerId"`
	FollowingID    int64 `json:"followingId"`
	Following      bool  `json:"following"`
	FollowersCount int64 `json:"followersCount"` // of the followed member
	FollowingCount int64 `json:"followingCount"` // of the follower
}

// Service is the follow writes.
type Service struct {
	DB     postgres.DB
	Writer emit.Writer
	Now    func() time.Time
}

// Follow makes follower follow followee. Emits MEMBER_FOLLOW.
func (s *Service) Follow(ctx context.Context, follower, followee int64) (Result, error) {
	return s.change(ctx, events.MemberFollow, follower, followee)
}

// Unfollow makes follower stop following followee. Emits MEMBER_UNFOLLOW.
func (s *Service) Unfollow(ctx context.Context, follower, followee int64) (Result, error) {
	return s.change(ctx, events.MemberUnfollow, follower, followee)
}

func (s *Service) change(ctx context.Context, t events.Type, follower, followee int64) (Result, error) {
	if follower == followee {
		return Result{}, ErrSelf
	}
	follow := t == events.MemberFollow
	now := s.Now().Truncate(time.Microsecond)
	res := Result{FollowerID: follower, FollowingID: followee, Following: follow}
	err := s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		counts, err := lockMembers(ctx, tx, follower, followee)
		if err != nil {
			return events.Payload{}, err
		}
		if follow {
			err = insertFollow(ctx, tx, follower, followee, counts[follower], now)
		} else {
			err = deleteFollow(ctx, tx, follower, followee)
		}
		if err != nil {
			return events.Payload{}, err
		}
		delta := int64(1)
		if !follow {
			delta = -1
		}
		if res.FollowingCount, res.FollowersCount, err = bumpCounts(ctx, tx, follower, followee, delta); err != nil {
			return events.Payload{}, err
		}
		return events.Payload{MemberID: follower, TargetMemberID: followee, MemberActivityType: t, CreatedAt: now}, nil
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// lockMembers locks the rows of both members in ascending id order and
// returns their following counts. The followee must be active (404
// otherwise); the follower is the authenticated caller.
func lockMembers(ctx context.Context, tx postgres.DB, follower, followee int64) (map[int64]int64, error) {
	rows, err := tx.Query(ctx, `
		SELECT id, following_count FROM members
		WHERE id = ANY($1) AND status = 'ACTIVE'
		ORDER BY id
		FOR NO KEY UPDATE`, []int64{follower, followee})
	if err != nil {
		return nil, fmt.Errorf("lock members: %w", err)
	}
	defer rows.Close()
	counts := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("lock members: %w", err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lock members: %w", err)
	}
	if _, ok := counts[followee]; !ok {
		return nil, ErrMemberNotFound
	}
	if _, ok := counts[follower]; !ok {
		return nil, errcode.New(errcode.MemberNotFound, "your account is not active")
	}
	return counts, nil
}

// insertFollow records the follow; following is the follower's count,
// read under its row lock.
func insertFollow(ctx context.Context, tx postgres.DB, follower, followee, following int64, now time.Time) error {
	err := postgres.ExecOne(ctx, tx, ErrAlreadyFollowing, "insert follow", `
		INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, follower, followee, now)
	if err != nil {
		return err
	}
	if following >= MaxFollowings {
		return ErrLimit
	}
	return nil
}

func deleteFollow(ctx context.Context, tx postgres.DB, follower, followee int64) error {
	return postgres.ExecOne(ctx, tx, ErrNotFollowing, "delete follow",
		`DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2`, follower, followee)
}

// bumpCounts moves the follower's following count and the followee's
// followers count by delta and returns them.
func bumpCounts(ctx context.Context, tx postgres.DB, follower, followee, delta int64) (following, followers int64, err error) {
	rows, err := tx.Query(ctx, `
		UPDATE members SET
			following_count = following_count + CASE WHEN id = $1 THEN $3::int ELSE 0 END,
			followers_count = followers_count + CASE WHEN id = $2 THEN $3::int ELSE 0 END
		WHERE id IN ($1, $2)
		RETURNING id, following_count, followers_count`, follower, followee, delta)
	if err != nil {
		return 0, 0, fmt.Errorf("update follow counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, fing, fers int64
		if err := rows.Scan(&id, &fing, &fers); err != nil {
			return 0, 0, fmt.Errorf("update follow counts: %w", err)
		}
		if id == follower {
			following = fing
		} else {
			followers = fers
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("update follow counts: %w", err)
	}
	return following, followers, nil
}
