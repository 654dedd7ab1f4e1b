package recommendmembers_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	recommendmembers "github.com/dailyfeed/dailyfeed/functions/recommend-members"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// TestRecommendMembers: active members I do not follow, newest first, never
// me, never deactivated; both paths; paging; a token required; bad paging
// 400.
func TestRecommendMembers(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(recommendmembers.New())
	me, a, followed, b, gone, newest := e.Member(), e.Member(), e.Member(), e.Member(), e.Member(), e.Member()
	e.Follow(me, followed)
	e.Follow(a, me) // a follows me: still recommended to me
	testenv.Exec(t, e.S, `UPDATE members SET status = 'DEACTIVATED' WHERE id = $1`, gone.ID)

	forMe := []int64{newest.ID, b.ID, a.ID}
	tests := []struct {
		name    string
		as      contenttest.Member
		path    string
		status  int
		code    string
		want    []int64
		hasNext bool
	}{
		{name: "mine", as: me, path: "/api/members/follow/recommend/newbie", status: 200, want: forMe},
		{name: "more", as: me, path: "/api/members/follow/recommend/newbie/more", status: 200, want: forMe},
		{name: "first page", as: me, path: "/api/members/follow/recommend/newbie?size=2", status: 200, want: forMe[:2], hasNext: true},
		{name: "second page", as: me, path: "/api/members/follow/recommend/newbie/more?size=2&page=1", status: 200, want: forMe[2:]},
		{name: "past the end", as: me, path: "/api/members/follow/recommend/newbie/more?size=2&page=9", status: 200, want: []int64{}},
		{name: "another member's", as: followed, path: "/api/members/follow/recommend/newbie", status: 200, want: []int64{newest.ID, b.ID, a.ID, me.ID}},
		{name: "a follower's", as: a, path: "/api/members/follow/recommend/newbie", status: 200, want: []int64{newest.ID, b.ID, followed.ID}},
		{name: "without a token", path: "/api/members/follow/recommend/newbie", status: 401, code: "TOKEN_MISSING"},
		{name: "with a bad token", as: contenttest.Member{Token: "bad"}, path: "/api/members/follow/recommend/newbie/more", status: 401, code: "TOKEN_INVALID"},
		{name: "size above 100", as: me, path: "/api/members/follow/recommend/newbie?size=101", status: 400, code: "VALIDATION_FAILED"},
		{name: "size 0", as: me, path: "/api/members/follow/recommend/newbie/more?size=0", status: 400, code: "VALIDATION_FAILED"},
		{name: "non-numeric page", as: me, path: "/api/members/follow/recommend/newbie/more?page=next", status: 400, code: "VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := contenttest.Auth(tt.as)
			res := c.Do("GET", tt.path, nil, opts...)
			contenttest.Want(t, res, tt.status, tt.code)
			if tt.status != http.StatusOK {
				return
			}
			var page paging.Slice[member.Summary]
			res.Decode(t, &page)
			got := []int64{}
			for _, s := range page.Content {
				got = append(got, s.ID)
				if s.MemberID != s.ID || s.Handle == "" || s.MemberHandle != s.Handle {
					t.Errorf("summary %+v", s)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("recommended %v, want %v", got, tt.want)
			}
			if page.HasNext != tt.hasNext {
				t.Errorf("hasNext %v, want %v", page.HasNext, tt.hasNext)
			}
		})
	}
	// The default size is 10.
	for range 10 {
		e.Member()
	}
	res := c.Do("GET", "/api/members/follow/recommend/newbie", nil, contenttest.As(me))
	contenttest.Want(t, res, http.StatusOK, "")
	var page paging.Slice[member.Summary]
	res.Decode(t, &page)
	if len(page.Content) != 10 || page.Size != 10 || !page.HasNext {
		t.Errorf("default page: %d members, size %d, hasNext %v; want 10 10 true", len(page.Content), page.Size, page.HasNext)
	}
}
