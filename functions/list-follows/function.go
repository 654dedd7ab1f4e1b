// Package listfollows is the list-follows function: a member's followers
// and followings, newest follow first, pages with totalElements and
// totalPages.
//
//	GET /api/members/followers-followings                 mine: {followers: page, followings: page}
//	GET /api/members/{memberId}/followers-followings      a member's, same shape
//	GET /api/members/followers/more, /followings/more     mine, one side
//	GET /api/members/{memberId}/followers/more, ...       a member's, one side
//
// The caller's own lists need a token; a member's lists are read with or
// without one, and are empty to a caller from whom the member's privacy
// level hides them.
package listfollows

import (
	"net/http"
	"strings"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/follow"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the list-follows function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("list-follows", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Who reads whose lists: the path's member's, to a caller with or
	// without a token; else the caller's own (a token required).
	var p auth.Principal
	var id int64
	var err error
	if r.PathValue("memberId") != "" {
		if p, _, err = fn.OptionalAuthenticate(w, r, s.Stack); err == nil {
			id, err = web.PathID(r, "memberId")
		}
	} else {
		p, err = fn.Authenticate(w, r, s.Stack)
		id = p.MemberID
	}
	if err != nil {
		return nil, err
	}
	// Page by page/size.
	q, err := web.PageOf(r, 20)
	if err != nil {
		return nil, err
	}
	// Read one side, or both (empty when the member's privacy level hides
	// them from the caller).
	lists := follow.Lists{DB: s.DB}
	switch path := r.URL.Path; {
	case strings.HasSuffix(path, "/followers/more"):
		return lists.Page(r.Context(), p.MemberID, id, follow.Followers, q)
	case strings.HasSuffix(path, "/followings/more"):
		return lists.Page(r.Context(), p.MemberID, id, follow.Followings, q)
	default:
		return lists.Both(r.Context(), p.MemberID, id, q)
	}
}
