package myfeed_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	myfeed "github.com/dailyfeed/dailyfeed/functions/my-feed"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

// TestMyFeed: my live posts only, newest first, 10 per page by default,
// with true counts and liked; paging by page and cursor; a token required;
// bad paging 400.
func TestMyFeed(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(myfeed.New())
	me, other, newbie := e.Member(), e.Member(), e.Member()
	var mine []int64 // newest first
	for i := range 13 {
		id := e.Post(me, fmt.Sprint("mine ", i)).ID
		mine = append([]int64{id}, mine...)
		e.Post(other, fmt.Sprint("not mine ", i))
	}
	e.DeletePost(me, mine[3])
	e.DeletePost(me, mine[12])
	mine = slices.Delete(mine, 12, 13)
	mine = slices.Delete(mine, 3, 4) // 11 live posts
	e.LikePost(me, mine[0])
	e.LikePost(other, mine[0])

	tests := []struct {
		name     string
		as       contenttest.Member
		query    string
		status   int
		code     string
		want     []int64
		hasNext  bool
		wantSize int
	}{
		{name: "default size 10", as: me, status: 200, want: mine[:10], hasNext: true, wantSize: 10},
		{name: "second page", as: me, query: "?page=1", status: 200, want: mine[10:], wantSize: 10},
		{name: "size 4, page 2", as: me, query: "?size=4&page=2", status: 200, want: mine[8:], wantSize: 4},
		{name: "size 100", as: me, query: "?size=100", status: 200, want: mine, wantSize: 100},
		{name: "past the end", as: me, query: "?page=7", status: 200, want: []int64{}, wantSize: 10},
		{name: "no posts", as: newbie, status: 200, want: []int64{}, wantSize: 10},
		{name: "without a token", status: 401, code: "TOKEN_MISSING"},
		{name: "with a bad token", as: contenttest.Member{Token: "bad"}, status: 401, code: "TOKEN_INVALID"},
		{name: "size above 100", as: me, query: "?size=101", status: 400, code: "VALIDATION_FAILED"},
		{name: "size 0", as: me, query: "?size=0", status: 400, code: "VALIDATION_FAILED"},
		{name: "negative page", as: me, query: "?page=-2", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad cursor", as: me, query: "?cursor=bm9wZQ", status: 400, code: "VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := contenttest.PageWant{Status: tt.status, Code: tt.code, IDs: tt.want, HasNext: tt.hasNext}
			page, ok := contenttest.GetPage(t, c, tt.as, "/api/timeline/posts"+tt.query, want, contenttest.PostIDs)
			if !ok {
				return
			}
			if page.Size != tt.wantSize {
				t.Errorf("size %d, want %d", page.Size, tt.wantSize)
			}
			for _, p := range page.Content {
				if p.AuthorID != me.ID || p.Author.ID != me.ID {
					t.Errorf("post %d by %d in my feed", p.ID, p.AuthorID)
				}
				if p.ID == mine[0] && (p.LikeCount != 2 || !p.Liked) {
					t.Errorf("newest: %d likes liked %v, want 2 true", p.LikeCount, p.Liked)
				}
			}
		})
	}

	// Cursor paging: every live post once, newest first, while I post more.
	seen := contenttest.CursorIDs(t, c, me, "/api/timeline/posts?size=4", 10, contenttest.PostIDs, func([]int64) {
		e.Post(me, "while paging")
	})
	if !slices.Equal(seen, mine) {
		t.Fatalf("cursor pages %v, want %v", seen, mine)
	}
}
