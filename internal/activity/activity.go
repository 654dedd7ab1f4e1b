// Package activity is dailyfeed's activity service: it records every member
// activity event (record-activity) and answers the activity log of a member
// (my-activities) and the notification banner, what the members one
// follows did (activity-feed).
//
// # Recording: idempotent, at least once in, exactly one row out
//
// KafkaSources deliver at least once, and the outbox may publish an event
// twice, so record-activity sees duplicates. Two keys exist:
//
//   - the original's dedup key (events.DedupKeyOf, the dedupkey
//     extension), e.g. member_activity:kafka_event:POST_CREATE###{postId}###{memberId};
//   - the CloudEvent id, minted once per occurrence at the edge and kept by
//     the outbox, so every redelivery and re-publish of one occurrence
//     carries it.
//
// The dedup key is not unique per occurrence: like → cancel → like repeats
// LIKE_POST###{postId}###{memberId}, and the second like is an activity of
// its own. So the database row is keyed by the event id (UNIQUE, INSERT …
// ON CONFLICT DO NOTHING) and the dedup key is the Redis pre-check's key,
// holding the id of the event that recorded it:
//
//  1. GET {prefix}{dedupkey}. Its value is this event's id: a duplicate,
//     answered 2xx without touching the database. Another id (an earlier
//     occurrence of the same key) or no key: go on. Redis down: go on.
//  2. Insert the row in one transaction (any later side effect of the sink
//     joins it); a conflict on the event id is a duplicate, also 2xx.
//  3. Only after the commit, SET {prefix}{dedupkey} {event id} NX EX TTL.
//     A failure here is logged and ignored.
//
// Setting the key only after the commit is what makes the pre-check safe:
// Redis never says "seen" for an event whose row was not committed (a crash
// or a database error between the two leaves no key, and the redelivery
// writes the row). NX keeps the first occurrence's mark for its TTL; a
// later occurrence of the same key is recognised by the database. A
// redelivery after the TTL, or while Redis is down, reaches the database,
// whose unique key keeps one row.
//
// # The banner
//
// activity-feed shows, newest first, what the members the caller follows
// did: wrote, edited or deleted a post or comment, liked a post or comment,
// followed someone. Not shown to others, on purpose:
//
//   - reads (POST_READ, COMMENT_READ): recorded (my-activities lists them
//     to their member) but what someone reads is nobody else's business;
//   - cancellations (LIKE_POST_CANCEL, LIKE_COMMENT_CANCEL,
//     MEMBER_UNFOLLOW): broadcasting that someone took a like or a follow
//     back is a notification nobody wants to cause.
//
// Activities of deactivated members are not shown. Each item carries the
// actor's member summary and its target: the post, the comment or the
// member it is about, with a snippet (the first 100 characters of the post
// or comment). A target that was deleted since (or a member deactivated)
// is shown as deleted, without a snippet: the snippet is cut in SQL only
// from live rows, so deleted content never leaves the database.
//
// A page costs two queries whatever its size: the activities with their
// targets (one join), then the summaries of their actors and target
// members (one query).
package activity

import (
	"time"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/member"
)

// DedupTTL is how long the Redis pre-check remembers an event.
const DedupTTL = 24 * time.Hour

// SnippetLength is the length of a target's snippet, in characters.
const SnippetLength = 100

// Item is one activity in the API's shape: the original's activity record
// plus what the banner renders.
type Item struct {
	ID                 int64           `json:"id"`
	MemberID           int64           `json:"memberId"`
	MemberActivityType events.Type     `json:"memberActivityType"`
	PostID             *int64          `json:"postId"`
	CommentID          *int64          `json:"commentId"`
	TargetMemberID     int64           `json:"targetMemberId"`
	CreatedAt          time.Time       `json:"createdAt"`
	UpdatedAt          time.Time       `json:"updatedAt"`
	Actor              *member.Summary `json:"actor"`
	Target             Target          `json:"target"`
}

// Target is what an activity is about.
type Target struct {
	// Kind is "post", "comment" or "member".
	Kind string `json:"kind"`
	// Snippet is the start of the post or comment, or the member's
	// display name; null when deleted.
	Snippet *string `json:"snippet"`
	// Deleted is true when the post or comment was deleted or the member
	// deactivated.
	Deleted bool `json:"deleted"`
}

// Target kinds.
const (
	KindPost    = "post"
	KindComment = "comment"
	KindMember  = "member"
)

// KindOf returns the kind of target of an activity type.
func KindOf(t events.Type) string {
	switch t {
	case events.PostCreate, events.PostUpdate, events.PostDelete, events.PostRead,
		events.LikePost, events.LikePostCancel:
		return KindPost
	case events.MemberFollow, events.MemberUnfollow:
		return KindMember
	default:
		return KindComment
	}
}

// BannerTypes are the activity types activity-feed shows to followers
// (see the package doc for what is left out and why).
var BannerTypes = []events.Type{
	events.PostCreate, events.PostUpdate, events.PostDelete,
	events.CommentCreate, events.CommentUpdate, events.CommentDelete,
	events.LikePost, events.LikeComment,
	events.MemberFollow,
}
