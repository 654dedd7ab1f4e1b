// Package logout is the logout function: POST /api/authentication/logout.
package logout

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the logout function.
type Function struct{ fn.Base }

// New returns the function; it does no I/O.
func New() *Function { return &Function{Base: fn.New("logout", stack.Postgres|stack.Redis)} }

// Handle serves the function's routes (fn.Base matches them and sets path values).
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, handle) }

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the access token to revoke.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Blacklist its jti until it expires and revoke the refresh cookie's
	// token family (takes effect through Postgres even with Redis down).
	if err := s.Tokens().Logout(r.Context(), p, fn.RefreshTokenOf(r)); err != nil {
		web.Error(w, r, err)
		return
	}
	// Clear the cookie; answer 200 with a body (never 204).
	fn.ClearSession(w, s.Stack)
	web.OK(w, true)
}
