package authorposts_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	authorposts "github.com/dailyfeed/dailyfeed/functions/author-posts"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// TestAuthorPosts: a member's live posts, newest first, with the author's
// summary, true counts and liked for the reader; paging by page and
// cursor; an unknown author 404; bad input 400.
func TestAuthorPosts(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(authorposts.New())
	author, reader, quiet, gone := e.Member(), e.Member(), e.Member(), e.Member()
	var posts []int64 // newest first
	for i := range 5 {
		posts = append([]int64{e.Post(author, fmt.Sprint("post ", i)).ID}, posts...)
		e.Post(reader, "someone else's")
	}
	e.DeletePost(author, posts[1])
	posts = slices.Delete(posts, 1, 2)
	e.LikePost(reader, posts[0])
	e.Comment(reader, posts[0], "a comment")
	testenv.Exec(t, e.S, `UPDATE members SET status = 'DEACTIVATED' WHERE id = $1`, gone.ID)

	path := fmt.Sprintf("/api/timeline/posts/authors/%d", author.ID)
	tests := []struct {
		name    string
		as      contenttest.Member
		path    string
		status  int
		code    string
		want    []int64
		hasNext bool
	}{
		{name: "anonymous", path: path, status: 200, want: posts},
		{name: "a reader", as: reader, path: path, status: 200, want: posts},
		{name: "the author", as: author, path: path, status: 200, want: posts},
		{name: "first page", path: path + "?size=3", status: 200, want: posts[:3], hasNext: true},
		{name: "second page", path: path + "?size=3&page=1", status: 200, want: posts[3:]},
		{name: "past the end", path: path + "?size=3&page=4", status: 200, want: []int64{}},
		{name: "an author without posts", path: fmt.Sprintf("/api/timeline/posts/authors/%d", quiet.ID), status: 200, want: []int64{}},
		{name: "a deactivated author", path: fmt.Sprintf("/api/timeline/posts/authors/%d", gone.ID), status: 404, code: "MEMBER_NOT_FOUND"},
		{name: "an unknown author", path: "/api/timeline/posts/authors/999999999", status: 404, code: "MEMBER_NOT_FOUND"},
		{name: "non-numeric author id", path: "/api/timeline/posts/authors/bob", status: 400, code: "VALIDATION_FAILED"},
		{name: "size above 100", path: path + "?size=101", status: 400, code: "VALIDATION_FAILED"},
		{name: "non-numeric size", path: path + "?size=all", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad cursor", path: path + "?cursor=!", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad token", as: contenttest.Member{Token: "bad"}, path: path, status: 401, code: "TOKEN_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := contenttest.PageWant{Status: tt.status, Code: tt.code, IDs: tt.want, HasNext: tt.hasNext}
			page, ok := contenttest.GetPage(t, c, tt.as, tt.path, want, contenttest.PostIDs)
			if !ok {
				return
			}
			for _, p := range page.Content {
				if p.AuthorID != author.ID || p.Author.ID != author.ID || p.Author.MemberID != author.ID || p.Author.Handle == "" || p.AuthorHandle != p.Author.Handle {
					t.Errorf("post %d author %d %+v", p.ID, p.AuthorID, p.Author)
				}
				if p.ID == posts[0] && (p.LikeCount != 1 || p.CommentCount != 1 || p.Liked != (tt.as.ID == reader.ID)) {
					t.Errorf("newest: %d likes %d comments liked %v", p.LikeCount, p.CommentCount, p.Liked)
				}
			}
		})
	}

	// Cursor paging: every post once while the author posts more.
	seen := contenttest.CursorIDs(t, c, contenttest.Member{}, path+"?size=2", 10, contenttest.PostIDs, func([]int64) {
		e.Post(author, "while paging")
	})
	if !slices.Equal(seen, posts) {
		t.Fatalf("cursor pages %v, want %v", seen, posts)
	}
}
