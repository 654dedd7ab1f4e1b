package membertest_test

import (
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// BenchmarkLogin measures the login function in-process: bcrypt (cost
// auth.BcryptCost), the credentials query, a refresh-token insert and the
// access token's signature.
func BenchmarkLogin(b *testing.B) {
	s := testenv.Stack(b, stack.Postgres|stack.Redis)
	c := &membertest.Client{T: b, Handler: handler(s)}
	m := c.SignUp()
	body := map[string]string{"email": m.Email, "password": membertest.Password}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := c.Do("POST", "/api/authentication/login", body); res.Status != http.StatusOK {
				b.Errorf("login: %d %s", res.Status, res.Body)
				return
			}
		}
	})
}

// BenchmarkGetMe measures an authenticated request through the token
// middleware and one member lookup.
func BenchmarkGetMe(b *testing.B) {
	s := testenv.Stack(b, stack.Postgres|stack.Redis)
	c := &membertest.Client{T: b, Handler: handler(s)}
	m := c.SignUp()
	c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token)); res.Status != http.StatusOK {
				b.Errorf("get-me: %d %s", res.Status, res.Body)
				return
			}
		}
	})
}
