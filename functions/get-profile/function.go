// Package getprofile is the get-profile function: GET /api/members/profile
// (mine), /api/members/profile/{memberId}, /api/members/profile/@{handle}
// and /api/members/{memberId}/profile.
package getprofile

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the get-profile function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("get-profile", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Whose profile: {memberRef} (an id or @handle), {memberId}, else mine.
	ref := member.Ref{ID: p.MemberID}
	switch {
	case r.PathValue("memberRef") != "":
		ref, err = member.ParseRef(r.PathValue("memberRef"))
	case r.PathValue("memberId") != "":
		ref.ID, err = web.PathID(r, "memberId")
	}
	if err != nil {
		return nil, err
	}
	// Read it (404 MEMBER_NOT_FOUND; the e-mail only in one's own).
	return s.Members().Profile(r.Context(), p.MemberID, ref)
}
