package timeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// pushScript adds score/member pairs (ARGV[2..]) to the timeline KEYS[1]
// and trims it to ARGV[1] entries, only when the timeline exists: a missing
// timeline is rebuilt from PostgreSQL when its member reads, so a push must
// not create one holding a single post. With KEYS[2], an unfollow
// tombstone, nothing is added while it exists (see unfollow).
var pushScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
for i = 2, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[1]) + 1))
return 1`)

// batch is how many followers one pipeline serves.
const batch = 1000

// Apply applies one activity event to the timelines (the fanout-feed
// sink). Events other than post creates and deletes and follows are
// ignored. Every change is idempotent; failures of PostgreSQL or Redis are
// SERVICE_UNAVAILABLE (the event is retried).
func (f *Feeds) Apply(ctx context.Context, p events.Payload) error {
	if f.Redis == nil {
		return errcode.New(errcode.Unavailable, "fanout-feed needs redis")
	}
	var err error
	switch p.MemberActivityType {
	case events.PostCreate:
		err = f.push(ctx, p.PostID)
	case events.PostDelete:
		err = f.remove(ctx, p.PostID)
	case events.MemberFollow:
		err = f.follow(ctx, p.MemberID, p.TargetMemberID)
	case events.MemberUnfollow:
		err = f.unfollow(ctx, p.MemberID, p.TargetMemberID)
	}
	if err != nil && errcode.Of(err) == errcode.Internal {
		err = errcode.Wrap(errcode.Unavailable, "fan-out failed", err)
	}
	return err
}

// postRow is what fan-out needs of a post.
type postRow struct {
	author    int64
	createdAt time.Time
	deleted   bool
	followers int64 // the author's
}

func (f *Feeds) postRow(ctx context.Context, id int64) (postRow, bool, error) {
	var r postRow
	err := f.DB.QueryRow(ctx, `
		SELECT p.author_id, p.created_at, p.deleted_at IS NOT NULL, m.followers_count
		FROM posts p JOIN members m ON m.id = p.author_id WHERE p.id = $1`, id).
		Scan(&r.author, &r.createdAt, &r.deleted, &r.followers)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("select post: %w", err)
	}
	return r, true, nil
}

// push pushes the live post id into its author's followers' timelines.
// A deleted post is not pushed, so a create delivered after its delete
// does not bring the post back; a heavy author is not pushed at all.
func (f *Feeds) push(ctx context.Context, id int64) error {
	r, ok, err := f.postRow(ctx, id)
	if err == nil && !ok {
		return unknownPost(id)
	}
	if err != nil || r.deleted || r.followers >= f.Options.HeavyThreshold {
		return err
	}
	args := []any{f.Options.Cap, r.createdAt.UnixMicro(), strconv.FormatInt(id, 10)}
	return f.eachFollower(ctx, r.author, func(ctx context.Context, p redis.Pipeliner, follower int64) {
		pushScript.EvalSha(ctx, p, []string{f.Key(follower), f.unfollowedKey(follower, r.author)}, args...)
	})
}

// remove removes the post id from its author's followers' timelines.
// Heavy authors' posts were not pushed; reads drop deleted posts anyway.
func (f *Feeds) remove(ctx context.Context, id int64) error {
	r, ok, err := f.postRow(ctx, id)
	if err == nil && !ok {
		return unknownPost(id)
	}
	if err != nil || r.followers >= f.Options.HeavyThreshold {
		return err
	}
	member := strconv.FormatInt(id, 10)
	return f.eachFollower(ctx, r.author, func(ctx context.Context, p redis.Pipeliner, follower int64) {
		p.ZRem(ctx, f.Key(follower), member)
	})
}

func unknownPost(id int64) error {
	return errcode.Errorf(errcode.UnknownEntity, "post %d does not exist", id)
}

// eachFollower runs cmd for each follower of author, in pipelines of batch
// commands.
func (f *Feeds) eachFollower(ctx context.Context, author int64, cmd func(context.Context, redis.Pipeliner, int64)) error {
	if err := pushScript.Load(ctx, f.Redis).Err(); err != nil {
		return fmt.Errorf("load push script: %w", err)
	}
	var last int64
	for {
		rows, err := f.DB.Query(ctx, `
			SELECT follower_id FROM follows WHERE followee_id = $1 AND follower_id > $2
			ORDER BY follower_id LIMIT $3`, author, last, batch)
		if err != nil {
			return fmt.Errorf("select followers: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("select followers: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		_, err = f.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, id := range ids {
				cmd(ctx, p, id)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fan out: %w", err)
		}
		if len(ids) < batch {
			return nil
		}
		last = ids[len(ids)-1]
	}
}

// recentPosts returns the latest live posts of author, at most one
// timeline's worth: the only ones of author a timeline can hold.
func (f *Feeds) recentPosts(ctx context.Context, author int64) ([]Key, error) {
	rows, err := f.DB.Query(ctx, `
		SELECT id, created_at FROM posts WHERE author_id = $1 AND deleted_at IS NULL
		ORDER BY created_at DESC, id DESC LIMIT $2`, author, f.Options.Cap)
	if err != nil {
		return nil, fmt.Errorf("select posts of followee: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Key, error) {
		var k Key
		err := r.Scan(&k.ID, &k.At)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("select posts of followee: %w", err)
	}
	return keys, nil
}

// follows reports whether follower follows followee now, and followee's
// followers count.
func (f *Feeds) follows(ctx context.Context, follower, followee int64) (bool, int64, error) {
	var following bool
	var followers int64
	err := f.DB.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2), m.followers_count
		FROM members m WHERE m.id = $2`, follower, followee).Scan(&following, &followers)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, 0, errcode.Errorf(errcode.UnknownEntity, "member %d does not exist", followee)
	}
	if err != nil {
		return false, 0, fmt.Errorf("select follow: %w", err)
	}
	return following, followers, nil
}

