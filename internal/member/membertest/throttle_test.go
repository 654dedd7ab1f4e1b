package membertest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
)

// TestLoginGuard: after MaxLoginFailures wrong passwords for one e-mail,
// even the right password is 429 with Retry-After until the window ends;
// other members are unaffected, and a success clears the count.
func TestLoginGuard(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	victim, other := c.SignUp(), c.SignUp()
	login := func(m membertest.Member, password string) membertest.Response {
		return c.Do("POST", "/api/authentication/login", map[string]string{"email": m.Email, "password": password})
	}

	// Failures below the limit, then a success, reset the count.
	for range member.MaxLoginFailures - 1 {
		if res := login(victim, "Wrong-pass1!"); res.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d %s", res.Status, res.Code)
		}
	}
	if res := login(victim, membertest.Password); res.Status != http.StatusOK {
		t.Fatalf("right password below the limit: %d %s", res.Status, res.Code)
	}
	for range member.MaxLoginFailures {
		login(victim, "Wrong-pass1!")
	}
	res := login(victim, membertest.Password)
	if res.Status != http.StatusTooManyRequests || res.Code != "TOO_MANY_REQUESTS" {
		t.Fatalf("after %d failures: %d %s, want 429", member.MaxLoginFailures, res.Status, res.Code)
	}
	if after, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || after <= 0 || after > int(member.LoginFailureWindow.Seconds())+1 {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	// The e-mail is matched case-insensitively; other members log in.
	if res := c.Do("POST", "/api/authentication/login", map[string]string{"email": "  " + strings.ToUpper(victim.Email), "password": membertest.Password}); res.Status != http.StatusTooManyRequests {
		t.Errorf("same e-mail in capitals: %d, want 429", res.Status)
	}
	if res := login(other, membertest.Password); res.Status != http.StatusOK {
		t.Errorf("another member: %d %s", res.Status, res.Code)
	}
}
