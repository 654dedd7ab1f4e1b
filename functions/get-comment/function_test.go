package getcomment_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	getcomment "github.com/dailyfeed/dailyfeed/functions/get-comment"
	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

// TestGetComment: one live comment with true counts; a member's read of
// another member's comment commits one COMMENT_READ event to the outbox,
// the author's own read and an anonymous read commit nothing; a deleted or
// unknown comment is 404 and commits nothing; bad ids 400.
func TestGetComment(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(getcomment.New())
	author, reader := e.Member(), e.Member()
	post := e.Post(author, "a post").ID
	com := e.Comment(author, post, "the comment")
	e.Reply(reader, post, com.ID, "a reply")
	e.LikeComment(reader, com.ID)
	reply := e.Reply(author, post, com.ID, "a reply by the author")
	gone := e.Comment(reader, post, "deleted")
	e.DeleteComment(reader, gone.ID)

	tests := []struct {
		name   string
		as     contenttest.Member
		id     string
		status int
		code   string
		liked  bool
		event  bool // a COMMENT_READ event in the outbox
	}{
		{name: "another member", as: reader, id: fmt.Sprint(com.ID), status: 200, liked: true, event: true},
		{name: "the author", as: author, id: fmt.Sprint(com.ID), status: 200},
		{name: "anonymous", id: fmt.Sprint(com.ID), status: 200},
		{name: "a reply", as: reader, id: fmt.Sprint(reply.ID), status: 200, event: true},
		{name: "deleted", as: reader, id: fmt.Sprint(gone.ID), status: 404, code: "COMMENT_NOT_FOUND"},
		{name: "unknown", as: reader, id: "999999999", status: 404, code: "COMMENT_NOT_FOUND"},
		{name: "non-numeric", as: reader, id: "abc", status: 400, code: "VALIDATION_FAILED"},
		{name: "zero", id: "0", status: 400, code: "VALIDATION_FAILED"},
		{name: "overflow", id: "99999999999999999999", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad token", as: contenttest.Member{Token: "x.y.z"}, id: fmt.Sprint(com.ID), status: 401, code: "TOKEN_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := contenttest.Auth(tt.as)
			before := e.LastOutboxID()
			res := c.Do("GET", "/api/timeline/comments/"+tt.id, nil, opts...)
			contenttest.Want(t, res, tt.status, tt.code)
			if ev, ok := contenttest.ReadEvent(t, e.Outbox(before), tt.event, "COMMENT_READ"); ok {
				var got content.Comment
				res.Decode(t, &got)
				if ev.Type != "dailyfeed.comment.read.v1" || ev.Data.MemberActivityType != "COMMENT_READ" ||
					ev.Data.MemberID != tt.as.ID || ev.Data.CommentID != got.ID || ev.Data.PostID != post ||
					ev.Data.TargetMemberID != author.ID || ev.Key != fmt.Sprint(got.ID) {
					t.Errorf("event %+v", ev)
				}
			}
			if tt.status != http.StatusOK {
				return
			}
			var got content.Comment
			res.Decode(t, &got)
			if fmt.Sprint(got.ID) != tt.id || got.PostID != post || got.AuthorID != author.ID || got.Liked != tt.liked {
				t.Errorf("comment %+v", got)
			}
			if got.ID == com.ID && (got.ReplyCount != 2 || got.LikeCount != 1 || got.Content != "the comment") {
				t.Errorf("counts: %d replies %d likes, want 2 1", got.ReplyCount, got.LikeCount)
			}
		})
	}
}
