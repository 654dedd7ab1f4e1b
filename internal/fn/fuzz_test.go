package fn_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/fn"
)

// FuzzRequestCredentials is the parsing of a request's credentials: the
// refresh token of the Cookie header and the bearer token of the
// Authorization header. Each is "" or a value taken from its header; the
// refresh token only ever reaches PostgreSQL hashed.
func FuzzRequestCredentials(f *testing.F) {
	f.Add("refresh_token=abc", "Bearer x.y.z")
	f.Add("a=1; refresh_token=\"q\"; refresh_token=2", "bearer   t  ")
	f.Add("refresh_token=", "Basic dXNlcg==")
	f.Add("refresh_token=\x00\xff", "Bearer")
	f.Fuzz(func(t *testing.T, cookie, authorization string) {
		r := httptest.NewRequest("POST", "/api/authentication/refresh", nil)
		r.Header = http.Header{"Cookie": {cookie}, "Authorization": {authorization}}
		if tok := fn.RefreshTokenOf(r); tok != "" && !strings.Contains(cookie, tok) {
			t.Fatalf("%q: refresh token %q is not from the cookie", cookie, tok)
		}
		if tok := auth.BearerToken(r); tok != "" && (!strings.Contains(authorization, tok) || strings.TrimSpace(tok) != tok) {
			t.Fatalf("%q: bearer token %q", authorization, tok)
		}
	})
}
