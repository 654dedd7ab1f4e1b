// Package followmember is the follow-member function: POST /api/members/follow/{memberId}.
package followmember

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the follow-member function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("follow-member", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the caller is the follower.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Whom to follow.
	id, err := web.PathID(r, "memberId")
	if err != nil {
		return nil, err
	}
	// Follow (400 self, 404 unknown, 409 twice or past the limit) with its
	// MEMBER_FOLLOW event.
	res, err := s.Follows().Follow(r.Context(), p.MemberID, id)
	if err != nil {
		return nil, err
	}
	return web.Created(res), nil
}
