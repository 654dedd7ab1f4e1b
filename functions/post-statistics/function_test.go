package poststatistics_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	poststatistics "github.com/dailyfeed/dailyfeed/functions/post-statistics"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// TestPostStatistics: a live post's true counts (likes and unlikes,
// comments and replies, deleted comments subtracted with their replies,
// views); public; a deleted or unknown post 404; bad ids 400.
func TestPostStatistics(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(poststatistics.New())
	author, a, b := e.Member(), e.Member(), e.Member()
	post := e.Post(author, "counted").ID
	quiet := e.Post(author, "nothing happened").ID
	for _, m := range []contenttest.Member{a, b, author} {
		e.LikePost(m, post)
	}
	e.UnlikePost(b, post)
	c1 := e.Comment(a, post, "c1")
	e.Reply(b, post, c1.ID, "r1")
	c2 := e.Comment(b, post, "c2, deleted with its reply")
	e.Reply(a, post, c2.ID, "r2")
	e.DeleteComment(b, c2.ID)
	testenv.Exec(t, e.S, `UPDATE posts SET view_count = 7 WHERE id = $1`, post) // views are update-stats' (tested there)
	gone := e.Post(author, "deleted").ID
	e.DeletePost(author, gone)

	tests := []struct {
		name   string
		as     contenttest.Member
		id     string
		status int
		code   string
		want   timeline.Statistics
	}{
		{name: "anonymous", id: fmt.Sprint(post), status: 200, want: timeline.Statistics{PostID: post, CommentCount: 2, LikeCount: 2, ViewCount: 7}},
		{name: "a member", as: a, id: fmt.Sprint(post), status: 200, want: timeline.Statistics{PostID: post, CommentCount: 2, LikeCount: 2, ViewCount: 7}},
		{name: "nothing happened", id: fmt.Sprint(quiet), status: 200, want: timeline.Statistics{PostID: quiet}},
		{name: "deleted", id: fmt.Sprint(gone), status: 404, code: "POST_NOT_FOUND"},
		{name: "unknown", id: "999999999", status: 404, code: "POST_NOT_FOUND"},
		{name: "non-numeric", id: "abc", status: 400, code: "VALIDATION_FAILED"},
		{name: "zero", id: "0", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad token", as: contenttest.Member{Token: "bad"}, id: fmt.Sprint(post), status: 401, code: "TOKEN_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := contenttest.Auth(tt.as)
			res := c.Do("GET", "/api/timeline/statistics/posts/"+tt.id, nil, opts...)
			contenttest.Want(t, res, tt.status, tt.code)
			if tt.status != http.StatusOK {
				return
			}
			var got timeline.Statistics
			res.Decode(t, &got)
			if got != tt.want {
				t.Errorf("statistics %+v, want %+v", got, tt.want)
			}
		})
	}
}
