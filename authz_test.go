package dailyfeed_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// caller is a kind of caller of the authorization matrix.
type caller string

const (
	anonymous       caller = "anonymous"
	another         caller = "another member"
	theOwner        caller = "the owner"
	deactivated     caller = "a deactivated member"
	loggedOut       caller = "a logged-out token"
	beforeLogoutAll caller = "a token from before logout-all"
	expired         caller = "an expired token signed by the server"
	revokedFamily   caller = "a token of a revoked refresh family"
)

// callers in the order a route's cells run: the owner last, so that the
// target is unchanged by everyone before it.
var callers = []caller{anonymous, deactivated, loggedOut, beforeLogoutAll, expired, revokedFamily, another, theOwner}

// staleCode is the code each stale token must get on a route that reads
// the token.
var staleCode = map[caller]string{
	deactivated:     "TOKEN_REVOKED",
	loggedOut:       "TOKEN_REVOKED",
	beforeLogoutAll: "TOKEN_REVOKED",
	expired:         "TOKEN_EXPIRED",
	revokedFamily:   "TOKEN_REVOKED",
}

// session is what a caller sends: a bearer token and its refresh cookie.
type session struct {
	token  string
	cookie *http.Cookie
}

// world is the one stack and the one set of members every cell shares. The
// stale tokens are the owner's own (the deactivated one excepted): a token
// the owner lost must not keep the owner's rights.
type world struct {
	t        *testing.T
	s        *stack.Stack
	c        *membertest.Client
	owner    membertest.Member
	other    membertest.Member
	deact    membertest.Member
	sessions map[caller]session
	// Read fixtures of the owner: a post, a comment on it, a reply to the
	// comment, an image.
	post, comment, reply int64
	image                string
}

// target is what one route's cells address.
type target struct {
	path string
	// body is the request body a caller sends (nil: none).
	body func(caller) any
	opts []membertest.Request
	// owner and other are the owner and the other member of this route:
	// the world's, or fresh members when the route changes its caller's
	// session or profile.
	owner, other membertest.Member
	// state reads the target's data; a write by a wrong caller must leave
	// it as it was, and the owner's write must change it.
	state func() string
}

// matrixCase is how to call one route of the table.
type matrixCase struct {
	setup func(t *testing.T, w *world) target
	// ok is the status of the owner's call (and everyone's allowed call).
	ok int
	// otherStatus and otherCode, when set, are another member's answer on
	// a member route (a like to undo that it never made).
	otherStatus int
	otherCode   string
	// forbidden is the 403 code another member gets on an owner route.
	forbidden string
	// otherWrites: another member may change the target (like it,
	// comment on it, follow it), so its call is not checked to change
	// nothing.
	otherWrites bool
	// cookie: callers also send their refresh cookie.
	cookie bool
	// want overrides the expected answer of some callers.
	want func(caller) (status int, code string, ok bool)
	// first: the route's stale cells write to the world's members (a
	// reused refresh cookie revokes its family again), so it runs before
	// the parallel routes whose states read those members.
	first bool
}

// expect is the answer a caller must get on route r.
func (mc matrixCase) expect(r route.Route, c caller) (int, string) {
	if mc.want != nil {
		if status, code, ok := mc.want(c); ok {
			return status, code
		}
	}
	_, stale := staleCode[c]
	switch {
	case r.Access == route.Public:
		return mc.ok, ""
	case c == anonymous && r.Access == route.Optional:
		return mc.ok, ""
	case c == anonymous:
		return http.StatusUnauthorized, "TOKEN_MISSING"
	case stale:
		return http.StatusUnauthorized, staleCode[c]
	case c == another && r.Access == route.Owner:
		return http.StatusForbidden, mc.forbidden
	case c == another && mc.otherStatus != 0:
		return mc.otherStatus, mc.otherCode
	}
	return mc.ok, ""
}

