// Package events owns every member activity event of dailyfeed: its type,
// its payload, its CloudEvent mapping, its Kafka message key and its dedup
// key. Producers build events with New; sinks read them back with Parse.
//
// # CloudEvent mapping
//
//	id              a UUIDv7 minted by New, at the edge (the write function);
//	                it is stored in the outbox, so a re-publish keeps it
//	source          "/dailyfeed/{function}", e.g. "/dailyfeed/create-post"
//	type            see the table below; ".v1" is the payload version
//	subject         the entity id (decimal), also the Kafka message key
//	time            the payload's createdAt
//	datacontenttype application/json
//	data            Payload as JSON (camelCase)
//	dedupkey        extension: the original's dedup key (ce_dedupkey on Kafka)
//
// # Types
//
//	activity type         CloudEvent type                 entity (subject, key)   dedup key timestamp
//	POST_CREATE           dailyfeed.post.created.v1       post id                 no
//	POST_UPDATE           dailyfeed.post.updated.v1       post id                 yes
//	POST_DELETE           dailyfeed.post.deleted.v1       post id                 yes
//	POST_READ             dailyfeed.post.read.v1          post id                 yes
//	COMMENT_CREATE        dailyfeed.comment.created.v1    comment id              no
//	COMMENT_UPDATE        dailyfeed.comment.updated.v1    comment id              yes
//	COMMENT_DELETE        dailyfeed.comment.deleted.v1    comment id              yes
//	COMMENT_READ          dailyfeed.comment.read.v1       comment id              yes
//	LIKE_POST             dailyfeed.post.liked.v1         post id                 no
//	LIKE_POST_CANCEL      dailyfeed.post.unliked.v1       post id                 no
//	LIKE_COMMENT          dailyfeed.comment.liked.v1      comment id              no
//	LIKE_COMMENT_CANCEL   dailyfeed.comment.unliked.v1    comment id              no
//	MEMBER_FOLLOW         dailyfeed.member.followed.v1    followed member id      yes
//	MEMBER_UNFOLLOW       dailyfeed.member.unfollowed.v1  followed member id      yes
//
// # Payload fields
//
// memberId is the member who acted. targetMemberId is the author of the
// entity the event is about (the post's author for POST_* and LIKE_POST*,
// the comment's author for COMMENT_* and LIKE_COMMENT*) or the followed
// member (MEMBER_*): the member a notification would go to. postId is
// required for post and comment events (a comment's post), commentId for
// comment events; follow events carry neither.
//
// # Dedup keys
//
// The format of the service dailyfeed replaces, prefix "member_activity:kafka_event:":
//
//	POST_CREATE                                {TYPE}###{postId}###{memberId}
//	POST_UPDATE, POST_DELETE, POST_READ        {TYPE}###{postId}###{memberId}###{timestamp}
//	COMMENT_CREATE                             {TYPE}###{commentId}###{memberId}
//	COMMENT_UPDATE, COMMENT_DELETE, _READ      {TYPE}###{commentId}###{memberId}###{timestamp}
//	LIKE_POST, LIKE_POST_CANCEL                {TYPE}###{postId}###{memberId}
//	LIKE_COMMENT, LIKE_COMMENT_CANCEL          {TYPE}###{commentId}###{memberId}
//	MEMBER_FOLLOW, MEMBER_UNFOLLOW             {TYPE}###{targetMemberId}###{memberId}###{timestamp}
//
// Deliberate differences from the original: COMMENT_CREATE uses the comment
// id (the original used the post id, so a member's second comment on a post
// was dropped as a duplicate). The follow keys are new; they carry the
// timestamp because follow → unfollow → follow again is three distinct
// events and the second follow must not be taken for a duplicate of the
// first.
//
// The timestamp is createdAt formatted "yyyy-MM-dd HH:mm:ss.SSSSSSSSS"
// (nine fraction digits) as wall-clock time in the topic time zone
// (config.TopicTimeZone, default Asia/Seoul, the original's zone). New
// truncates createdAt to microseconds, the precision of PostgreSQL's
// timestamptz, so the last three digits are always 000 and the key can be
// recomputed from a stored row; the original's LocalDateTime.now() had the
// same precision on Linux.
//
// Keys without a timestamp (POST_CREATE, COMMENT_CREATE and the likes) are
// not unique per occurrence: like → cancel → like again yields the first
// key twice. That is the original's format, kept exactly; a sink that must
// count every occurrence dedups on the CloudEvent id, which is unique per
// occurrence and stable across re-deliveries.
package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"
	"github.com/google/uuid"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// Type is a member activity type, the original's memberActivityType.
