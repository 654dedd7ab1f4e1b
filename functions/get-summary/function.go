// Package getsummary is the get-summary function: GET /api/members/summary
// (mine) and GET /api/members/{memberId}/summary.
package getsummary

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the get-summary function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("get-summary", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Whose summary: the path's member, else the caller's.
	id := p.MemberID
	if r.PathValue("memberId") != "" {
		if id, err = web.PathID(r, "memberId"); err != nil {
			return nil, err
		}
	}
	// Read it as the caller sees it (404 MEMBER_NOT_FOUND; the card only
	// when the member's privacy level hides it from the caller).
	return s.Members().Summary(r.Context(), p.MemberID, id)
}