// mustNotChange reports whether c's call on r must leave the target as it was.
func (mc matrixCase) mustNotChange(r route.Route, c caller) bool {
	switch {
	case r.Access == route.Public, c == theOwner:
		return false
	case c == another:
		return !mc.otherWrites
	}
	return true
}

func key(r route.Route) string { return r.Method + " " + r.Path }

// plannedRoute is one route of the table with its case.
type plannedRoute struct {
	function string
	route    route.Route
	mc       matrixCase
}

// matrixPlan pairs every HTTP route of fns with its case. problems names
// each route without a declared access or without a case, and each case
// of no route.
func matrixPlan(fns []route.Function, cases map[string]matrixCase) (plan []plannedRoute, problems []string) {
	seen := map[string]bool{}
	for _, f := range fns {
		for _, r := range f.Routes {
			seen[key(r)] = true
			if !slices.Contains(route.Accesses, r.Access) {
				problems = append(problems, fmt.Sprintf("%s (%s) declares no access", key(r), f.Name))
				continue
			}
			mc, ok := cases[key(r)]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s (%s) has no case in the matrix", key(r), f.Name))
				continue
			}
			plan = append(plan, plannedRoute{function: f.Name, route: r, mc: mc})
		}
	}
	for k := range cases {
		if !seen[k] {
			problems = append(problems, fmt.Sprintf("case %s is no route of the table", k))
		}
	}
	slices.Sort(problems)
	return plan, problems
}

// TestMatrixPlanRejectsUndeclaredRoutes is the test of the matrix test: a
// planted route without declared access, one without a case and a case of
// no route all fail the plan.
func TestMatrixPlanRejectsUndeclaredRoutes(t *testing.T) {
	ok := matrixCase{ok: http.StatusOK}
	table := []route.Function{
		{Name: "declared", Kind: route.HTTP, Routes: []route.Route{{Method: "GET", Path: "/a", Access: route.Public}}},
		{Name: "planted", Kind: route.HTTP, Routes: []route.Route{{Method: "GET", Path: "/b"}}},
		{Name: "uncovered", Kind: route.HTTP, Routes: []route.Route{{Method: "PUT", Path: "/c", Access: route.Owner}}},
	}
	plan, problems := matrixPlan(table, map[string]matrixCase{"GET /a": ok, "GET /b": ok, "GET /gone": ok})
	want := []string{
		"GET /b (planted) declares no access",
		"PUT /c (uncovered) has no case in the matrix",
		"case GET /gone is no route of the table",
	}
	if !slices.Equal(problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	if len(plan) != 1 || plan[0].function != "declared" {
		t.Errorf("plan %+v, want the declared route only", plan)
	}
	// The real table plans cleanly.
	if _, problems := matrixPlan(route.Functions, matrix); len(problems) > 0 {
		t.Errorf("route table:\n%s", strings.Join(problems, "\n"))
	}
}

// TestAuthorizationMatrix runs every route of the table as every kind of
// caller against the real stack through the all-in-one function: the
// status and code each must get by the route's declared access, and for
// writes by a wrong caller, the target's data unchanged.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	plan, problems := matrixPlan(route.Functions, matrix)
	for _, p := range problems {
		t.Error(p)
	}
	w := newWorld(t)
	var cells atomic.Int64
	t.Run("first", func(t *testing.T) {
		for _, p := range plan {
			if p.mc.first {
				t.Run(key(p.route), func(t *testing.T) { runRoute(t, w, p, &cells) })
			}
		}
	})
	t.Run("routes", func(t *testing.T) {
		for _, p := range plan {
			if p.mc.first {
				continue
			}
			t.Run(key(p.route), func(t *testing.T) {
				t.Parallel()
				runRoute(t, w, p, &cells)
			})
		}
	})
	routes := 0
	for _, f := range route.Functions {
		routes += len(f.Routes)
	}
	t.Logf("%d routes of %d covered, %d cells run", len(plan), routes, cells.Load())
	if len(plan) != routes {
		t.Errorf("covered %d routes of the table's %d", len(plan), routes)
	}
}

