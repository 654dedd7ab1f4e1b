// Package login is the login function: POST /api/authentication/login.
package login

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the login function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("login", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Decode {email, password}.
	var in member.Credentials
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Check the credentials and open a session (401 INVALID_CREDENTIALS for
	// an unknown e-mail or a wrong password alike).
	data, sess, err := s.Members().Login(r.Context(), in)
	if err != nil {
		return nil, err
	}
	// Access token in the Authorization header (and in data), refresh token
	// in the HttpOnly cookie.
	fn.SetSession(w, s.Stack, sess)
	return data, nil
}
