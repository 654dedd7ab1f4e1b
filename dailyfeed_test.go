package dailyfeed_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// TestServesEveryRouteOfTheTable: every HTTP route of the table reaches its
// function (which answers anything but the router's own 404/405).
func TestServesEveryRouteOfTheTable(t *testing.T) {
	t.Parallel()
	srv := dailyfeed.NewShared(testenv.Stack(t, stack.All))
	c := &membertest.Client{T: t, Handler: http.HandlerFunc(srv.Handle)}
	for _, f := range route.Functions {
		for _, r := range f.Routes {
			path := samplePath(r.Path)
			res := c.Do(r.Method, path, nil)
			if res.Code == "METHOD_NOT_ALLOWED" || (res.Status == http.StatusNotFound && res.Code == "NOT_FOUND") {
				t.Errorf("%s %s (%s): the router answered %d %s", r.Method, path, f.Name, res.Status, res.Code)
			}
		}
	}
	if res := c.Do("GET", "/api/no-such-route", nil); res.Status != http.StatusNotFound || res.Code != "NOT_FOUND" {
		t.Errorf("unknown route: %d %s, want 404 NOT_FOUND", res.Status, res.Code)
	}
	if res := c.Do("PATCH", "/api/authentication/login", nil); res.Status != http.StatusMethodNotAllowed {
		t.Errorf("PATCH login: %d, want 405", res.Status)
	}
}

// samplePath fills the path's wildcards with a number.
func samplePath(pattern string) string {
	out := []byte{}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '{' {
			for i < len(pattern) && pattern[i] != '}' {
				i++
			}
			out = append(out, '1')
			continue
		}
		out = append(out, pattern[i])
	}
	return string(out)
}

// TestReadiness: ready only once started and while every server answers.
func TestReadiness(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if ok, _ := dailyfeed.New().Ready(ctx); ok {
		t.Error("ready before Start")
	}
	if ok, err := dailyfeed.NewShared(testenv.Stack(t, stack.All)).Ready(ctx); !ok || err != nil {
		t.Errorf("Ready = %v, %v with every server up", ok, err)
	}
	cfg := testenv.Config(t)
	s := testenv.StackWith(t, cfg, stack.Postgres|stack.Redis|stack.S3)
	s.Needs |= stack.Kafka
	s.Config.KafkaBrokers = []string{"127.0.0.1:1"} // no broker there
	if ok, _ := dailyfeed.NewShared(s).Ready(ctx); ok {
		t.Error("ready while Kafka does not answer")
	}
}

// TestMemberFlowThroughAllInOne: signup → login → get-me → logout → get-me
// is 401, through the all-in-one function's routing.
func TestMemberFlowThroughAllInOne(t *testing.T) {
	t.Parallel()
	srv := dailyfeed.NewShared(testenv.Stack(t, stack.All))
	c := &membertest.Client{T: t, Handler: http.HandlerFunc(srv.Handle)}
	m := c.SignUp()

	res := c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token))
	var me struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	res.Decode(t, &me)
	if res.Status != http.StatusOK || me.ID != m.ID {
		t.Fatalf("get-me: %d %s", res.Status, res.Body)
	}
	if res := c.Do("POST", "/api/authentication/logout", nil, membertest.Bearer(m.Token), membertest.Cookie(m.Refresh)); res.Status != http.StatusOK {
		t.Fatalf("logout: %d %s", res.Status, res.Body)
	}
	res = c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token))
	if res.Status != http.StatusUnauthorized || res.Header.Get("X-Relogin-Required") != "true" {
		t.Errorf("get-me after logout: %d %s, relogin %q", res.Status, res.Code, res.Header.Get("X-Relogin-Required"))
	}
}