func runRoute(t *testing.T, w *world, p plannedRoute, cells *atomic.Int64) {
	tg := p.mc.setup(t, w)
	if tg.owner.ID == 0 {
		tg.owner = w.owner
	}
	if tg.other.ID == 0 {
		tg.other = w.other
	}
	var before string
	if tg.state != nil {
		before = tg.state()
	}
	for _, c := range callers {
		status, code := p.mc.expect(p.route, c)
		t.Run(string(c), func(t *testing.T) {
			cells.Add(1)
			var opts []membertest.Request
			sess := w.sessionOf(c, tg)
			if sess.token != "" {
				opts = append(opts, membertest.Bearer(sess.token))
			}
			if p.mc.cookie && sess.cookie != nil {
				opts = append(opts, membertest.Cookie(sess.cookie))
			}
			opts = append(opts, tg.opts...)
			var body any
			if tg.body != nil {
				body = tg.body(c)
			}
			res := w.c.Do(p.route.Method, tg.path, body, opts...)
			if res.Status != status || (code != "" && res.Code != code) {
				t.Errorf("%s %s: %d %s, want %d %s: %.300s", p.route.Method, tg.path, res.Status, res.Code, status, code, res.Body)
			}
			if tg.state == nil {
				return
			}
			after := tg.state()
			switch {
			case p.mc.mustNotChange(p.route, c) && after != before:
				t.Errorf("the target changed:\nbefore %s\nafter  %s", before, after)
			case c == theOwner && res.Status == status && after == before:
				// The state must see the owner's write, or it checks nothing.
				t.Errorf("the owner's write left the target's state unchanged: %s", after)
			}
			before = after
		})
	}
}

// sessionOf is what caller c sends on a route whose owner and other are tg's.
func (w *world) sessionOf(c caller, tg target) session {
	switch c {
	case anonymous:
		return session{}
	case theOwner:
		return session{tg.owner.Token, tg.owner.Refresh}
	case another:
		return session{tg.other.Token, tg.other.Refresh}
	}
	return w.sessions[c]
}

// newWorld signs up the owner, another member and a deactivated one, and
// makes the owner's stale tokens: one from before a logout-all, one logged
// out, one of a refresh family revoked by the reuse of a rotated refresh
// token, one expired (signed by the server with a clock an hour and more
// behind).
func newWorld(t *testing.T) *world {
	t.Helper()
	s := testenv.Stack(t, stack.All)
	srv := dailyfeed.NewShared(s)
	c := &membertest.Client{T: t, Handler: http.HandlerFunc(srv.Handle)}
	w := &world{t: t, s: s, c: c, sessions: map[caller]session{}}
	must := func(res membertest.Response, status int, what string) membertest.Response {
		t.Helper()
		if res.Status != status {
			t.Fatalf("%s: %d %s", what, res.Status, res.Body)
		}
		return res
	}

	// The owner: its first session ends with a logout-all.
	w.owner = c.SignUp()
	w.sessions[beforeLogoutAll] = session{w.owner.Token, w.owner.Refresh}
	must(c.Do("POST", "/api/authentication/logout-all", nil, membertest.Bearer(w.owner.Token)), http.StatusOK, "logout-all")
	w.owner = c.Login(w.owner)

	lo := c.Login(w.owner)
	must(c.Do("POST", "/api/authentication/logout", nil, membertest.Bearer(lo.Token), membertest.Cookie(lo.Refresh)), http.StatusOK, "logout")
	w.sessions[loggedOut] = session{lo.Token, lo.Refresh}

	fam := c.Login(w.owner)
	res := must(c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(fam.Refresh)), http.StatusOK, "refresh")
	var rotated struct {
		AccessToken string `json:"accessToken"`
	}
	res.Decode(t, &rotated)
	must(c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(fam.Refresh)), http.StatusUnauthorized, "refresh reuse")
	w.sessions[revokedFamily] = session{rotated.AccessToken, res.Cookie("refresh_token")}

	var gen int64
	if err := s.DB.QueryRow(context.Background(), `SELECT token_generation FROM members WHERE id = $1`, w.owner.ID).Scan(&gen); err != nil {
		t.Fatal(err)
	}
	back := &auth.Service{DB: s.DB, Config: s.Config, Now: func() time.Time {
		return time.Now().Add(-s.Config.AccessTokenTTL - time.Minute)
	}}
	old, err := back.IssueAccess(context.Background(), w.owner.ID, gen)
	if err != nil {
		t.Fatal(err)
	}
	w.sessions[expired] = session{token: old.Token}

	w.other = c.SignUp()
	w.deact = c.SignUp()
	must(c.Do("DELETE", "/api/authentication/deactivate", nil, membertest.Bearer(w.deact.Token)), http.StatusOK, "deactivate")
	w.sessions[deactivated] = session{w.deact.Token, w.deact.Refresh}

	// The owner's read fixtures.
	w.post = w.newPost(w.owner)
	w.comment = w.newComment(w.owner, w.post, 0)
	w.reply = w.newComment(w.owner, w.post, w.comment)
	w.image = w.newImage(w.owner)
	return w
}

