package fn

import (
	"net/http"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Response headers of authentication (docs/architecture.md, "Authentication").
const (
	HeaderRefreshNeeded   = "X-Token-Refresh-Needed"
	HeaderReloginRequired = "X-Relogin-Required"
)

// RefreshCookie is the name of the HttpOnly cookie holding the refresh token.
const RefreshCookie = "refresh_token"

// Authenticate verifies the request's bearer token with the process's
// verifier and returns the caller. It sets X-Token-Refresh-Needed (expired
// token, or one signed by a non-primary key) and X-Relogin-Required
// (revoked token, unknown key) on w. The error is coded (401, or 503 when
// the keys cannot be fetched): a Handler returns it, for HTTP to answer.
//
//	p, err := fn.Authenticate(w, r, s.Stack)
//	if err != nil {
//		return nil, err
//	}
func Authenticate(w http.ResponseWriter, r *http.Request, s *stack.Stack) (auth.Principal, error) {
	if s.Auth == nil {
		return auth.Principal{}, errcode.New(errcode.Internal, "function does not open postgres: it cannot verify tokens")
	}
	p, err := s.Auth.VerifyRequest(r)
	setAuthHeaders(w, p, err)
	return p, err
}

// OptionalAuthenticate is Authenticate for routes that anonymous callers may
// also use: without an Authorization header it returns ok false and no
// error; a token that is present must be valid.
func OptionalAuthenticate(w http.ResponseWriter, r *http.Request, s *stack.Stack) (p auth.Principal, ok bool, err error) {
	if auth.BearerToken(r) == "" {
		return auth.Principal{}, false, nil
	}
	p, err = Authenticate(w, r, s)
	return p, err == nil, err
}

func setAuthHeaders(w http.ResponseWriter, p auth.Principal, err error) {
	switch {
	case err == nil && p.RefreshNeeded, auth.RefreshNeeded(err):
		w.Header().Set(HeaderRefreshNeeded, "true")
	case auth.ReloginRequired(err):
		w.Header().Set(HeaderReloginRequired, "true")
	}
}

// AuthService returns the token service over the stack (login, refresh,
// logout, key rotation).
func AuthService(s *stack.Stack) *auth.Service {
	return NewDeps(s, "").Tokens()
}

// SetSession writes a new session on the response: the access token in the
// Authorization header and the refresh token as an HttpOnly, SameSite=Strict
// cookie (Secure when COOKIE_SECURE is set).
func SetSession(w http.ResponseWriter, s *stack.Stack, sess auth.Session) {
	w.Header().Set("Authorization", "Bearer "+sess.Access.Token)
	http.SetCookie(w, &http.Cookie{
		Name:     RefreshCookie,
		Value:    sess.Refresh.Token,
		Path:     "/",
		Expires:  sess.Refresh.ExpiresAt,
		MaxAge:   int(sess.Refresh.ExpiresAt.Sub(s.Now()) / time.Second),
		HttpOnly: true,
		Secure:   s.Config.CookieSecure,
		SameSite: http.SameSiteStrictMode,
	})
}

// ClearSession removes the refresh cookie from the client.
func ClearSession(w http.ResponseWriter, s *stack.Stack) {
	http.SetCookie(w, &http.Cookie{
		Name:     RefreshCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.Config.CookieSecure,
		SameSite: http.SameSiteStrictMode,
	})
}

// RefreshTokenOf returns the refresh token of the request's cookie, or "".
func RefreshTokenOf(r *http.Request) string {
	c, err := r.Cookie(RefreshCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// ReloginOnError sets X-Relogin-Required when err says the client must log
// in again (a refresh token expired, revoked or reused).
func ReloginOnError(w http.ResponseWriter, err error) {
	setAuthHeaders(w, auth.Principal{}, err)
}
