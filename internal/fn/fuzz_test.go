package fn_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/timeline"

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

// FuzzTimelineRequest: page, size and cursor parameters give a bounded page
// request or a 400.
func FuzzTimelineRequest(f *testing.F) {
	cur := timeline.EncodeCursor(timeline.Key{At: time.Unix(1, 0), ID: 1})
	for _, s := range []string{"", "page=2&size=5", "cursor=" + cur, "cursor=" + cur + "&page=3", "cursor=x", "size=0", "page=-1&cursor=" + cur} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		u, err := url.Parse("/x?" + query)
		if err != nil {
			return
		}
		q, err := fn.TimelineRequest(&http.Request{Method: "GET", URL: u}, 20)
		if err != nil {
			if errcode.Of(err) != errcode.ValidationFailed {
				t.Fatalf("%q: %v, want VALIDATION_FAILED", query, err)
			}
			return
		}
		if q.Page.Page < 0 || q.Size < 1 || q.Size > 100 || (q.Cursor != nil && q.Cursor.ID < 0) {
			t.Fatalf("%q: %+v out of bounds", query, q)
		}
	})
}