var seq atomic.Int64

// unique is a string no other call of the test uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s%d_%d", prefix, time.Now().UnixNano()%1_000_000_000, seq.Add(1))
}

func (w *world) fresh() membertest.Member { return w.c.SignUp() }

func (w *world) do(m membertest.Member, method, path string, body any, status int) membertest.Response {
	w.t.Helper()
	res := w.c.Do(method, path, body, membertest.Bearer(m.Token))
	if res.Status != status {
		w.t.Fatalf("%s %s: %d %s", method, path, res.Status, res.Body)
	}
	return res
}

func (w *world) id(res membertest.Response) int64 {
	var v struct {
		ID int64 `json:"id"`
	}
	res.Decode(w.t, &v)
	return v.ID
}

func (w *world) newPost(m membertest.Member) int64 {
	return w.id(w.do(m, "POST", "/api/posts", map[string]any{"content": unique("matrix post ")}, http.StatusCreated))
}

func (w *world) newComment(m membertest.Member, post, parent int64) int64 {
	if parent == 0 {
		return w.id(w.do(m, "POST", "/api/comments", map[string]any{"postId": post, "content": unique("comment ")}, http.StatusCreated))
	}
	return w.id(w.do(m, "POST", "/api/comments/replies", map[string]any{"postId": post, "parentId": parent, "content": unique("reply ")}, http.StatusCreated))
}

func (w *world) newImage(m membertest.Member) string {
	body, ct := imagetest.Multipart(w.t, "image", "a.png", "image/png", imagetest.PNG(w.t, 8, 8))
	res := w.c.Do("POST", "/api/images/upload", body.Bytes(), membertest.Bearer(m.Token), contentType(ct))
	if res.Status != http.StatusCreated {
		w.t.Fatalf("upload: %d %s", res.Status, res.Body)
	}
	var id string
	res.Decode(w.t, &id)
	return id
}

func contentType(ct string) membertest.Request {
	return func(r *http.Request) { r.Header.Set("Content-Type", ct) }
}

// state returns a reader of the JSON of query's rows.
func (w *world) state(query string, args ...any) func() string {
	return func() string {
		var out *string
		q := `SELECT json_agg(t)::text FROM (` + query + `) t`
		if err := w.s.DB.QueryRow(context.Background(), q, args...).Scan(&out); err != nil {
			w.t.Errorf("state: %v", err)
			return ""
		}
		if out == nil {
			return "[]"
		}
		return *out
	}
}

