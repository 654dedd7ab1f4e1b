// Package searchtest serves the search functions next to the content write
// functions over a test stack, so search tests write posts and comments
// through create-post and friends and find them through search-posts and
// search-comments. It imports no function: its callers give the
// constructors (dailyfeed.Functions()).
package searchtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/search"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// Handler serves the search routes and every content write route over s,
// the functions made with fns.
func Handler(s *stack.Stack, fns contenttest.Functions) http.Handler {
	return contenttest.Serve(s, fns, append([]string{"search-posts", "search-comments"}, contenttest.Writes...)...)
}

// Env is a content test env whose client also reaches the search functions.
type Env struct {
	*contenttest.Env
}

// New opens a test stack (own schema, Redis prefix and topics) and serves
// the functions made with fns (dailyfeed.Functions()).
func New(t testing.TB, fns contenttest.Functions) Env {
	t.Helper()
	s := testenv.Stack(t, contenttest.Needs)
	e := contenttest.Over(t, s, fns)
	e.C = &membertest.Client{T: t, Handler: Handler(s, fns)}
	return Env{e}
}

// Search calls GET /api/search/{what}?keyword=… (page and size when ≥ 0)
// as m.
func (e Env) Search(m contenttest.Member, what, keyword string, page, size int) membertest.Response {
	e.T.Helper()
	q := url.Values{"keyword": {keyword}}
	if page >= 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if size >= 0 {
		q.Set("size", strconv.Itoa(size))
	}
	return e.Do(m, "GET", "/api/search/"+what+"?"+q.Encode(), nil)
}

// Posts searches posts as m and fails the test unless it answers 200.
func (e Env) Posts(m contenttest.Member, keyword string, page, size int) paging.Slice[search.PostHit] {
	e.T.Helper()
	return hits[search.PostHit](e, m, "posts", keyword, page, size)
}

// Comments searches comments as m and fails the test unless it answers 200.
func (e Env) Comments(m contenttest.Member, keyword string, page, size int) paging.Slice[search.CommentHit] {
	e.T.Helper()
	return hits[search.CommentHit](e, m, "comments", keyword, page, size)
}

// hits searches what as m, fails the test unless it answers 200 and
// returns the page of hits.
func hits[H any](e Env, m contenttest.Member, what, keyword string, page, size int) paging.Slice[H] {
	e.T.Helper()
	res := e.Search(m, what, keyword, page, size)
	contenttest.Want(e.T, res, http.StatusOK, "")
	var s paging.Slice[H]
	res.Decode(e.T, &s)
	return s
}

// PostIDs returns the ids of post hits, in order (never nil).
func PostIDs(hits []search.PostHit) []int64 {
	return ids(hits, func(h search.PostHit) int64 { return h.ID })
}

// CommentIDs returns the ids of comment hits, in order (never nil).
func CommentIDs(hits []search.CommentHit) []int64 {
	return ids(hits, func(h search.CommentHit) int64 { return h.ID })
}

func ids[H any](hits []H, id func(H) int64) []int64 {
	out := []int64{}
	for _, h := range hits {
		out = append(out, id(h))
	}
	return out
}

// WantIDs fails the test, and goes on, unless the search for keyword found
// the hits want, in order (got: PostIDs or CommentIDs of its page; no hits
// and no want are equal).
func WantIDs(t testing.TB, keyword string, got []int64, want ...int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("search %q = %v, want %v", keyword, got, want)
	}
}
