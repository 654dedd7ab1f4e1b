// Package unfollowmember is the unfollow-member function: DELETE /api/members/follow/{memberId}.
package unfollowmember

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the unfollow-member function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("unfollow-member", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the caller is the follower.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Whom to unfollow.
	id, err := web.PathID(r, "memberId")
	if err != nil {
		return nil, err
	}
	// Unfollow (404 when not following) with its MEMBER_UNFOLLOW event.
	return s.Follows().Unfollow(r.Context(), p.MemberID, id)
}
