package membertest_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
)

// TestLoginGuardHoldsUnderParallelGuesses: 20 wrong guesses for one e-mail
// sent at once get at most MaxLoginFailures password checks (401), the
// rest 429 TOO_MANY_REQUESTS, with Redis up and with Redis unreachable
// (PostgreSQL counts then); the right password then is 429 too, and another
// member still logs in.
func TestLoginGuardHoldsUnderParallelGuesses(t *testing.T) {
	t.Parallel()
	for _, redisDown := range []bool{false, true} {
		name := "redis up"
		if redisDown {
			name = "redis down"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, s := newClient(t)
			victim, other := c.SignUp(), c.SignUp()
			if redisDown {
				// A client of a closed port: every Redis call fails fast.
				up := s.Redis
				down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
				s.Redis = down
				t.Cleanup(func() { s.Redis = up; _ = down.Close() })
			}
			const guesses = 20
			var wg sync.WaitGroup
			statuses := make([]membertest.Response, guesses)
			for i := range guesses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = c.Do("POST", "/api/authentication/login", map[string]string{"email": victim.Email, "password": "Wrong-pass1!"})
				}()
			}
			wg.Wait()
			checked, refused := 0, 0
			for _, res := range statuses {
				switch {
				case res.Status == http.StatusUnauthorized && res.Code == "INVALID_CREDENTIALS":
					checked++
				case res.Status == http.StatusTooManyRequests && res.Code == "TOO_MANY_REQUESTS" && res.Header.Get("Retry-After") != "":
					refused++
				default:
					t.Errorf("guess: %d %s %s", res.Status, res.Code, res.Body)
				}
			}
			if checked > member.MaxLoginFailures || checked+refused != guesses {
				t.Errorf("%d guesses checked, %d refused; want at most %d checked, the rest refused", checked, refused, member.MaxLoginFailures)
			}
			res := c.Do("POST", "/api/authentication/login", map[string]string{"email": victim.Email, "password": membertest.Password})
			wantError(t, res, http.StatusTooManyRequests, "TOO_MANY_REQUESTS")
			c.Login(other)
		})
	}
}

// TestReuseRevokesFamilyAccessTokens: when reuse of a rotated refresh token
// revokes its family, the access token last issued from the family is
// refused at once (401 TOKEN_REVOKED), not only when it expires; another
// session of the member keeps working.
func TestReuseRevokesFamilyAccessTokens(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	m := c.SignUp()
	other := c.Login(m)
	res := c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(m.Refresh))
	if res.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	var got struct {
		AccessToken string `json:"accessToken"`
	}
	res.Decode(t, &got)
	if res := c.Do("GET", "/api/members", nil, membertest.Bearer(got.AccessToken)); res.Status != http.StatusOK {
		t.Fatalf("latest access token before reuse: %d %s", res.Status, res.Body)
	}
	wantError(t, c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(m.Refresh)), http.StatusUnauthorized, "REFRESH_TOKEN_REUSED")
	for _, token := range []string{got.AccessToken, m.Token} { // the latest, the first
		res := c.Do("GET", "/api/members", nil, membertest.Bearer(token))
		wantError(t, res, http.StatusUnauthorized, "TOKEN_REVOKED")
		wantHeader(t, res, "X-Relogin-Required", "true")
	}
	if res := c.Do("GET", "/api/members", nil, membertest.Bearer(other.Token)); res.Status != http.StatusOK {
		t.Errorf("another session after reuse: %d %s", res.Status, res.Body)
	}
}
