// Package logout is the logout function: POST /api/authentication/logout.
package logout

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the logout function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("logout", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the access token to revoke.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Blacklist its jti until it expires and revoke the refresh cookie's
	// token family (takes effect through Postgres even with Redis down).
	if err := s.Tokens().Logout(r.Context(), p, fn.RefreshTokenOf(r)); err != nil {
		return nil, err
	}
	// Clear the cookie; answer 200 with a body (never 204).
	fn.ClearSession(w, s.Stack)
	return true, nil
}
