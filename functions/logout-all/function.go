// Package logoutall is the logout-all function:
// POST /api/authentication/logout-all.
package logoutall

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the logout-all function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("logout-all", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Revoke every refresh token and every outstanding access token of the
	// member (its token generation moves on).
	if err := s.Tokens().LogoutAll(r.Context(), p.MemberID); err != nil {
		return nil, err
	}
	// Clear this client's cookie too.
	fn.ClearSession(w, s.Stack)
	return true, nil
}
