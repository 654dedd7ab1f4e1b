package membertest_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// forger signs tokens the way an attacker (or a test) can.
type forger struct {
	t      *testing.T
	kid    string
	key    ed25519.PrivateKey
	iss    string
	aud    string
	member int64
}

func newForger(t *testing.T, s *stack.Stack, member int64) forger {
	t.Helper()
	var kid string
	var seed []byte
	err := s.DB.QueryRow(context.Background(), `SELECT kid, private_key FROM signing_keys WHERE replaced_at IS NULL`).Scan(&kid, &seed)
	if err != nil {
		t.Fatal(err)
	}
	return forger{t: t, kid: kid, key: ed25519.NewKeyFromSeed(seed), iss: s.Config.JWTIssuer, aud: s.Config.JWTAudience, member: member}
}

func (f forger) claims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"sub": strconv.FormatInt(f.member, 10), "memberId": f.member, "gen": 0, "jti": "forged-" + testenv.ID(),
		"iss": f.iss, "aud": f.aud, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

func (f forger) sign(method jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
	f.t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f forger) with(change func(jwt.MapClaims)) string {
	c := f.claims()
	change(c)
	return f.sign(jwt.SigningMethodEdDSA, f.kid, f.key, c)
}

func segment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestForgedTokens: every forged token is a 401 with a stable code, and
// changes nothing (a logout with it revokes nothing).
func TestForgedTokens(t *testing.T) {
	t.Parallel()
	c, s := newClient(t)
	victim := c.SignUp()
	attacker := c.SignUp()
	f := newForger(t, s, victim.ID)
	var pub ed25519.PublicKey
	if err := s.DB.QueryRow(context.Background(), `SELECT public_key FROM signing_keys WHERE kid = $1`, f.kid).Scan(&pub); err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)

	// A genuine token of the victim, then logged out: blacklisted.
	loggedOut := c.Login(victim)
	if res := c.Do("POST", "/api/authentication/logout", nil, membertest.Bearer(loggedOut.Token)); res.Status != http.StatusOK {
		t.Fatalf("logout: %d %s", res.Status, res.Body)
	}
	// The attacker's genuine token with the victim's id pasted in.
	parts := strings.Split(attacker.Token, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var ac map[string]any
	_ = json.Unmarshal(raw, &ac)
	ac["memberId"], ac["sub"] = victim.ID, strconv.FormatInt(victim.ID, 10)
	tampered := parts[0] + "." + segment(t, ac) + "." + parts[2]

	tests := []struct {
		name    string
		token   string
		code    string
		relogin bool
		refresh bool
	}{
		{"alg none", segment(t, map[string]string{"alg": "none", "typ": "JWT", "kid": f.kid}) + "." + segment(t, f.claims()) + ".", "TOKEN_INVALID", false, false},
		{"HS256 signed with the public key", f.sign(jwt.SigningMethodHS256, f.kid, []byte(pub), f.claims()), "TOKEN_INVALID", false, false},
		{"HS256 signed with the base64 public key", f.sign(jwt.SigningMethodHS256, f.kid, []byte(base64.RawURLEncoding.EncodeToString(pub)), f.claims()), "TOKEN_INVALID", false, false},
		{"unknown kid", f.sign(jwt.SigningMethodEdDSA, "no-such-key", otherKey, f.claims()), "UNKNOWN_SIGNING_KEY", true, false},
		{"known kid, other key", f.sign(jwt.SigningMethodEdDSA, f.kid, otherKey, f.claims()), "TOKEN_INVALID", false, false},
		{"no kid", f.sign(jwt.SigningMethodEdDSA, "", f.key, f.claims()), "TOKEN_INVALID", false, false},
		{"expired", f.with(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }), "TOKEN_EXPIRED", false, true},
		{"no exp", f.with(func(c jwt.MapClaims) { delete(c, "exp") }), "TOKEN_INVALID", false, false},
		{"wrong audience", f.with(func(c jwt.MapClaims) { c["aud"] = "another-api" }), "TOKEN_INVALID", false, false},
		{"no audience", f.with(func(c jwt.MapClaims) { delete(c, "aud") }), "TOKEN_INVALID", false, false},
		{"wrong issuer", f.with(func(c jwt.MapClaims) { c["iss"] = "evil" }), "TOKEN_INVALID", false, false},
		{"sub and memberId disagree", f.with(func(c jwt.MapClaims) { c["sub"] = strconv.FormatInt(attacker.ID, 10) }), "TOKEN_INVALID", false, false},
		{"no jti", f.with(func(c jwt.MapClaims) { delete(c, "jti") }), "TOKEN_INVALID", false, false},
		{"old generation", f.with(func(c jwt.MapClaims) { c["gen"] = -1 }), "TOKEN_REVOKED", true, false},
		{"tampered payload", tampered, "TOKEN_INVALID", false, false},
		{"blacklisted jti", loggedOut.Token, "TOKEN_REVOKED", true, false},
		{"garbage", "not.a.jwt", "TOKEN_INVALID", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, call := range []struct{ method, path string }{
				{"GET", "/api/members"}, {"POST", "/api/authentication/logout"}, {"POST", "/api/authentication/logout-all"},
				{"DELETE", "/api/authentication/deactivate"},
			} {
				res := c.Do(call.method, call.path, nil, membertest.Bearer(tt.token))
				wantError(t, res, http.StatusUnauthorized, tt.code)
				if got := res.Header.Get("X-Relogin-Required") == "true"; got != tt.relogin {
					t.Errorf("%s %s: X-Relogin-Required %v, want %v", call.method, call.path, got, tt.relogin)
				}
				if got := res.Header.Get("X-Token-Refresh-Needed") == "true"; got != tt.refresh {
					t.Errorf("%s %s: X-Token-Refresh-Needed %v, want %v", call.method, call.path, got, tt.refresh)
				}
			}
		})
	}

	// Nothing changed: one revocation (the real logout), the victim's
	// sessions and status intact.
	var revoked, gen int
	var status string
	if err := s.DB.QueryRow(context.Background(), `SELECT count(*) FROM revoked_tokens`).Scan(&revoked); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.QueryRow(context.Background(), `SELECT token_generation, status FROM members WHERE id = $1`, victim.ID).Scan(&gen, &status); err != nil {
		t.Fatal(err)
	}
	if revoked != 1 || gen != 0 || status != "ACTIVE" {
		t.Errorf("forged tokens changed state: revoked=%d gen=%d status=%s", revoked, gen, status)
	}
	if res := c.Do("GET", "/api/members", nil, membertest.Bearer(victim.Token)); res.Status != http.StatusOK {
		t.Errorf("victim's token: %d %s", res.Status, res.Body)
	}
}

