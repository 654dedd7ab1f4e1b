// Package deactivatemember is the deactivate-member function:
// DELETE /api/authentication/deactivate.
package deactivatemember

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the deactivate-member function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("deactivate-member", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the member to deactivate.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Deactivate it and revoke every token it holds.
	if err := s.Tokens().Deactivate(r.Context(), p.MemberID); err != nil {
		return nil, err
	}
	// Clear the cookie; answer 200 with a body.
	fn.ClearSession(w, s.Stack)
	return true, nil
}
