package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// countingSource serves fixed keys (or fails) and counts fetches.
type countingSource struct {
	keys  []auth.PublicKey
	fail  atomic.Bool
	calls atomic.Int64
}

func (s *countingSource) PublicKeys(context.Context, time.Time) ([]auth.PublicKey, error) {
	s.calls.Add(1)
	if s.fail.Load() {
		return nil, errors.New("source down")
	}
	return s.keys, nil
}

func newKey(t testing.TB, id string) (auth.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return auth.PublicKey{ID: id, Key: pub, Primary: true}, priv
}

// token signs claims for member 1 with kid; expired tokens stop
// verification right after the signature check, so no database is needed
// to tell "key found, signature good" (TOKEN_EXPIRED) from the rest.
func token(t testing.TB, kid string, key ed25519.PrivateKey, exp time.Time) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
		"sub": "1", "memberId": 1, "gen": 0, "jti": "j-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		"iss": "iss", "aud": "aud", "exp": exp.Unix(),
	})
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func verifier(src auth.KeySource) *auth.Verifier {
	return auth.NewVerifier(auth.VerifierConfig{
		Issuer: "iss", Audience: "aud", Source: src,
		KeyCacheTTL: time.Hour, RefetchInterval: time.Hour,
	})
}

// TestUnknownKidStorm: many random kids cause one re-fetch per interval.
func TestUnknownKidStorm(t *testing.T) {
	t.Parallel()
	known, priv := newKey(t, "known")
	src := &countingSource{keys: []auth.PublicKey{known}}
	v := verifier(src)
	past := time.Now().Add(-time.Minute)
	ctx := context.Background()

	if _, err := v.Verify(ctx, token(t, "known", priv, past)); !errcode.Is(err, errcode.TokenExpired) {
		t.Fatalf("known key: %v", err)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.Verify(ctx, token(t, "random-"+strconv.Itoa(i), priv, past))
			if !errcode.Is(err, errcode.UnknownSigningKey) {
				t.Errorf("random kid: %v", err)
			}
		}()
	}
	wg.Wait()
	// One fetch to fill the cache, at most one for the storm.
	if n := src.calls.Load(); n > 2 {
		t.Errorf("%d key fetches for a storm of random kids, want at most 2", n)
	}
}

// TestNewKeyIsFetched: a kid published after the cache was filled is
// fetched once and then accepted.
func TestNewKeyIsFetched(t *testing.T) {
	t.Parallel()
	a, privA := newKey(t, "a")
	src := &countingSource{keys: []auth.PublicKey{a}}
	v := verifier(src)
	past := time.Now().Add(-time.Minute)
	ctx := context.Background()
	if _, err := v.Verify(ctx, token(t, "a", privA, past)); !errcode.Is(err, errcode.TokenExpired) {
		t.Fatalf("key a: %v", err)
	}
	b, privB := newKey(t, "b")
	a.Primary = false
	src.keys = []auth.PublicKey{b, a}
	if _, err := v.Verify(ctx, token(t, "b", privB, past)); !errcode.Is(err, errcode.TokenExpired) {
		t.Fatalf("new key b: %v", err)
	}
	if n := src.calls.Load(); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
}

// TestBreakerOpens: a failing key source trips the breaker; verification
// fails fast with 503 without calling the source.
func TestBreakerOpens(t *testing.T) {
	t.Parallel()
	src := &countingSource{}
	src.fail.Store(true)
	v := auth.NewVerifier(auth.VerifierConfig{
		Issuer: "iss", Audience: "aud", Source: src, KeyCacheTTL: time.Hour,
		RefetchInterval: time.Nanosecond,
	})
	_, priv := newKey(t, "k")
	ctx := context.Background()
	for range 10 {
		if _, err := v.Verify(ctx, token(t, "k", priv, time.Now().Add(time.Hour))); !errcode.Is(err, errcode.Unavailable) {
			t.Fatalf("source down: %v", err)
		}
	}
	// 3 failed fetches (with 2 retries each) trip the breaker.
	if n := src.calls.Load(); n > 9 {
		t.Errorf("%d source calls, want the breaker to stop them at 9", n)
	}
}

// TestStaleKeysServedWhenSourceFails: once keys are known, a failing
// source does not lock everyone out.
func TestStaleKeysServedWhenSourceFails(t *testing.T) {
	t.Parallel()
	k, priv := newKey(t, "k")
	src := &countingSource{keys: []auth.PublicKey{k}}
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var fallbacks []string
	v := auth.NewVerifier(auth.VerifierConfig{Issuer: "iss", Audience: "aud", Source: src, Now: clock, KeyCacheTTL: time.Minute,
		Fallback: func(cache, reason string) { mu.Lock(); fallbacks = append(fallbacks, cache+"/"+reason); mu.Unlock() }})
	ctx := context.Background()
	past := now.Add(-time.Second)
	if _, err := v.Verify(ctx, token(t, "k", priv, past)); !errcode.Is(err, errcode.TokenExpired) {
		t.Fatal(err)
	}
	src.fail.Store(true)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if _, err := v.Verify(ctx, token(t, "k", priv, past)); !errcode.Is(err, errcode.TokenExpired) {
		t.Errorf("stale key with source down: %v", err)
	}
	// The stale cache served is a fallback the metrics count.
	mu.Lock()
	defer mu.Unlock()
	if len(fallbacks) != 1 || fallbacks[0] != "signing_keys/fetch_failed" {
		t.Errorf("fallbacks reported %v, want one signing_keys/fetch_failed", fallbacks)
	}
}

