// Package refreshtoken is the refresh-token function:
// POST /api/authentication/refresh and POST /api/token/refresh.
package refreshtoken

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the refresh-token function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("refresh-token", stack.Postgres|stack.Redis, handle)}
}

// Request is the optional body; the refresh_token cookie is used otherwise.
type Request struct {
	RefreshToken string `json:"refreshToken"`
}

// Response is the original's refresh answer.
type Response struct {
	AccessToken string `json:"accessToken"`
	TokenType   string `json:"tokenType"`
	ExpiresIn   int64  `json:"expiresIn"` // seconds
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Read the refresh token: the JSON body's if there is one, else the cookie.
	var in Request
	if r.ContentLength != 0 {
		if err := web.Decode(w, r, &in); err != nil {
			return nil, err
		}
	}
	if in.RefreshToken == "" {
		in.RefreshToken = fn.RefreshTokenOf(r)
	}
	// Rotate it (reuse of a rotated token revokes its family: 401 with
	// X-Relogin-Required).
	sess, err := s.Tokens().Refresh(r.Context(), in.RefreshToken)
	if err != nil {
		fn.ReloginOnError(w, err)
		return nil, err
	}
	// New access token in header and body, new refresh cookie.
	fn.SetSession(w, s.Stack, sess)
	return Response{
		AccessToken: sess.Access.Token,
		TokenType:   "Bearer",
		ExpiresIn:   sess.Access.ExpiresIn(s.Now()),
	}, nil
}
