package postcomments_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	postcomments "github.com/dailyfeed/dailyfeed/functions/post-comments"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

// TestPostComments: top-level comments only, oldest first, with true reply
// and like counts and liked for the reader; deleted comments hidden; paging
// by page/size and by cursor; bad input 400, a missing post 404.
func TestPostComments(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(postcomments.New())
	author, reader := e.Member(), e.Member()
	post := e.Post(author, "a post").ID
	c1 := e.Comment(reader, post, "first")
	c2 := e.Comment(author, post, "second")
	c3 := e.Comment(reader, post, "third, deleted")
	c4 := e.Comment(author, post, "fourth")
	r1 := e.Reply(author, post, c1.ID, "reply 1")
	e.Reply(reader, post, c1.ID, "reply 2")
	e.Reply(reader, post, r1.ID, "a reply to a reply: counted on reply 1, not on first")
	e.LikeComment(reader, c2.ID)
	e.LikeComment(author, c2.ID)
	e.DeleteComment(reader, c3.ID)
	e.Comment(reader, e.Post(author, "another post").ID, "elsewhere")

	gone := e.Post(author, "deleted post").ID
	e.Comment(reader, gone, "on a deleted post")
	e.DeletePost(author, gone)

	path := fmt.Sprintf("/api/timeline/posts/%d/comments", post)
	tests := []struct {
		name     string
		as       contenttest.Member
		path     string
		status   int
		code     string
		want     []int64
		hasNext  bool
		likedC2  bool
		wantSize int
	}{
		{name: "anonymous", path: path, status: 200, want: []int64{c1.ID, c2.ID, c4.ID}, wantSize: 20},
		{name: "reader sees liked", as: reader, path: path, status: 200, want: []int64{c1.ID, c2.ID, c4.ID}, likedC2: true, wantSize: 20},
		{name: "first page", path: path + "?size=2", status: 200, want: []int64{c1.ID, c2.ID}, hasNext: true, wantSize: 2},
		{name: "second page", path: path + "?size=2&page=1", status: 200, want: []int64{c4.ID}, wantSize: 2},
		{name: "past the end", path: path + "?size=2&page=5", status: 200, want: []int64{}, wantSize: 2},
		{name: "exact fit", path: path + "?size=3", status: 200, want: []int64{c1.ID, c2.ID, c4.ID}, wantSize: 3},
		{name: "size 100", path: path + "?size=100", status: 200, want: []int64{c1.ID, c2.ID, c4.ID}, wantSize: 100},
		{name: "unknown post", path: "/api/timeline/posts/999999999/comments", status: 404, code: "POST_NOT_FOUND"},
		{name: "deleted post", path: fmt.Sprintf("/api/timeline/posts/%d/comments", gone), status: 404, code: "POST_NOT_FOUND"},
		{name: "non-numeric post id", path: "/api/timeline/posts/abc/comments", status: 400, code: "VALIDATION_FAILED"},
		{name: "zero post id", path: "/api/timeline/posts/0/comments", status: 400, code: "VALIDATION_FAILED"},
		{name: "size above 100", path: path + "?size=101", status: 400, code: "VALIDATION_FAILED"},
		{name: "size 0", path: path + "?size=0", status: 400, code: "VALIDATION_FAILED"},
		{name: "negative page", path: path + "?page=-1", status: 400, code: "VALIDATION_FAILED"},
		{name: "non-numeric size", path: path + "?size=ten", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad cursor", path: path + "?cursor=nope", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad token", as: contenttest.Member{Token: "not.a.jwt"}, path: path, status: 401, code: "TOKEN_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := contenttest.PageWant{Status: tt.status, Code: tt.code, IDs: tt.want, HasNext: tt.hasNext}
			page, ok := contenttest.GetPage(t, c, tt.as, tt.path, want, contenttest.CommentIDs)
			if !ok {
				return
			}
			if page.Size != tt.wantSize {
				t.Errorf("size %d, want %d", page.Size, tt.wantSize)
			}
			for _, got := range page.Content {
				if got.ParentID != nil || got.Depth != 0 || got.PostID != post {
					t.Errorf("comment %d: parent %v depth %d post %d, want a top-level comment of %d", got.ID, got.ParentID, got.Depth, got.PostID, post)
				}
				var replies, likes int64
				switch got.ID {
				case c1.ID:
					replies = 2
				case c2.ID:
					likes = 1 + 1
				}
				if got.ReplyCount != replies || got.LikeCount != likes {
					t.Errorf("comment %d: %d replies %d likes, want %d %d", got.ID, got.ReplyCount, got.LikeCount, replies, likes)
				}
				if liked := got.ID == c2.ID && tt.likedC2; got.Liked != liked {
					t.Errorf("comment %d: liked %v, want %v", got.ID, got.Liked, liked)
				}
				if got.AuthorName == "" || got.AuthorHandle == "" {
					t.Errorf("comment %d has no author: %+v", got.ID, got)
				}
			}
		})
	}

	// Cursor paging visits every comment once, in order, while new comments
	// arrive (they come after the cursor, so the last page shows them).
	seen := contenttest.CursorIDs(t, c, contenttest.Member{}, path+"?size=1", 20, contenttest.CommentIDs, func(seen []int64) {
		if len(seen) == 1 {
			e.Comment(reader, post, "arrives while paging")
		}
	})
	if len(seen) != 4 || !slices.Equal(seen[:3], []int64{c1.ID, c2.ID, c4.ID}) {
		t.Fatalf("cursor pages %v, want %v then the new comment", seen, []int64{c1.ID, c2.ID, c4.ID})
	}
}
