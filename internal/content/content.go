// Package content is dailyfeed's content domain: posts, comments and
// replies, and likes of both. It validates the write requests, runs every
// write in one transaction with its activity event (internal/outbox/emit),
// keeps the like, comment and reply counts true in that transaction, and
// answers posts and comments in the API's shapes (Post, Comment), which the
// read side reuses through Store.Posts and Store.Comments.
//
// # Rules
//
//   - A post's content is 1–5000 characters (Unicode code points, after
//     trimming surrounding white space); its title is optional, at most 200.
//     A comment or reply is 1–1000 characters.
//   - Only the author updates or deletes a post or comment: another member
//     gets 403 POST_FORBIDDEN / COMMENT_FORBIDDEN and nothing changes.
//   - Deletes are soft. A deleted post or comment is 404 to every write,
//     its author's included. Deleting a comment deletes its whole subtree of
//     replies. Deleting a post deletes its comments too (they are hidden
//     with it, in search and member-comments as well), and its counts stay
//     as they were at deletion.
//   - Replies nest at most three levels: a top-level comment has depth 0,
//     a reply depth parent+1 ≤ 2 (400 REPLY_DEPTH_EXCEEDED beyond). A reply
//     is on its parent's post (400 REPLY_POST_MISMATCH otherwise).
//   - One like per member per post or comment: liking twice is 409
//     ALREADY_LIKED, cancelling a missing like 404 LIKE_NOT_FOUND. Like and
//     unlike answer the new like count.
//   - posts.comment_count counts the post's live comments at every depth;
//     comments.reply_count its live direct replies.
//
// # Concurrency
//
// Counts move by UPDATE … SET n = n ± 1 on the locked row, in the write's
// transaction; the primary keys of post_likes and comment_likes decide
// duplicates. Writes lock a post before its comments, so they cannot
// deadlock one another.
package content

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// Codes of the content domain (declared with their status in errcode).
const (
	PostNotFound       = errcode.PostNotFound
	PostForbidden      = errcode.PostForbidden
	CommentNotFound    = errcode.CommentNotFound
	CommentForbidden   = errcode.CommentForbidden
	AlreadyLiked       = errcode.AlreadyLiked
	LikeNotFound       = errcode.LikeNotFound
	ReplyDepthExceeded = errcode.ReplyDepthExceeded
	ReplyPostMismatch  = errcode.ReplyPostMismatch
	AuthorDeactivated  = errcode.AuthorDeactivated
)

// Errors of the domain.
var (
	ErrPostNotFound      = errcode.New(PostNotFound, "post not found")
	ErrPostForbidden     = errcode.New(PostForbidden, "only the author can change this post")
	ErrCommentNotFound   = errcode.New(CommentNotFound, "comment not found")
	ErrCommentForbidden  = errcode.New(CommentForbidden, "only the author can change this comment")
	ErrAlreadyLiked      = errcode.New(AlreadyLiked, "already liked")
	ErrLikeNotFound      = errcode.New(LikeNotFound, "not liked")
	ErrReplyDepth        = errcode.Errorf(ReplyDepthExceeded, "replies nest at most %d levels", MaxDepth+1)
	ErrReplyPost         = errcode.New(ReplyPostMismatch, "postId: the parent comment is on another post")
	ErrAuthorDeactivated = errcode.New(AuthorDeactivated, "the author of this content is deactivated; it can be read but not liked or commented on")
)

// Limits, in characters (Unicode code points).
const (
	MaxPostContent    = 5000
	MaxPostTitle      = 200
	MaxCommentContent = 1000
	// MaxDepth is the depth of the deepest reply (three levels: 0, 1, 2).
	MaxDepth = 2
)

func invalid(field, format string, args ...any) error {
	return errcode.Errorf(errcode.ValidationFailed, field+": "+format, args...)
}

// text trims s and checks its length in characters.
func text(field, s string, minLen, maxLen int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid(field, "must be valid UTF-8")
	}
	if strings.ContainsRune(s, 0) {
		return "", invalid(field, "must not contain NUL characters")
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < minLen && minLen == 1:
		return "", invalid(field, "is required")
	case n < minLen || n > maxLen:
		return "", invalid(field, "must be %d to %d characters (got %d)", minLen, maxLen, n)
	}
	return s, nil
}

// ID is an entity id in a request body: a JSON number or a numeric string
// (as Jackson accepts), positive.
type ID int64

// UnmarshalJSON reads a number or a numeric string.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: idType}
	}
	*id = ID(n)
	return nil
}

var idType = reflect.TypeOf(int64(0))

func positive(field string, id ID) error {
	if id <= 0 {
		return invalid(field, "must be a positive id")
	}
	return nil
}

// NewPost is the create-post request.
type NewPost struct {
	Title   *string `json:"title"`
	Content *string `json:"content"`
}

