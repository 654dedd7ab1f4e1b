package listfollows_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	listfollows "github.com/dailyfeed/dailyfeed/functions/list-follows"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

type page = paging.Slice[member.Summary]

func ids(p page) []int64 {
	out := []int64{}
	for _, s := range p.Content {
		out = append(out, s.ID)
	}
	return out
}

// want is the expected page: its ids, hasNext, totalElements and totalPages.
type want struct {
	ids          []int64
	hasNext      bool
	total, pages int64
}

func check(t *testing.T, side string, got page, w want) {
	t.Helper()
	if !slices.Equal(ids(got), w.ids) {
		t.Errorf("%s %v, want %v", side, ids(got), w.ids)
	}
	if got.HasNext != w.hasNext {
		t.Errorf("%s hasNext %v, want %v", side, got.HasNext, w.hasNext)
	}
	if got.TotalElements == nil || got.TotalPages == nil {
		t.Errorf("%s has no totalElements/totalPages", side)
		return
	}
	if *got.TotalElements != w.total || *got.TotalPages != w.pages {
		t.Errorf("%s totalElements %d totalPages %d, want %d %d", side, *got.TotalElements, *got.TotalPages, w.total, w.pages)
	}
	for _, s := range got.Content {
		if s.MemberID != s.ID || s.Handle == "" || s.MemberHandle != s.Handle || s.MemberName == "" {
			t.Errorf("%s summary %+v", side, s)
		}
	}
}

