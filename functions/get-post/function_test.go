package getpost_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	getpost "github.com/dailyfeed/dailyfeed/functions/get-post"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// TestGetPost: one live post with its author, true counts and liked; a
// member's read of another member's post commits one POST_READ event (a
// view for update-stats), the author's own read and an anonymous read
// commit nothing; a deleted or unknown post is 404; bad ids 400.
func TestGetPost(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(getpost.New())
	author, reader := e.Member(), e.Member()
	post := e.Post(author, "a post to read").ID
	e.LikePost(reader, post)
	gone := e.Post(author, "deleted").ID
	e.DeletePost(author, gone)

	tests := []struct {
		name   string
		as     contenttest.Member
		id     string
		status int
		code   string
		liked  bool
		event  bool // a POST_READ event in the outbox
	}{
		{name: "another member", as: reader, id: fmt.Sprint(post), status: 200, liked: true, event: true},
		{name: "the author", as: author, id: fmt.Sprint(post), status: 200},
		{name: "anonymous", id: fmt.Sprint(post), status: 200},
		{name: "deleted", as: reader, id: fmt.Sprint(gone), status: 404, code: "POST_NOT_FOUND"},
		{name: "unknown", as: reader, id: "999999999", status: 404, code: "POST_NOT_FOUND"},
		{name: "non-numeric", as: reader, id: "abc", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad token", as: contenttest.Member{Token: "x.y.z"}, id: fmt.Sprint(post), status: 401, code: "TOKEN_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := contenttest.Auth(tt.as)
			before := e.LastOutboxID()
			res := c.Do("GET", "/api/timeline/posts/"+tt.id, nil, opts...)
			contenttest.Want(t, res, tt.status, tt.code)
			if ev, ok := contenttest.ReadEvent(t, e.Outbox(before), tt.event, "POST_READ"); ok {
				if ev.Data.MemberActivityType != "POST_READ" || ev.Data.MemberID != reader.ID ||
					ev.Data.PostID != post || ev.Data.TargetMemberID != author.ID {
					t.Errorf("event %+v", ev)
				}
			}
			if tt.status != http.StatusOK {
				return
			}
			var got timeline.Post
			res.Decode(t, &got)
			if got.ID != post || got.AuthorID != author.ID || got.LikeCount != 1 || got.Liked != tt.liked {
				t.Errorf("post %+v, want id %d by %d, 1 like, liked %v", got, post, author.ID, tt.liked)
			}
		})
	}
}
