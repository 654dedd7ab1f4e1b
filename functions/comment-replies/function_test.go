package commentreplies_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	commentreplies "github.com/dailyfeed/dailyfeed/functions/comment-replies"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

// TestCommentReplies: a comment's direct replies, oldest first, with true
// counts and liked for the reader; deleted replies hidden; a deleted or
// unknown comment 404; bad input 400.
func TestCommentReplies(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(commentreplies.New())
	author, reader := e.Member(), e.Member()
	post := e.Post(author, "a post").ID
	top := e.Comment(author, post, "top")
	r1 := e.Reply(reader, post, top.ID, "r1")
	r2 := e.Reply(author, post, top.ID, "r2")
	r3 := e.Reply(reader, post, top.ID, "r3, deleted")
	r4 := e.Reply(reader, post, top.ID, "r4")
	rr := e.Reply(author, post, r1.ID, "a reply to r1")
	lonely := e.Comment(reader, post, "no replies")
	e.LikeComment(reader, r2.ID)
	e.DeleteComment(reader, r3.ID)
	gone := e.Comment(author, post, "deleted with its replies")
	e.Reply(reader, post, gone.ID, "deleted with its parent")
	e.DeleteComment(author, gone.ID)

	path := fmt.Sprintf("/api/timeline/comments/%d/replies", top.ID)
	tests := []struct {
		name    string
		as      contenttest.Member
		path    string
		status  int
		code    string
		want    []int64
		hasNext bool
		liked   bool // r2 liked for the caller
	}{
		{name: "anonymous", path: path, status: 200, want: []int64{r1.ID, r2.ID, r4.ID}},
		{name: "reader sees liked", as: reader, path: path, status: 200, want: []int64{r1.ID, r2.ID, r4.ID}, liked: true},
		{name: "replies of a reply", path: fmt.Sprintf("/api/timeline/comments/%d/replies", r1.ID), status: 200, want: []int64{rr.ID}},
		{name: "no replies", path: fmt.Sprintf("/api/timeline/comments/%d/replies", lonely.ID), status: 200, want: []int64{}},
		{name: "first page", path: path + "?size=2", status: 200, want: []int64{r1.ID, r2.ID}, hasNext: true},
		{name: "second page", path: path + "?size=2&page=1", status: 200, want: []int64{r4.ID}},
		{name: "past the end", path: path + "?page=3", status: 200, want: []int64{}},
		{name: "deleted comment", path: fmt.Sprintf("/api/timeline/comments/%d/replies", gone.ID), status: 404, code: "COMMENT_NOT_FOUND"},
		{name: "deleted reply", path: fmt.Sprintf("/api/timeline/comments/%d/replies", r3.ID), status: 404, code: "COMMENT_NOT_FOUND"},
		{name: "unknown comment", path: "/api/timeline/comments/999999999/replies", status: 404, code: "COMMENT_NOT_FOUND"},
		{name: "non-numeric comment id", path: "/api/timeline/comments/x1/replies", status: 400, code: "VALIDATION_FAILED"},
		{name: "negative comment id", path: "/api/timeline/comments/-1/replies", status: 400, code: "VALIDATION_FAILED"},
		{name: "size above 100", path: path + "?size=500", status: 400, code: "VALIDATION_FAILED"},
		{name: "non-numeric page", path: path + "?page=first", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad cursor", path: path + "?cursor=bm9wZQ", status: 400, code: "VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := contenttest.PageWant{Status: tt.status, Code: tt.code, IDs: tt.want, HasNext: tt.hasNext}
			page, ok := contenttest.GetPage(t, c, tt.as, tt.path, want, contenttest.CommentIDs)
			if !ok {
				return
			}
			for _, got := range page.Content {
				var replies, likes int64
				switch got.ID {
				case r1.ID:
					replies = 1
				case r2.ID:
					likes = 1
				}
				if got.ReplyCount != replies || got.LikeCount != likes {
					t.Errorf("reply %d: %d replies %d likes, want %d %d", got.ID, got.ReplyCount, got.LikeCount, replies, likes)
				}
				if liked := got.ID == r2.ID && tt.liked; got.Liked != liked {
					t.Errorf("reply %d: liked %v, want %v", got.ID, got.Liked, liked)
				}
				if got.ParentID == nil || got.Depth < 1 {
					t.Errorf("reply %d: parent %v depth %d", got.ID, got.ParentID, got.Depth)
				}
			}
		})
	}

	// Cursor paging: every reply once, in order.
	seen := contenttest.CursorIDs(t, c, contenttest.Member{}, path+"?size=2", 10, contenttest.CommentIDs, nil)
	if want := []int64{r1.ID, r2.ID, r4.ID}; !slices.Equal(seen, want) {
		t.Fatalf("cursor pages %v, want %v", seen, want)
	}
}
