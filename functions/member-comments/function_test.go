package membercomments_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	membercomments "github.com/dailyfeed/dailyfeed/functions/member-comments"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// TestMemberComments: a member's live comments and replies, newest first,
// on both paths (mine needs a token); other members' comments never
// appear; an unknown member 404; bad input 400.
func TestMemberComments(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(membercomments.New())
	me, other, quiet, gone := e.Member(), e.Member(), e.Member(), e.Member()
	post := e.Post(other, "a post").ID
	m1 := e.Comment(me, post, "m1")
	o1 := e.Comment(other, post, "o1")
	m2 := e.Reply(me, post, o1.ID, "m2, a reply")
	m3 := e.Comment(me, post, "m3, deleted")
	m4 := e.Comment(me, e.Post(me, "my post").ID, "m4")
	e.DeleteComment(me, m3.ID)
	e.LikeComment(other, m1.ID)
	testenv.Exec(t, e.S, `UPDATE members SET status = 'DEACTIVATED' WHERE id = $1`, gone.ID)

	mine := []int64{m4.ID, m2.ID, m1.ID}
	byMe := fmt.Sprintf("/api/timeline/members/%d/comments", me.ID)
	tests := []struct {
		name    string
		as      contenttest.Member
		path    string
		status  int
		code    string
		want    []int64
		hasNext bool
		liked   bool // m1 liked for the caller
	}{
		{name: "mine", as: me, path: "/api/timeline/comments", status: 200, want: mine},
		{name: "mine, first page", as: me, path: "/api/timeline/comments?size=2", status: 200, want: mine[:2], hasNext: true},
		{name: "mine, second page", as: me, path: "/api/timeline/comments?size=2&page=1", status: 200, want: mine[2:]},
		{name: "mine without a token", path: "/api/timeline/comments", status: 401, code: "TOKEN_MISSING"},
		{name: "mine with a bad token", as: contenttest.Member{Token: "bad"}, path: "/api/timeline/comments", status: 401, code: "TOKEN_INVALID"},
		{name: "a member's, anonymous", path: byMe, status: 200, want: mine},
		{name: "a member's, liked for the reader", as: other, path: byMe, status: 200, want: mine, liked: true},
		{name: "a member's, paged", path: byMe + "?size=1&page=1", status: 200, want: mine[1:2], hasNext: true},
		{name: "another member's", as: me, path: fmt.Sprintf("/api/timeline/members/%d/comments", other.ID), status: 200, want: []int64{o1.ID}},
		{name: "a member without comments", path: fmt.Sprintf("/api/timeline/members/%d/comments", quiet.ID), status: 200, want: []int64{}},
		{name: "a deactivated member", path: fmt.Sprintf("/api/timeline/members/%d/comments", gone.ID), status: 404, code: "MEMBER_NOT_FOUND"},
		{name: "an unknown member", path: "/api/timeline/members/999999999/comments", status: 404, code: "MEMBER_NOT_FOUND"},
		{name: "non-numeric member id", path: "/api/timeline/members/me/comments", status: 400, code: "VALIDATION_FAILED"},
		{name: "size above 100", as: me, path: "/api/timeline/comments?size=101", status: 400, code: "VALIDATION_FAILED"},
		{name: "size above 100, a member's", path: byMe + "?size=1000", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad cursor", path: byMe + "?cursor=djEueC55", status: 400, code: "VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := contenttest.PageWant{Status: tt.status, Code: tt.code, IDs: tt.want, HasNext: tt.hasNext}
			page, ok := contenttest.GetPage(t, c, tt.as, tt.path, want, contenttest.CommentIDs)
			if !ok {
				return
			}
			for _, got := range page.Content {
				if got.ID == m1.ID && (got.LikeCount != 1 || got.Liked != tt.liked) {
					t.Errorf("m1: %d likes liked %v, want 1 %v", got.LikeCount, got.Liked, tt.liked)
				}
			}
		})
	}

	// Cursor paging: every comment once, newest first, while I comment more
	// (new comments are newer than the cursor: not on later pages).
	seen := contenttest.CursorIDs(t, c, contenttest.Member{}, byMe+"?size=1", 10, contenttest.CommentIDs, func([]int64) {
		e.Comment(me, post, "while paging")
	})
	if !slices.Equal(seen, mine) {
		t.Fatalf("cursor pages %v, want %v", seen, mine)
	}
}