// Validate checks in and returns it normalised (trimmed; an empty title is
// no title).
func (in NewPost) Validate() (NewPost, error) {
	if in.Content == nil {
		return in, invalid("content", "is required")
	}
	c, err := text("content", *in.Content, 1, MaxPostContent)
	if err != nil {
		return in, err
	}
	out := NewPost{Content: &c}
	if in.Title != nil {
		t, err := text("title", *in.Title, 0, MaxPostTitle)
		if err != nil {
			return in, err
		}
		if t != "" {
			out.Title = &t
		}
	}
	return out, nil
}

// PostUpdate is the update-post request: an absent field stays as it is,
// an empty title removes the title. At least one field is required.
type PostUpdate struct {
	Title   *string `json:"title"`
	Content *string `json:"content"`
}

// Validate checks in and returns it normalised.
func (in PostUpdate) Validate() (PostUpdate, error) {
	if in.Title == nil && in.Content == nil {
		return in, invalid("content", "is required (or title)")
	}
	var out PostUpdate
	if in.Content != nil {
		c, err := text("content", *in.Content, 1, MaxPostContent)
		if err != nil {
			return in, err
		}
		out.Content = &c
	}
	if in.Title != nil {
		t, err := text("title", *in.Title, 0, MaxPostTitle)
		if err != nil {
			return in, err
		}
		out.Title = &t
	}
	return out, nil
}

// NewComment is the create-comment request.
type NewComment struct {
	PostID  ID      `json:"postId"`
	Content *string `json:"content"`
}

// Validate checks in and returns it normalised.
func (in NewComment) Validate() (NewComment, error) {
	if err := positive("postId", in.PostID); err != nil {
		return in, err
	}
	c, err := commentText(in.Content)
	if err != nil {
		return in, err
	}
	return NewComment{PostID: in.PostID, Content: &c}, nil
}

// NewReply is the create-reply request.
type NewReply struct {
	PostID   ID      `json:"postId"`
	ParentID ID      `json:"parentId"`
	Content  *string `json:"content"`
}

// Validate checks in and returns it normalised.
func (in NewReply) Validate() (NewReply, error) {
	if err := positive("postId", in.PostID); err != nil {
		return in, err
	}
	if err := positive("parentId", in.ParentID); err != nil {
		return in, err
	}
	c, err := commentText(in.Content)
	if err != nil {
		return in, err
	}
	return NewReply{PostID: in.PostID, ParentID: in.ParentID, Content: &c}, nil
}

// CommentUpdate is the update-comment request.
type CommentUpdate struct {
	Content *string `json:"content"`
}

// Validate checks in and returns it normalised.
func (in CommentUpdate) Validate() (CommentUpdate, error) {
	c, err := commentText(in.Content)
	if err != nil {
		return in, err
	}
	return CommentUpdate{Content: &c}, nil
}

func commentText(s *string) (string, error) {
	if s == nil {
		return "", invalid("content", "is required")
	}
	return text("content", *s, 1, MaxCommentContent)
}

// Post is the API's post shape. liked is whether the reader likes it.
type Post struct {
	ID              int64     `json:"id"`
	Title           *string   `json:"title"`
	Content         string    `json:"content"`
	AuthorID        int64     `json:"authorId"`
	AuthorName      string    `json:"authorName"`
	AuthorHandle    string    `json:"authorHandle"`
	AuthorAvatarURL *string   `json:"authorAvatarUrl"`
	ViewCount       int64     `json:"viewCount"`
	LikeCount       int64     `json:"likeCount"`
	CommentCount    int64     `json:"commentCount"`
	Liked           bool      `json:"liked"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// Comment is the API's comment shape (replies too). parentId is null for a
// top-level comment.
type Comment struct {
	ID              int64     `json:"id"`
	PostID          int64     `json:"postId"`
	ParentID        *int64    `json:"parentId"`
	Depth           int       `json:"depth"`
	Content         string    `json:"content"`
	AuthorID        int64     `json:"authorId"`
	AuthorName      string    `json:"authorName"`
	AuthorHandle    string    `json:"authorHandle"`
	AuthorAvatarURL *string   `json:"authorAvatarUrl"`
	LikeCount       int64     `json:"likeCount"`
	ReplyCount      int64     `json:"replyCount"`
	Liked           bool      `json:"liked"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// PostDeleted is delete-post's answer.
type PostDeleted struct {
	ID        int64     `json:"id"`
	Deleted   bool      `json:"deleted"`
	DeletedAt time.Time `json:"deletedAt"`
}

// CommentDeleted is delete-comment's answer: how many comments went, the
// comment and its replies.
type CommentDeleted struct {
	ID              int64     `json:"id"`
	Deleted         bool      `json:"deleted"`
	DeletedComments int64     `json:"deletedComments"`
	DeletedAt       time.Time `json:"deletedAt"`
}
