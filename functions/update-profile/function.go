// Package updateprofile is the update-profile function:
// PUT /api/members/profile.
package updateprofile

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the update-profile function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("update-profile", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode the changes (null fields stay unchanged).
	var in member.ProfileUpdate
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Validate and apply them.
	return s.Members().UpdateProfile(r.Context(), p.MemberID, in)
}