// TestListFollows: every path of list-follows; newest follow first;
// deactivated members hidden, and totals that count what the pages show;
// paging; an unknown or deactivated member 404; bad input 400; mine needs
// a token.
func TestListFollows(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(listfollows.New())
	me, a, b, gone, x, y, z, loner, left := e.Member(), e.Member(), e.Member(), e.Member(), e.Member(), e.Member(), e.Member(), e.Member(), e.Member()
	follow := func(from, to contenttest.Member) {
		t.Helper()
		e.Follow(from, to)
	}
	follow(a, me)
	follow(gone, me)
	follow(b, me)
	follow(z, me)
	e.Unfollow(z, me)
	follow(x, me)
	follow(me, y)
	follow(me, x)
	follow(me, gone)
	follow(me, z)
	e.Unfollow(me, z)
	testenv.Exec(t, e.S, `UPDATE members SET status = 'DEACTIVATED' WHERE id = $1`, gone.ID)
	testenv.Exec(t, e.S, `UPDATE members SET status = 'DEACTIVATED' WHERE id = $1`, left.ID)

	followers := []int64{x.ID, b.ID, a.ID} // newest follow first; gone deactivated, z unfollowed
	followings := []int64{x.ID, y.ID}
	mine, byID := "/api/members", fmt.Sprintf("/api/members/%d", me.ID)

	// Both sides at once.
	for _, tt := range []struct {
		name string
		as   contenttest.Member
		path string
	}{
		{"mine", me, mine + "/followers-followings"},
		{"a member's, anonymous", contenttest.Member{}, byID + "/followers-followings"},
		{"a member's, as another member", a, byID + "/followers-followings"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Do("GET", tt.path, nil, opts(tt.as)...)
			contenttest.Want(t, res, http.StatusOK, "")
			var both struct{ Followers, Followings page }
			res.Decode(t, &both)
			check(t, "followers", both.Followers, want{followers, false, 3, 1})
			check(t, "followings", both.Followings, want{followings, false, 2, 1})
		})
	}
	t.Run("both, paged", func(t *testing.T) {
		res := c.Do("GET", mine+"/followers-followings?size=2", nil, contenttest.As(me))
		contenttest.Want(t, res, http.StatusOK, "")
		var both struct{ Followers, Followings page }
		res.Decode(t, &both)
		check(t, "followers", both.Followers, want{followers[:2], true, 3, 2})
		check(t, "followings", both.Followings, want{followings, false, 2, 1})
	})
	t.Run("both, nobody", func(t *testing.T) {
		res := c.Do("GET", fmt.Sprintf("/api/members/%d/followers-followings", loner.ID), nil)
		contenttest.Want(t, res, http.StatusOK, "")
		var both struct{ Followers, Followings page }
		res.Decode(t, &both)
		check(t, "followers", both.Followers, want{[]int64{}, false, 0, 0})
		check(t, "followings", both.Followings, want{[]int64{}, false, 0, 0})
	})

	// One side.
	for _, tt := range []struct {
		name string
		as   contenttest.Member
		path string
		want want
	}{
		{"my followers", me, mine + "/followers/more", want{followers, false, 3, 1}},
		{"my followers, first page", me, mine + "/followers/more?size=2", want{followers[:2], true, 3, 2}},
		{"my followers, second page", me, mine + "/followers/more?size=2&page=1", want{followers[2:], false, 3, 2}},
		{"my followers, past the end", me, mine + "/followers/more?size=2&page=2", want{[]int64{}, false, 3, 2}},
		{"my followings", me, mine + "/followings/more", want{followings, false, 2, 1}},
		{"my followings, paged", me, mine + "/followings/more?size=1&page=1", want{followings[1:], false, 2, 2}},
		{"a member's followers", contenttest.Member{}, byID + "/followers/more?size=1", want{followers[:1], true, 3, 3}},
		{"a member's followers, last page", contenttest.Member{}, byID + "/followers/more?size=1&page=2", want{followers[2:], false, 3, 3}},
		{"a member's followings", a, byID + "/followings/more", want{followings, false, 2, 1}},
		{"x's followings", contenttest.Member{}, fmt.Sprintf("/api/members/%d/followings/more", x.ID), want{[]int64{me.ID}, false, 1, 1}},
		{"x's followers", contenttest.Member{}, fmt.Sprintf("/api/members/%d/followers/more", x.ID), want{[]int64{me.ID}, false, 1, 1}},
		{"the unfollowed's followers", contenttest.Member{}, fmt.Sprintf("/api/members/%d/followers/more", z.ID), want{[]int64{}, false, 0, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Do("GET", tt.path, nil, opts(tt.as)...)
			contenttest.Want(t, res, http.StatusOK, "")
			var p page
			res.Decode(t, &p)
			check(t, "page", p, tt.want)
		})
	}

	// Failures, on every path.
	for _, tt := range []struct {
		name   string
		as     contenttest.Member
		suffix string // after /api/members/{memberId}; "" for the mine paths
		status int
		code   string
	}{
		{"unknown member", contenttest.Member{}, "/999999999", 404, "MEMBER_NOT_FOUND"},
		{"deactivated member", contenttest.Member{}, fmt.Sprintf("/%d", left.ID), 404, "MEMBER_NOT_FOUND"},
		{"non-numeric member id", contenttest.Member{}, "/abc", 400, "VALIDATION_FAILED"},
		{"zero member id", contenttest.Member{}, "/0", 400, "VALIDATION_FAILED"},
		{"mine without a token", contenttest.Member{}, "", 401, "TOKEN_MISSING"},
		{"mine with a bad token", contenttest.Member{Token: "bad"}, "", 401, "TOKEN_INVALID"},
		{"mine as a deactivated member", gone, "", 401, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, tail := range []string{"/followers-followings", "/followers/more", "/followings/more"} {
				res := c.Do("GET", "/api/members"+tt.suffix+tail, nil, opts(tt.as)...)
				if tt.code == "" {
					if res.Status/100 != 4 {
						t.Errorf("%s: %d, want a 4xx", tail, res.Status)
					}
					continue
				}
				if res.Status != tt.status || res.Code != tt.code {
					t.Errorf("%s: %d %s, want %d %s", tail, res.Status, res.Code, tt.status, tt.code)
				}
			}
		})
	}
	for _, q := range []string{"size=101", "size=0", "size=x", "page=-1", "page=y"} {
		t.Run("bad paging "+q, func(t *testing.T) {
			for _, path := range []string{mine + "/followers-followings", mine + "/followers/more", byID + "/followings/more"} {
				res := c.Do("GET", path+"?"+q, nil, contenttest.As(me))
				if res.Status != http.StatusBadRequest || res.Code != "VALIDATION_FAILED" {
					t.Errorf("%s?%s: %d %s, want 400 VALIDATION_FAILED", path, q, res.Status, res.Code)
				}
			}
		})
	}
}

func opts(m contenttest.Member) []membertest.Request {
	if m.Token == "" {
		return nil
	}
	return []membertest.Request{contenttest.As(m)}
}