// memberState reads what a member's own routes change: the member row
// (not its follow counters), its sessions, revoked tokens and images.
func (w *world) memberState(ids ...int64) func() string {
	return w.state(`SELECT m.id, m.email, m.member_name, m.handle, m.display_name, m.bio, m.avatar_image_id,
		m.privacy_level, m.status, m.token_generation,
		(SELECT json_agg(r ORDER BY r.id) FROM (SELECT id, rotated_at, revoked_at FROM refresh_tokens WHERE member_id = m.id) r) AS sessions,
		(SELECT json_agg(j ORDER BY j) FROM (SELECT jti FROM revoked_tokens WHERE member_id = m.id) j) AS revoked,
		(SELECT json_agg(i ORDER BY i.id) FROM (SELECT id, deleted_at FROM images WHERE member_id = m.id) i) AS images
		FROM members m WHERE m.id = ANY($1) ORDER BY m.id`, ids)
}

func (w *world) postState(id int64) func() string {
	return w.state(`SELECT p.id, p.title, p.content, p.like_count, p.comment_count, p.updated_at, p.deleted_at,
		(SELECT json_agg(l.member_id ORDER BY l.member_id) FROM post_likes l WHERE l.post_id = p.id) AS likes,
		(SELECT json_agg(c.id ORDER BY c.id) FROM comments c WHERE c.post_id = p.id) AS comments
		FROM posts p WHERE p.id = $1`, id)
}

func (w *world) commentState(id int64) func() string {
	return w.state(`SELECT c.id, c.content, c.like_count, c.reply_count, c.updated_at, c.deleted_at,
		(SELECT json_agg(l.member_id ORDER BY l.member_id) FROM comment_likes l WHERE l.comment_id = c.id) AS likes,
		(SELECT json_agg(r.id ORDER BY r.id) FROM comments r WHERE r.parent_id = c.id) AS replies
		FROM comments c WHERE c.id = $1`, id)
}

func (w *world) followState(id int64) func() string {
	return w.state(`SELECT follower_id FROM follows WHERE followee_id = $1 ORDER BY follower_id`, id)
}

// Targets shared by several cases.

func read(path func(w *world) string) func(*testing.T, *world) target {
	return func(t *testing.T, w *world) target { return target{path: path(w)} }
}

func fixed(path string) func(*testing.T, *world) target {
	return read(func(*world) string { return path })
}

func jsonBody(v any) func(caller) any { return func(caller) any { return v } }

// selfWrite is a route that changes its caller's own profile or session:
// the owner and the other are fresh members, and no stale token of the
// world's owner or of the deactivated member changes anything of theirs.
func selfWrite(path string, body func(caller) any) func(*testing.T, *world) target {
	return func(t *testing.T, w *world) target {
		f := w.fresh()
		return target{path: path, body: body, owner: f, other: w.fresh(), state: w.memberState(w.owner.ID, w.deact.ID, f.ID)}
	}
}

func upload(path string) func(*testing.T, *world) target {
	return func(t *testing.T, w *world) target {
		f := w.fresh()
		body, ct := imagetest.Multipart(t, "image", "a.png", "image/png", imagetest.PNG(t, 8, 8))
		return target{path: path, body: jsonBody(body.Bytes()), opts: []membertest.Request{contentType(ct)},
			owner: f, other: w.fresh(), state: w.memberState(w.owner.ID, w.deact.ID, f.ID)}
	}
}

func refresh(path string) matrixCase {
	return matrixCase{
		setup: func(t *testing.T, w *world) target {
			return target{path: path, owner: w.fresh(), other: w.fresh()}
		},
		ok:     http.StatusOK,
		cookie: true,
		first:  true,
		// The refresh cookie authenticates, not the bearer token: no
		// cookie is 401 REFRESH_TOKEN_INVALID, a revoked one 401
		// REFRESH_TOKEN_REUSED (and revokes its family again).
		want: func(c caller) (int, string, bool) {
			switch c {
			case anonymous, expired:
				return http.StatusUnauthorized, "REFRESH_TOKEN_INVALID", true
			case deactivated, loggedOut, beforeLogoutAll, revokedFamily:
				return http.StatusUnauthorized, "REFRESH_TOKEN_REUSED", true
			}
			return 0, "", false
		},
	}
}

func ok(path string) matrixCase { return matrixCase{setup: fixed(path), ok: http.StatusOK} }

func okAt(path func(w *world) string) matrixCase {
	return matrixCase{setup: read(path), ok: http.StatusOK}
}