// unfollowedKey is the tombstone unfollow leaves for (follower,
// followee), and unfollowedTTL how long it stays: far longer than one
// push takes from reading the followers to writing the timelines.
func (f *Feeds) unfollowedKey(follower, followee int64) string {
	return f.Prefix + "unfollowed:" + strconv.FormatInt(follower, 10) + ":" + strconv.FormatInt(followee, 10)
}

const unfollowedTTL = time.Hour

// follow merges followee's recent posts into follower's timeline, if the
// follow still exists (a follow delivered after its unfollow is a no-op)
// and followee is pushed at all. It lifts the unfollow tombstone first, so
// pushes from now on reach follower again; a push the tombstone stopped
// was of a post committed before, which the merge reads.
func (f *Feeds) follow(ctx context.Context, follower, followee int64) error {
	ok, followers, err := f.follows(ctx, follower, followee)
	if err != nil || !ok {
		return err
	}
	if err := f.Redis.Del(ctx, f.unfollowedKey(follower, followee)).Err(); err != nil {
		return fmt.Errorf("lift unfollow tombstone: %w", err)
	}
	if followers >= f.Options.HeavyThreshold {
		return nil
	}
	keys, err := f.recentPosts(ctx, followee)
	if err != nil || len(keys) == 0 {
		return err
	}
	args := make([]any, 0, 1+2*len(keys))
	args = append(args, f.Options.Cap)
	for _, k := range keys {
		args = append(args, k.At.UnixMicro(), strconv.FormatInt(k.ID, 10))
	}
	err = pushScript.Run(ctx, f.Redis, []string{f.Key(follower)}, args...).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("merge followee: %w", err)
	}
	// A post deleted while the merge ran had its removal applied before
	// the merge wrote it (posts and follows are keyed apart).
	return f.recheck(ctx, follower, keys)
}

// unfollow removes followee's posts from follower's timeline, unless the
// follow exists again (an unfollow delivered after a new follow).
//
// Posts and follows are keyed apart, so a post's push runs concurrently
// with an unfollow of its author: a push that read the followers before
// the unfollow committed could write the post after the removal below.
// The tombstone, written first, stops such a push (pushScript checks it),
// so the timeline holds exactly what a rebuild would.
func (f *Feeds) unfollow(ctx context.Context, follower, followee int64) error {
	ok, _, err := f.follows(ctx, follower, followee)
	if err != nil || ok {
		return err
	}
	if err := f.Redis.Set(ctx, f.unfollowedKey(follower, followee), 1, unfollowedTTL).Err(); err != nil {
		return fmt.Errorf("write unfollow tombstone: %w", err)
	}
	// Deleted posts too: a delete committed after the unfollow skipped this
	// follower (no longer one) and left its post to this removal.
	rows, err := f.DB.Query(ctx, `
		SELECT id FROM posts WHERE author_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, followee, f.Options.Cap)
	if err != nil {
		return fmt.Errorf("select posts of followee: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		if err != nil {
			return fmt.Errorf("select posts of followee: %w", err)
		}
		return nil
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = strconv.FormatInt(id, 10)
	}
	if err := f.Redis.ZRem(ctx, f.Key(follower), members...).Err(); err != nil {
		return fmt.Errorf("remove followee: %w", err)
	}
	return nil
}