type Type string

// Every member activity type.
const (
	PostCreate        Type = "POST_CREATE"
	PostUpdate        Type = "POST_UPDATE"
	PostDelete        Type = "POST_DELETE"
	PostRead          Type = "POST_READ"
	CommentCreate     Type = "COMMENT_CREATE"
	CommentUpdate     Type = "COMMENT_UPDATE"
	CommentDelete     Type = "COMMENT_DELETE"
	CommentRead       Type = "COMMENT_READ"
	LikePost          Type = "LIKE_POST"
	LikePostCancel    Type = "LIKE_POST_CANCEL"
	LikeComment       Type = "LIKE_COMMENT"
	LikeCommentCancel Type = "LIKE_COMMENT_CANCEL"
	MemberFollow      Type = "MEMBER_FOLLOW"
	MemberUnfollow    Type = "MEMBER_UNFOLLOW"
)

// MalformedEvent is the code of an event a sink cannot accept: unknown type,
// bad data, missing fields (400: dead-lettered, never retried).
const MalformedEvent = errcode.MalformedEvent

// DedupKeyExtension is the CloudEvent extension carrying the dedup key; in
// Kafka binary mode it is the ce_dedupkey header.
const DedupKeyExtension = "dedupkey"

// ContentType is the data content type of every event.
const ContentType = "application/json"

// dedupPrefix is the original's Redis key prefix of activity events.
const dedupPrefix = "member_activity:kafka_event:"

// timestampLayout is Java's "yyyy-MM-dd HH:mm:ss.SSSSSSSSS".
const timestampLayout = "2006-01-02 15:04:05.000000000"

type entity int

const (
	postEntity    entity = iota + 1 // keyed by postId
	commentEntity                   // keyed by commentId, postId required
	memberEntity                    // keyed by targetMemberId (the followed member)
)

type spec struct {
	ceType  string
	entity  entity
	stamped bool // the dedup key ends with the timestamp
}

var specs = map[Type]spec{
	PostCreate:        {"dailyfeed.post.created.v1", postEntity, false},
	PostUpdate:        {"dailyfeed.post.updated.v1", postEntity, true},
	PostDelete:        {"dailyfeed.post.deleted.v1", postEntity, true},
	PostRead:          {"dailyfeed.post.read.v1", postEntity, true},
	CommentCreate:     {"dailyfeed.comment.created.v1", commentEntity, false},
	CommentUpdate:     {"dailyfeed.comment.updated.v1", commentEntity, true},
	CommentDelete:     {"dailyfeed.comment.deleted.v1", commentEntity, true},
	CommentRead:       {"dailyfeed.comment.read.v1", commentEntity, true},
	LikePost:          {"dailyfeed.post.liked.v1", postEntity, false},
	LikePostCancel:    {"dailyfeed.post.unliked.v1", postEntity, false},
	LikeComment:       {"dailyfeed.comment.liked.v1", commentEntity, false},
	LikeCommentCancel: {"dailyfeed.comment.unliked.v1", commentEntity, false},
	MemberFollow:      {"dailyfeed.member.followed.v1", memberEntity, true},
	MemberUnfollow:    {"dailyfeed.member.unfollowed.v1", memberEntity, true},
}

// byCEType maps CloudEvent types back to activity types.
var byCEType = func() map[string]Type {
	m := make(map[string]Type, len(specs))
	for t, s := range specs {
		m[s.ceType] = t
	}
	return m
}()