func postPath(format string) func(w *world) string {
	return func(w *world) string { return fmt.Sprintf(format, w.post) }
}

func commentPath(format string) func(w *world) string {
	return func(w *world) string { return fmt.Sprintf(format, w.comment) }
}

func ownerPath(format string) func(w *world) string {
	return func(w *world) string { return fmt.Sprintf(format, w.owner.ID) }
}

// matrix is the case of every route of the table, keyed "METHOD path".
var matrix = map[string]matrixCase{
	// Members and authentication.
	"POST /api/authentication/signup": {
		setup: func(t *testing.T, w *world) target {
			return target{path: "/api/authentication/signup", body: func(caller) any {
				h := unique("s")
				return map[string]any{"email": h + "@example.com", "password": membertest.Password, "memberName": "Matrix",
					"handle": h, "gender": "OTHER", "countryCode": "KR"}
			}}
		},
		ok: http.StatusCreated,
	},
	"POST /api/authentication/login": {
		setup: func(t *testing.T, w *world) target {
			m := w.fresh()
			return target{path: "/api/authentication/login", body: jsonBody(map[string]string{"email": m.Email, "password": membertest.Password})}
		},
		ok: http.StatusOK,
	},
	"POST /api/authentication/logout": {
		setup: selfWrite("/api/authentication/logout", nil), ok: http.StatusOK, cookie: true,
	},
	"POST /api/authentication/logout-all": {
		setup: selfWrite("/api/authentication/logout-all", nil), ok: http.StatusOK,
	},
	"POST /api/authentication/refresh": refresh("/api/authentication/refresh"),
	"POST /api/token/refresh":          refresh("/api/token/refresh"),
	"DELETE /api/authentication/deactivate": {
		setup: selfWrite("/api/authentication/deactivate", nil), ok: http.StatusOK,
	},
	"GET /.well-known/jwks.json":           ok("/.well-known/jwks.json"),
	"GET /api/members":                     ok("/api/members"),
	"GET /api/members/summary":             ok("/api/members/summary"),
	"GET /api/members/{memberId}/summary":  okAt(ownerPath("/api/members/%d/summary")),
	"GET /api/members/profile":             ok("/api/members/profile"),
	"GET /api/members/profile/{memberRef}": okAt(func(w *world) string { return "/api/members/profile/@" + w.owner.Handle }),
	"GET /api/members/{memberId}/profile":  okAt(ownerPath("/api/members/%d/profile")),
	"POST /api/members/query/in": {setup: func(t *testing.T, w *world) target {
		return target{path: "/api/members/query/in", body: jsonBody(map[string]any{"ids": []int64{w.owner.ID}})}
	}, ok: http.StatusOK},
	"GET /api/members/followers-followings":            ok("/api/members/followers-followings"),
	"GET /api/members/followers/more":                  ok("/api/members/followers/more"),
	"GET /api/members/followings/more":                 ok("/api/members/followings/more"),
	"GET /api/members/follow/recommend/newbie":         ok("/api/members/follow/recommend/newbie"),
	"GET /api/members/follow/recommend/newbie/more":    ok("/api/members/follow/recommend/newbie/more"),
	"GET /api/members/{memberId}/followers-followings": okAt(ownerPath("/api/members/%d/followers-followings")),
	"GET /api/members/{memberId}/followers/more":       okAt(ownerPath("/api/members/%d/followers/more")),
	"GET /api/members/{memberId}/followings/more":      okAt(ownerPath("/api/members/%d/followings/more")),
	"PUT /api/members/profile": {
		setup: selfWrite("/api/members/profile", func(caller) any { return map[string]any{"bio": unique("bio ")} }), ok: http.StatusOK,
	},
	"PUT /api/members/profile/handle": {
		setup: selfWrite("/api/members/profile/handle", func(caller) any { return map[string]any{"handle": unique("h")} }), ok: http.StatusOK,
	},
	"POST /api/members/follow/{memberId}": {
		setup: func(t *testing.T, w *world) target {
			f := w.fresh()
			return target{path: fmt.Sprintf("/api/members/follow/%d", f.ID), state: w.followState(f.ID)}
		},
		ok: http.StatusCreated, otherWrites: true,
	},
	"DELETE /api/members/follow/{memberId}": {
		setup: func(t *testing.T, w *world) target {
			f := w.fresh()
			path := fmt.Sprintf("/api/members/follow/%d", f.ID)
			w.do(w.owner, "POST", path, nil, http.StatusCreated)
			w.do(w.other, "POST", path, nil, http.StatusCreated)
			return target{path: path, state: w.followState(f.ID)}
		},
		ok: http.StatusOK, otherWrites: true,
	},

	// Content.
	"POST /api/posts": {
		setup: func(t *testing.T, w *world) target {
			marker := unique("created by the matrix ")
			return target{path: "/api/posts", body: func(c caller) any { return map[string]any{"content": marker + " " + string(c)} },
				state: w.state(`SELECT id FROM posts WHERE content LIKE $1 ORDER BY id`, marker+"%")}
		},
		ok: http.StatusCreated, otherWrites: true,
	},
	"PUT /api/posts/{postId}": {
		setup: func(t *testing.T, w *world) target {
			id := w.newPost(w.owner)
			return target{path: fmt.Sprintf("/api/posts/%d", id), body: func(c caller) any { return map[string]any{"content": "edited by " + string(c)} }, state: w.postState(id)}
		},
		ok: http.StatusOK, forbidden: "POST_FORBIDDEN",
	},
	"DELETE /api/posts/{postId}": {
		setup: func(t *testing.T, w *world) target {
			id := w.newPost(w.owner)
			return target{path: fmt.Sprintf("/api/posts/%d", id), state: w.postState(id)}
		},
		ok: http.StatusOK, forbidden: "POST_FORBIDDEN",
	},
	"POST /api/posts/{postId}/like": {
		setup: func(t *testing.T, w *world) target {
			id := w.newPost(w.owner)
			return target{path: fmt.Sprintf("/api/posts/%d/like", id), state: w.postState(id)}
		},
		ok: http.StatusOK, otherWrites: true,
	},
	"DELETE /api/posts/{postId}/like": {
		setup: func(t *testing.T, w *world) target {
			id := w.newPost(w.owner)
			path := fmt.Sprintf("/api/posts/%d/like", id)
			w.do(w.owner, "POST", path, nil, http.StatusOK)
			w.do(w.other, "POST", path, nil, http.StatusOK)
			return target{path: path, state: w.postState(id)}
		},
		ok: http.StatusOK, otherWrites: true,
	},
	"POST /api/comments": {
		setup: func(t *testing.T, w *world) target {
			id := w.newPost(w.owner)
			return target{path: "/api/comments", body: func(c caller) any { return map[string]any{"postId": id, "content": "by " + string(c)} }, state: w.postState(id)}
		},
		ok: http.StatusCreated, otherWrites: true,
	},
	"POST /api/comments/replies": {
		setup: func(t *testing.T, w *world) target {
			post := w.newPost(w.owner)
			parent := w.newComment(w.owner, post, 0)
			return target{path: "/api/comments/replies", body: func(c caller) any {
				return map[string]any{"postId": post, "parentId": parent, "content": "by " + string(c)}
			}, state: w.commentState(parent)}
		},
		ok: http.StatusCreated, otherWrites: true,
	},
	"PUT /api/comments/{commentId}": {
		setup: func(t *testing.T, w *world) target {
			id := w.newComment(w.owner, w.post, 0)
			return target{path: fmt.Sprintf("/api/comments/%d", id), body: func(c caller) any { return map[string]any{"content": "edited by " + string(c)} }, state: w.commentState(id)}
		},
		ok: http.StatusOK, forbidden: "COMMENT_FORBIDDEN",
	},
	"DELETE /api/comments/{commentId}": {
		setup: func(t *testing.T, w *world) target {
			id := w.newComment(w.owner, w.post, 0)
			return target{path: fmt.Sprintf("/api/comments/%d", id), state: w.commentState(id)}
		},
		ok: http.StatusOK, forbidden: "COMMENT_FORBIDDEN",
	},
	"POST /api/comments/{commentId}/like": {
		setup: func(t *testing.T, w *world) target {
			id := w.newComment(w.owner, w.post, 0)
			return target{path: fmt.Sprintf("/api/comments/%d/like", id), state: w.commentState(id)}
		},
		ok: http.StatusOK, otherWrites: true,
	},
	"DELETE /api/comments/{commentId}/like": {
		setup: func(t *testing.T, w *world) target {
			id := w.newComment(w.owner, w.post, 0)
			path := fmt.Sprintf("/api/comments/%d/like", id)
			w.do(w.owner, "POST", path, nil, http.StatusOK)
			w.do(w.other, "POST", path, nil, http.StatusOK)
			return target{path: path, state: w.commentState(id)}
		},
		ok: http.StatusOK, otherWrites: true,
	},

	// Timeline.
	"GET /api/timeline/posts/followings":         ok("/api/timeline/posts/followings"),
	"GET /api/timeline/posts/most-popular":       ok("/api/timeline/posts/most-popular"),
	"GET /api/timeline/posts/most-commented":     ok("/api/timeline/posts/most-commented"),
	"GET /api/timeline/posts/recent-activities":  ok("/api/timeline/posts/recent-activities"),
	"GET /api/timeline/posts":                    ok("/api/timeline/posts"),
	"GET /api/timeline/posts/authors/{authorId}": okAt(ownerPath("/api/timeline/posts/authors/%d")),
	"GET /api/timeline/posts/{postId}":           okAt(postPath("/api/timeline/posts/%d")),
	"POST /api/timeline/posts/query/list": {
		setup: func(t *testing.T, w *world) target {
			return target{path: "/api/timeline/posts/query/list", body: jsonBody(map[string]any{"ids": []int64{w.post}})}
		},
		ok: http.StatusOK,
	},
	"GET /api/timeline/statistics/posts/{postId}":    okAt(postPath("/api/timeline/statistics/posts/%d")),
	"GET /api/timeline/posts/{postId}/comments":      okAt(postPath("/api/timeline/posts/%d/comments")),
	"GET /api/timeline/comments/{commentId}":         okAt(commentPath("/api/timeline/comments/%d")),
	"GET /api/timeline/comments/{commentId}/replies": okAt(commentPath("/api/timeline/comments/%d/replies")),
	"GET /api/timeline/comments":                     ok("/api/timeline/comments"),
	"GET /api/timeline/members/{memberId}/comments":  okAt(ownerPath("/api/timeline/members/%d/comments")),

	// Images.
	"POST /api/images/upload":         {setup: upload("/api/images/upload"), ok: http.StatusCreated},
	"POST /api/images/upload/profile": {setup: upload("/api/images/upload/profile"), ok: http.StatusCreated},
	"GET /api/images/view/{imageId}":  okAt(func(w *world) string { return "/api/images/view/" + w.image }),
	"POST /api/images/view/command/delete/in": {
		// Only the caller's own images are deleted: another member's call
		// answers 200 and deletes nothing.
		setup: func(t *testing.T, w *world) target {
			id := w.newImage(w.owner)
			return target{path: "/api/images/view/command/delete/in",
				body:  jsonBody(map[string]any{"imageUrls": []string{"/api/images/view/" + id}}),
				state: w.state(`SELECT id, deleted_at FROM images WHERE id = $1`, id)}
		},
		ok: http.StatusOK,
	},

	// Search and activities.
	"GET /api/search/posts":    ok("/api/search/posts?keyword=matrix"),
	"GET /api/search/comments": ok("/api/search/comments?keyword=matrix"),
	"GET /api/activities":      ok("/api/activities"),
	"GET /api/activities/me":   ok("/api/activities/me"),
}