// downStack is s as seen by a replica whose Redis is down: a client of a
// closed port, and a verifier over it.
func downStack(s *stack.Stack) *stack.Stack {
	down := *s
	down.Redis = redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1,
	})
	down.Auth = auth.NewVerifier(auth.VerifierConfig{
		Issuer: s.Config.JWTIssuer, Audience: s.Config.JWTAudience,
		Source: auth.Keys{DB: s.DB, Grace: s.Config.KeyGrace},
		DB:     s.DB, Redis: down.Redis, RedisPrefix: s.Config.RedisPrefix,
		Now:      func() time.Time { return down.Now() },
		Fallback: func(cache, reason string) { down.Observe().Fallback(cache, reason) },
	})
	return &down
}

// fallbacks counts what a stack reports as fallbacks.
type fallbacks struct {
	mu sync.Mutex
	n  map[string]int
}

func (f *fallbacks) Fallback(cache, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n[cache+"/"+reason]++
}
func (f *fallbacks) LoginRefused(string)                  {}
func (f *fallbacks) ImageProcessed(string, time.Duration) {}
func (f *fallbacks) DeadLetterKept(string, string)        {}

func (f *fallbacks) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n[key]
}

// TestLogoutWithRedisDown: with Redis unreachable, logout still succeeds
// and takes effect through PostgreSQL; once Redis is back and reloads the
// blacklist, the token stays revoked there too.
func TestLogoutWithRedisDown(t *testing.T) {
	t.Parallel()
	c, s := newClient(t)
	m := c.SignUp()
	other := c.Login(m)
	down := downStack(s)
	seen := &fallbacks{n: map[string]int{}}
	down.Observer = seen
	t.Cleanup(func() { down.Redis.Close() })
	dc := &membertest.Client{T: t, Handler: handler(down)}

	// Verification works without Redis, from PostgreSQL: a fallback the
	// metrics count.
	if res := dc.Do("GET", "/api/members", nil, membertest.Bearer(m.Token)); res.Status != http.StatusOK {
		t.Fatalf("get-me with redis down: %d %s", res.Status, res.Body)
	}
	if n := seen.count("blacklist/redis_error"); n != 1 {
		t.Errorf("%d blacklist fallbacks reported, want 1", n)
	}
	// Logout without Redis: 200, and the token is revoked.
	if res := dc.Do("POST", "/api/authentication/logout", nil, membertest.Bearer(m.Token), membertest.Cookie(m.Refresh)); res.Status != http.StatusOK {
		t.Fatalf("logout with redis down: %d %s", res.Status, res.Body)
	}
	wantError(t, dc.Do("GET", "/api/members", nil, membertest.Bearer(m.Token)), http.StatusUnauthorized, "TOKEN_REVOKED")
	if res := dc.Do("GET", "/api/members", nil, membertest.Bearer(other.Token)); res.Status != http.StatusOK {
		t.Errorf("other session with redis down: %d %s", res.Status, res.Body)
	}
	// logout-all without Redis too.
	if res := dc.Do("POST", "/api/authentication/logout-all", nil, membertest.Bearer(other.Token)); res.Status != http.StatusOK {
		t.Fatalf("logout-all with redis down: %d %s", res.Status, res.Body)
	}
	wantError(t, dc.Do("GET", "/api/members", nil, membertest.Bearer(other.Token)), http.StatusUnauthorized, "TOKEN_REVOKED")

	// Redis back: its blacklist is reloaded from PostgreSQL (as when the
	// loaded sentinel expires), and both tokens stay revoked.
	if err := s.Auth.ReloadBlacklist(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Redis.Exists(context.Background(), s.Config.RedisPrefix+"auth:blacklist:"+jtiOf(t, m.Token)).Result(); err != nil || n != 1 {
		t.Errorf("reload did not restore the blacklist entry: %d %v", n, err)
	}
	s.Redis.Del(context.Background(), s.Config.RedisPrefix+"auth:gen:"+strconv.FormatInt(m.ID, 10))
	for _, tok := range []string{m.Token, other.Token} {
		wantError(t, c.Do("GET", "/api/members", nil, membertest.Bearer(tok)), http.StatusUnauthorized, "TOKEN_REVOKED")
	}
}

// TestRedisFlushed: a flushed Redis loses the blacklist; verification
// notices the missing sentinel and asks PostgreSQL.
func TestRedisFlushed(t *testing.T) {
	t.Parallel()
	c, s := newClient(t)
	m := c.SignUp()
	if res := c.Do("POST", "/api/authentication/logout", nil, membertest.Bearer(m.Token)); res.Status != http.StatusOK {
		t.Fatalf("logout: %d %s", res.Status, res.Body)
	}
	wantError(t, c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token)), http.StatusUnauthorized, "TOKEN_REVOKED")

	ctx := context.Background()
	key := s.Config.RedisPrefix + "auth:blacklist:" + jtiOf(t, m.Token)
	// The blacklist TTL is the token's remaining lifetime, in seconds.
	if ttl, err := s.Redis.TTL(ctx, key).Result(); err != nil || ttl <= 50*time.Minute || ttl > time.Hour {
		t.Errorf("blacklist TTL after logout %v (%v), want about an hour", ttl, err)
	}
	keys, err := s.Redis.Keys(ctx, s.Config.RedisPrefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) > 0 {
		s.Redis.Del(ctx, keys...)
	}
	wantError(t, c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token)), http.StatusUnauthorized, "TOKEN_REVOKED")
	// The blacklist reloads in the background, started by a request that
	// finds the "loaded" sentinel missing (one started before the flush may
	// still be running: the next requests start another once it is done).
	testenv.Eventually(t, "the blacklist's reload", func() bool {
		if n, _ := s.Redis.Exists(ctx, key).Result(); n == 1 {
			return true
		}
		wantError(t, c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token)), http.StatusUnauthorized, "TOKEN_REVOKED")
		return false
	})
	ttl, err := s.Redis.TTL(ctx, key).Result()
	if err != nil || ttl <= 50*time.Minute || ttl > time.Hour {
		t.Errorf("blacklist TTL %v (%v), want about the token's remaining hour", ttl, err)
	}
}

func jtiOf(t *testing.T, token string) string {
	t.Helper()
	jti, _ := payload(t, token)["jti"].(string)
	if jti == "" {
		t.Fatal("token has no jti")
	}
	return jti
}