// Types returns every activity type, in the order of the package doc.
func Types() []Type {
	return []Type{
		PostCreate, PostUpdate, PostDelete, PostRead,
		CommentCreate, CommentUpdate, CommentDelete, CommentRead,
		LikePost, LikePostCancel, LikeComment, LikeCommentCancel,
		MemberFollow, MemberUnfollow,
	}
}

// CEType returns the CloudEvent type of t, "" for an unknown type.
func (t Type) CEType() string { return specs[t].ceType }

// Valid reports whether t is a known activity type.
func (t Type) Valid() bool {
	_, ok := specs[t]
	return ok
}

// TypeOf returns the activity type of a CloudEvent type.
func TypeOf(ceType string) (Type, bool) {
	t, ok := byCEType[ceType]
	return t, ok
}

// Payload is the data of every activity event.
type Payload struct {
	MemberID           int64     `json:"memberId"`
	PostID             int64     `json:"postId,omitempty"`
	CommentID          int64     `json:"commentId,omitempty"`
	TargetMemberID     int64     `json:"targetMemberId"`
	MemberActivityType Type      `json:"memberActivityType"`
	CreatedAt          time.Time `json:"createdAt"`
}

// EntityID returns the id of the entity the event is about: the post, the
// comment or the followed member. It is the event's subject and Kafka key.
func (p Payload) EntityID() int64 {
	switch specs[p.MemberActivityType].entity {
	case postEntity:
		return p.PostID
	case commentEntity:
		return p.CommentID
	case memberEntity:
		return p.TargetMemberID
	}
	return 0
}

// Validate reports what is wrong with p, nil when it is a complete event.
func (p Payload) Validate() error {
	s, ok := specs[p.MemberActivityType]
	if !ok {
		return fmt.Errorf("unknown memberActivityType %q", p.MemberActivityType)
	}
	var errs []error
	positive := func(name string, v int64) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be a positive id", name))
		}
	}
	absent := func(name string, v int64) {
		if v != 0 {
			errs = append(errs, fmt.Errorf("%s must be absent from %s", name, p.MemberActivityType))
		}
	}
	positive("memberId", p.MemberID)
	positive("targetMemberId", p.TargetMemberID)
	switch s.entity {
	case postEntity:
		positive("postId", p.PostID)
		absent("commentId", p.CommentID)
	case commentEntity:
		positive("postId", p.PostID)
		positive("commentId", p.CommentID)
	case memberEntity:
		absent("postId", p.PostID)
		absent("commentId", p.CommentID)
		if p.MemberID == p.TargetMemberID && p.MemberID > 0 {
			errs = append(errs, errors.New("a member cannot follow or unfollow themself"))
		}
	}
	switch y := p.CreatedAt.UTC().Year(); {
	case p.CreatedAt.IsZero():
		errs = append(errs, errors.New("createdAt is required"))
	case y < 1 || y > 9999:
		// Found by FuzzParse: "0000-01-01T00:00:00+01:00" is year -1 in
		// UTC, which no RFC 3339 text (and so no re-encoding) can hold.
		errs = append(errs, fmt.Errorf("createdAt %s is outside the years 1 to 9999 (UTC)", p.CreatedAt.Format(time.RFC3339)))
	}
	return errors.Join(errs...)
}

// DedupKey returns the original's dedup key of p (see the package doc), its
// timestamp written in zone.
func DedupKey(p Payload, zone *time.Location) string {
	s := specs[p.MemberActivityType]
	var b strings.Builder
	b.WriteString(dedupPrefix)
	b.WriteString(string(p.MemberActivityType))
	b.WriteString("###")
	b.WriteString(strconv.FormatInt(p.EntityID(), 10))
	b.WriteString("###")
	b.WriteString(strconv.FormatInt(p.MemberID, 10))
	if s.stamped {
		b.WriteString("###")
		b.WriteString(p.CreatedAt.In(zone).Format(timestampLayout))
	}
	return b.String()
}

