// Package signup is the signup function: POST /api/authentication/signup.
package signup

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the signup function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("signup", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Decode the sign-up request.
	var in member.Signup
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Validate, hash the password and create the member (409 on a taken
	// e-mail or handle).
	profile, err := s.Members().Signup(r.Context(), in)
	if err != nil {
		return nil, err
	}
	// Answer 201 with the new member's profile.
	return web.Created(profile), nil
}
