package recentactivityposts_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	recentactivityposts "github.com/dailyfeed/dailyfeed/functions/recent-activity-posts"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// TestRecentActivityPosts: live posts ordered by their latest comment,
// reply or like (creation before any), newest first; cancellations do not
// move a post; deleted posts leave; paging; bad paging 400.
func TestRecentActivityPosts(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(recentactivityposts.New())
	author, reader := e.Member(), e.Member()
	p1 := e.Post(author, "p1").ID
	p2 := e.Post(author, "p2").ID
	p3 := e.Post(reader, "p3").ID
	var c1, p4 int64

	read := func(t *testing.T, query string, as ...membertest.Request) paging.Slice[timeline.Post] {
		t.Helper()
		res := c.Do("GET", "/api/timeline/posts/recent-activities"+query, nil, as...)
		contenttest.Want(t, res, http.StatusOK, "")
		var page paging.Slice[timeline.Post]
		res.Decode(t, &page)
		return page
	}
	steps := []struct {
		name string
		do   func(t *testing.T)
		want func() []int64
	}{
		{"by creation", func(*testing.T) {}, func() []int64 { return []int64{p3, p2, p1} }},
		{"a comment moves p1 up", func(*testing.T) { c1 = e.Comment(reader, p1, "c1").ID }, func() []int64 { return []int64{p1, p3, p2} }},
		{"a like moves p2 up", func(t *testing.T) {
			contenttest.Want(t, e.Do(reader, "POST", fmt.Sprintf("/api/posts/%d/like", p2), nil), http.StatusOK, "")
		}, func() []int64 { return []int64{p2, p1, p3} }},
		{"a reply moves p1 up", func(*testing.T) { e.Reply(author, p1, c1, "r1") }, func() []int64 { return []int64{p1, p2, p3} }},
		{"an unlike moves nothing", func(t *testing.T) {
			contenttest.Want(t, e.Do(reader, "DELETE", fmt.Sprintf("/api/posts/%d/like", p2), nil), http.StatusOK, "")
		}, func() []int64 { return []int64{p1, p2, p3} }},
		{"a like of the oldest moves it up", func(t *testing.T) {
			contenttest.Want(t, e.Do(author, "POST", fmt.Sprintf("/api/posts/%d/like", p3), nil), http.StatusOK, "")
		}, func() []int64 { return []int64{p3, p1, p2} }},
		{"a new post comes first", func(*testing.T) { p4 = e.Post(author, "p4").ID }, func() []int64 { return []int64{p4, p3, p1, p2} }},
		{"a deleted post leaves", func(t *testing.T) {
			contenttest.Want(t, e.Do(author, "DELETE", fmt.Sprintf("/api/posts/%d", p1), nil), http.StatusOK, "")
		}, func() []int64 { return []int64{p4, p3, p2} }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.do(t)
			if got, want := contenttest.PostIDs(read(t, "").Content), st.want(); !slices.Equal(got, want) {
				t.Fatalf("posts %v, want %v", got, want)
			}
		})
	}

	// Now p4, p3, p2 (p1 deleted); p3 is liked by the author.
	all := []int64{p4, p3, p2}
	tests := []struct {
		name    string
		as      contenttest.Member
		query   string
		status  int
		code    string
		want    []int64
		hasNext bool
	}{
		{name: "first page", query: "?size=2", status: 200, want: all[:2], hasNext: true},
		{name: "second page", query: "?size=2&page=1", status: 200, want: all[2:]},
		{name: "past the end", query: "?size=2&page=2", status: 200, want: []int64{}},
		{name: "liked for the reader", as: author, status: 200, want: all},
		{name: "size above 100", query: "?size=101", status: 400, code: "VALIDATION_FAILED"},
		{name: "size 0", query: "?size=0", status: 400, code: "VALIDATION_FAILED"},
		{name: "non-numeric page", query: "?page=one", status: 400, code: "VALIDATION_FAILED"},
		{name: "bad token", as: contenttest.Member{Token: "bad"}, status: 401, code: "TOKEN_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := contenttest.PageWant{Status: tt.status, Code: tt.code, IDs: tt.want, HasNext: tt.hasNext}
			page, ok := contenttest.GetPage(t, c, tt.as, "/api/timeline/posts/recent-activities"+tt.query, want, contenttest.PostIDs)
			if !ok {
				return
			}
			for _, p := range page.Content {
				if liked := p.ID == p3 && tt.as.ID == author.ID; p.Liked != liked {
					t.Errorf("post %d liked %v, want %v", p.ID, p.Liked, liked)
				}
			}
		})
	}
}