// Source returns the CloudEvent source of events emitted by function.
func Source(function string) string { return "/dailyfeed/" + function }

// New builds the CloudEvent of p, emitted by function (e.g. "create-post"),
// with a fresh id. createdAt is truncated to microseconds and expressed in
// zone (config.TopicTimeZone), which also writes the dedup key's
// timestamp. An invalid payload is a programming error of the producer and
// comes back as an internal (uncoded) error.
func New(function string, p Payload, zone *time.Location) (event.Event, error) {
	if function == "" {
		return event.Event{}, errors.New("new event: empty function name")
	}
	if zone == nil {
		return event.Event{}, errors.New("new event: nil time zone")
	}
	p.CreatedAt = p.CreatedAt.Truncate(time.Microsecond).In(zone)
	if err := p.Validate(); err != nil {
		return event.Event{}, fmt.Errorf("new %s event: %w", p.MemberActivityType, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return event.Event{}, fmt.Errorf("new event id: %w", err)
	}
	e := event.New(event.CloudEventsVersionV1)
	e.SetID(id.String())
	e.SetSource(Source(function))
	e.SetType(p.MemberActivityType.CEType())
	e.SetSubject(strconv.FormatInt(p.EntityID(), 10))
	e.SetTime(p.CreatedAt)
	e.SetExtension(DedupKeyExtension, DedupKey(p, zone))
	if err := e.SetData(ContentType, p); err != nil {
		return event.Event{}, fmt.Errorf("encode %s event: %w", p.MemberActivityType, err)
	}
	if err := e.Validate(); err != nil {
		return event.Event{}, fmt.Errorf("new %s event: %w", p.MemberActivityType, err)
	}
	return e, nil
}

// Key returns the Kafka message key of e: its entity id (the subject), so
// one post's, comment's or followed member's events share a partition and
// stay in order.
func Key(e event.Event) string { return e.Subject() }

// DedupKeyOf returns the dedup key e carries, "" when it has none.
func DedupKeyOf(e event.Event) string {
	v, ok := e.Extensions()[DedupKeyExtension]
	if !ok {
		return ""
	}
	s, err := types.ToString(v)
	if err != nil {
		return ""
	}
	return s
}

// Parse checks that e is a dailyfeed activity event and returns its
// payload. Anything malformed is a MalformedEvent error, which a sink
// answers with 400 (dead-lettered, not retried).
func Parse(e event.Event) (Payload, error) {
	if err := e.Validate(); err != nil {
		return Payload{}, malformed("invalid cloudevent: %v", err)
	}
	t, ok := TypeOf(e.Type())
	if !ok {
		return Payload{}, malformed("unknown event type %q", e.Type())
	}
	if ct := e.DataContentType(); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != ContentType {
			return Payload{}, malformed("%s: data content type %q, want %s", e.Type(), ct, ContentType)
		}
	}
	if len(e.Data()) == 0 {
		return Payload{}, malformed("%s: no data", e.Type())
	}
	var p Payload
	if err := json.Unmarshal(e.Data(), &p); err != nil {
		return Payload{}, malformed("%s: decode data: %v", e.Type(), err)
	}
	if p.MemberActivityType != t {
		return Payload{}, malformed("%s: memberActivityType %q does not match the event type", e.Type(), p.MemberActivityType)
	}
	if err := p.Validate(); err != nil {
		return Payload{}, malformed("%s: %v", e.Type(), err)
	}
	if want := strconv.FormatInt(p.EntityID(), 10); e.Subject() != want {
		return Payload{}, malformed("%s: subject %q, want the entity id %s", e.Type(), e.Subject(), want)
	}
	if DedupKeyOf(e) == "" {
		return Payload{}, malformed("%s: missing the %s extension", e.Type(), DedupKeyExtension)
	}
	return p, nil
}

func malformed(format string, args ...any) error {
	return errcode.Errorf(MalformedEvent, format, args...)
}