// TestJWKSSource: the verifier can take its keys from the jwks endpoint.
func TestJWKSSource(t *testing.T) {
	t.Parallel()
	primary, priv := newKey(t, "p")
	old, privOld := newKey(t, "o")
	old.Primary = false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(auth.JWKSOf([]auth.PublicKey{primary, old}))
	}))
	t.Cleanup(srv.Close)
	keys, err := auth.JWKSKeys{URL: srv.URL}.PublicKeys(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !keys[0].Primary || keys[1].Primary || !keys[0].Key.Equal(primary.Key) {
		t.Fatalf("keys %+v", keys)
	}
	v := verifier(auth.JWKSKeys{URL: srv.URL})
	past := time.Now().Add(-time.Second)
	for kid, key := range map[string]ed25519.PrivateKey{"p": priv, "o": privOld} {
		if _, err := v.Verify(context.Background(), token(t, kid, key, past)); !errcode.Is(err, errcode.TokenExpired) {
			t.Errorf("kid %s: %v", kid, err)
		}
	}
	_, other := newKey(t, "x")
	if _, err := v.Verify(context.Background(), token(t, "x", other, past)); !errcode.Is(err, errcode.UnknownSigningKey) {
		t.Errorf("unpublished kid: %v", err)
	}
}

// TestReloginAndRefreshHeaders maps codes to the response headers.
func TestReloginAndRefreshHeaders(t *testing.T) {
	t.Parallel()
	for code, want := range map[errcode.Code][2]bool{
		errcode.TokenExpired:        {false, true},
		errcode.TokenRevoked:        {true, false},
		errcode.UnknownSigningKey:   {true, false},
		errcode.RefreshTokenReused:  {true, false},
		errcode.RefreshTokenInvalid: {true, false},
		errcode.TokenInvalid:        {false, false},
		errcode.InvalidCredentials:  {false, false},
	} {
		err := errcode.New(code, "x")
		if got := [2]bool{auth.ReloginRequired(err), auth.RefreshNeeded(err)}; got != want {
			t.Errorf("%s: relogin, refresh = %v, want %v", code, got, want)
		}
	}
}

// BenchmarkVerify measures the middleware's verification of a valid token:
// signature with a cached key, claims, and one Redis round trip for the
// blacklist and the token generation.
func BenchmarkVerify(b *testing.B) {
	s := testenv.Stack(b, stack.Postgres|stack.Redis)
	ctx := context.Background()
	var id int64
	if err := s.DB.QueryRow(ctx, `INSERT INTO members (email, password_hash, member_name, handle)
		VALUES ('bench@example.com', 'x', 'Bench', 'bench') RETURNING id`).Scan(&id); err != nil {
		b.Fatal(err)
	}
	svc := &auth.Service{DB: s.DB, Verifier: s.Auth, Config: s.Config, Now: s.Now}
	tok, err := svc.IssueAccess(ctx, id, 0)
	if err != nil {
		b.Fatal(err)
	}
	// Warm the key cache, the blacklist sentinel and the generation cache.
	if _, err := s.Auth.Verify(ctx, tok.Token); err != nil {
		b.Fatal(err)
	}
	if err := s.Auth.ReloadBlacklist(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Auth.Verify(ctx, tok.Token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Auth.Verify(ctx, tok.Token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestVerifiedTokenIsStillChecked: a token whose signature this process
// has verified (and keeps, so it is not verified again) is refused like
// any other once it has expired or its key is retired.
func TestVerifiedTokenIsStillChecked(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	k, priv := newKey(t, "k")
	src := &countingSource{keys: []auth.PublicKey{k}}
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(at time.Time) { mu.Lock(); now = at; mu.Unlock() }
	v := auth.NewVerifier(auth.VerifierConfig{Issuer: "iss", Audience: "aud", Source: src, DB: s.DB, Now: clock,
		KeyCacheTTL: time.Minute, RefetchInterval: time.Millisecond})
	ctx := context.Background()
	start := now
	tok := token(t, "k", priv, start.Add(time.Hour))
	// Genuine: whatever the revocation check says of member 1, it is no
	// token error.
	if _, err := v.Verify(ctx, tok); errcode.Is(err, errcode.TokenInvalid) || errcode.Is(err, errcode.TokenExpired) || errcode.Is(err, errcode.UnknownSigningKey) {
		t.Fatalf("a genuine token: %v", err)
	}
	set(start.Add(2 * time.Hour))
	if _, err := v.Verify(ctx, tok); !errcode.Is(err, errcode.TokenExpired) {
		t.Errorf("the same token after its expiry: %v, want TOKEN_EXPIRED", err)
	}
	set(start)
	retired := k
	retired.Primary, retired.NotAfter = false, start.Add(-time.Second)
	src.keys = []auth.PublicKey{retired}
	v.Invalidate()
	if _, err := v.Verify(ctx, tok); !errcode.Is(err, errcode.UnknownSigningKey) {
		t.Errorf("the same token once its key is retired: %v, want UNKNOWN_SIGNING_KEY", err)
	}
}
