package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/sethvargo/go-retry"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// VerifierConfig is what a Verifier needs.
type VerifierConfig struct {
	Issuer   string
	Audience string
	// Source provides the public keys (PostgresKeys, or JWKSKeys).
	Source KeySource
	// DB holds members.token_generation and revoked_tokens: the truth
	// behind the Redis caches and their fallback.
	DB postgres.DB
	// Redis caches the blacklist and the token generations; nil means
	// every check reads PostgreSQL.
	Redis       *redis.Client
	RedisPrefix string
	// Now is the clock (the stack's, so tests can move it).
	Now func() time.Time

	// Fallback is told when a check could not use its cache: the Redis
	// blacklist ("blacklist": "redis_error" when Redis failed,
	// "not_loaded" when its loaded sentinel is missing or older than a
	// failure) and the signing-key cache ("signing_keys": "fetch_failed"
	// when a stale cache is served because the re-fetch failed). Nil tells
	// nobody.
	Fallback func(cache, reason string)

	// KeyCacheTTL is how long fetched keys are used before a re-fetch
	// (default 5 minutes).
	KeyCacheTTL time.Duration
	// RefetchInterval is the least time between two re-fetches caused by
	// an unknown kid (default 10 s): a storm of random kids causes at most
	// one fetch per interval.
	RefetchInterval time.Duration
}

// Verifier authenticates requests locally: it checks an access token's
// signature against cached public keys, its registered claims, the jti
// blacklist and the member's token generation. It is long-lived (one per
// process) and safe for concurrent use.
type Verifier struct {
	cfg    VerifierConfig
	parser *jwt.Parser

	mu      sync.RWMutex
	keys    map[string]PublicKey
	fetched time.Time // by cfg.Now; zero when nothing is cached
	fetches atomic.Uint64

	fetchMu sync.Mutex
	limiter *rate.Limiter
	breaker *gobreaker.CircuitBreaker[[]PublicKey]

	// dirtySince is set (unix nanoseconds) when a Redis call failed: until a
	// blacklist reload newer than it is seen, revocations are read from
	// PostgreSQL, since some may have missed Redis.
	dirtySince atomic.Int64
	reloading  atomic.Bool

	// verified holds, by token string, the claims of the tokens whose
	// signature and registered claims this process has checked: a
	// token seen again skips the Ed25519 verification and the JSON, which
	// were an eighth of a warm feed page's CPU (BENCHMARKS.md), but
	// never the checks that can change between two requests: its expiry,
	// its key's usability, and revocation.
	verified *expirable.LRU[string, verifiedToken]
}

// verifiedToken is what Verify found in a genuine token.
type verifiedToken struct {
	claims Claims
	kid    string
}

// Cache lifetimes of the Redis side.
const (
	// generationTTL bounds how long a cached token generation is trusted
	// (the same bound as the blacklist's, for a logout-all that missed Redis).
	generationTTL = time.Minute
	// loadedTTL is the lifetime of the blacklist's "loaded" sentinel: the
	// blacklist is reloaded from PostgreSQL (by one replica) at least this
	// often, which bounds how long a revocation that missed Redis (written
	// while Redis was down) can go unseen by a replica that saw no Redis
	// error itself. Replicas that saw an error read PostgreSQL until a
	// reload newer than the error. The blacklist holds at most one access
	// token lifetime of logouts, so a reload is small.
	loadedTTL = time.Minute
	// maxTokenLength rejects absurd Authorization headers before parsing.
	maxTokenLength = 4096
	// verifiedTokens and verifiedTTL bound the cache of verified
	// signatures: the tokens of the members active in the last minute.
	verifiedTokens = 10000
	verifiedTTL    = time.Minute
)

// NewVerifier returns a verifier; it does no I/O.
func NewVerifier(cfg VerifierConfig) *Verifier {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Fallback == nil {
		cfg.Fallback = func(string, string) {}
	}
	if cfg.KeyCacheTTL <= 0 {
		cfg.KeyCacheTTL = 5 * time.Minute
	}
	if cfg.RefetchInterval <= 0 {
		cfg.RefetchInterval = 10 * time.Second
	}
	v := &Verifier{
		cfg:      cfg,
		verified: expirable.NewLRU[string, verifiedToken](verifiedTokens, nil, verifiedTTL),
		limiter:  rate.NewLimiter(rate.Every(cfg.RefetchInterval), 1),
		breaker: gobreaker.NewCircuitBreaker[[]PublicKey](gobreaker.Settings{
			Name:        "signing-keys",
			MaxRequests: 1,
			Timeout:     30 * time.Second,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 3 },
		}),
	}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{Algorithm}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithTimeFunc(func() time.Time { return v.cfg.Now() }),
	)
	return v
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header, or "" when there is none.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// VerifyRequest verifies the request's bearer token.
func (v *Verifier) VerifyRequest(r *http.Request) (Principal, error) {
	return v.Verify(r.Context(), BearerToken(r))
}

// Verify checks an access token and returns its principal. Failures are
// coded: TOKEN_MISSING, TOKEN_INVALID (malformed, bad signature, another
// algorithm, wrong issuer or audience), TOKEN_EXPIRED, UNKNOWN_SIGNING_KEY
// (unknown or retired kid), TOKEN_REVOKED (blacklisted jti, or an older
// token generation), SERVICE_UNAVAILABLE when the keys cannot be fetched.
func (v *Verifier) Verify(ctx context.Context, raw string) (Principal, error) {
	if raw == "" {
		return Principal{}, errTokenMissing
	}
	if len(raw) > maxTokenLength {
		return Principal{}, errTokenInvalid
	}
	claims, key, err := v.genuine(ctx, raw)
	if err != nil {
		return Principal{}, err
	}
	if err := v.checkRevoked(ctx, &claims); err != nil {
		return Principal{}, err
	}
	return Principal{
		MemberID:      claims.MemberID,
		TokenID:       claims.ID,
		ExpiresAt:     claims.ExpiresAt.Time,
		KeyID:         key.ID,
		RefreshNeeded: !key.Primary,
	}, nil
}

// genuine returns the claims of raw and the key that signed it when raw is
// a genuine, unexpired token of this issuer and audience signed by a usable
// key. A token verified before (the cache) is not verified again, but its
// expiry and its key are checked as for a new one.
func (v *Verifier) genuine(ctx context.Context, raw string) (Claims, PublicKey, error) {
	if t, ok := v.verified.Get(raw); ok {
		if !v.cfg.Now().Before(t.claims.ExpiresAt.Time) {
			return Claims{}, PublicKey{}, errTokenExpired
		}
		key, err := v.key(ctx, t.kid)
		if err != nil {
			return Claims{}, PublicKey{}, err
		}
		return t.claims, key, nil
	}
	var key PublicKey
	var keyErr error
	var claims Claims
	_, err := v.parser.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		key, keyErr = v.key(ctx, kid)
		if keyErr != nil {
			return nil, keyErr
		}
		return key.Key, nil
	})
	switch {
	case keyErr != nil:
		return Claims{}, PublicKey{}, keyErr
	case err == nil:
	case errors.Is(err, jwt.ErrTokenInvalidAudience), errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return Claims{}, PublicKey{}, errTokenInvalid
	case errors.Is(err, jwt.ErrTokenExpired):
		// Claims are validated after the signature: the token is genuine.
		return Claims{}, PublicKey{}, errTokenExpired
	default:
		return Claims{}, PublicKey{}, errTokenInvalid
	}
	v.verified.Add(raw, verifiedToken{claims: claims, kid: key.ID})
	return claims, key, nil
}

// Invalidate drops the cached keys, so the next verification re-fetches
// them (rotate-keys calls it in its own process).
func (v *Verifier) Invalidate() {
	v.mu.Lock()
	v.keys, v.fetched = nil, time.Time{}
	v.mu.Unlock()
}

// key returns the usable public key kid.
func (v *Verifier) key(ctx context.Context, kid string) (PublicKey, error) {
	if kid == "" {
		return PublicKey{}, errTokenInvalid
	}
	now := v.cfg.Now()
	v.mu.RLock()
	_, known := v.keys[kid]
	fresh := !v.fetched.IsZero() && now.Sub(v.fetched) < v.cfg.KeyCacheTTL
	seen := v.fetches.Load()
	v.mu.RUnlock()

	switch {
	case known && fresh:
	case fresh:
		// An unknown kid: maybe a key this process has not seen yet, maybe
		// a forgery. Re-fetch, at most once per RefetchInterval.
		if !v.limiter.Allow() {
			return PublicKey{}, errUnknownKey
		}
		if err := v.refresh(ctx, seen); err != nil {
			return PublicKey{}, err
		}
	default:
		// Nothing cached, or the cache is stale. A failed refresh of a stale
		// cache keeps serving the keys already known.
		if err := v.refresh(ctx, seen); err != nil {
			if !known {
				return PublicKey{}, err
			}
			v.cfg.Fallback("signing_keys", "fetch_failed")
		}
	}
	v.mu.RLock()
	k, known := v.keys[kid]
	v.mu.RUnlock()
	if !known || !k.usable(now) {
		return PublicKey{}, errUnknownKey
	}
	return k, nil
}

// refresh fetches the keys unless another goroutine fetched them since
// seen. The fetch goes through a circuit breaker and a short exponential
// retry.
func (v *Verifier) refresh(ctx context.Context, seen uint64) error {
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	if v.fetches.Load() != seen {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	keys, err := v.breaker.Execute(func() ([]PublicKey, error) {
		return retry.DoValue(ctx, retry.WithMaxRetries(2, retry.NewExponential(50*time.Millisecond)),
			func(ctx context.Context) ([]PublicKey, error) {
				keys, err := v.cfg.Source.PublicKeys(ctx, v.cfg.Now())
				if err != nil {
					return nil, retry.RetryableError(err)
				}
				return keys, nil
			})
	})
	if err != nil {
		slog.WarnContext(ctx, "fetch signing keys", "err", err)
		return errcode.Wrap(errcode.Unavailable, "signing keys are unavailable, try again", err)
	}
	m := make(map[string]PublicKey, len(keys))
	for _, k := range keys {
		m[k.ID] = k
	}
	v.mu.Lock()
	v.keys, v.fetched = m, v.cfg.Now()
	v.fetches.Add(1)
	v.mu.Unlock()
	return nil
}

// Redis keys of the blacklist and the generation cache.
func (v *Verifier) blacklistKey(jti string) string {
	return v.cfg.RedisPrefix + "auth:blacklist:" + jti
}
func (v *Verifier) loadedKey() string     { return v.cfg.RedisPrefix + "auth:blacklist:loaded" }
func (v *Verifier) reloadLockKey() string { return v.cfg.RedisPrefix + "auth:blacklist:reloading" }
func (v *Verifier) generationKey(memberID int64) string {
	return fmt.Sprintf("%sauth:gen:%d", v.cfg.RedisPrefix, memberID)
}

// revocationKeys are the revoked_tokens keys that revoke c: its jti and,
// for a token issued from a refresh-token family, the family's.
func revocationKeys(c *Claims) []string {
	if c.Family == "" {
		return []string{c.ID}
	}
	return []string{c.ID, familyRevocation(c.Family)}
}

// checkRevoked rejects a blacklisted jti, a token of a revoked refresh
// family and a token of an older generation. The Redis lookups are one
// round trip (MGET, with the blacklist's loaded sentinel); PostgreSQL
// answers what Redis cannot.
func (v *Verifier) checkRevoked(ctx context.Context, c *Claims) error {
	if v.cfg.Redis == nil {
		return v.checkRevokedInDB(ctx, c)
	}
	// jti, sentinel, generation, then the family's entry if any.
	keys := []string{v.blacklistKey(c.ID), v.loadedKey(), v.generationKey(c.MemberID)}
	if c.Family != "" {
		keys = append(keys, v.blacklistKey(familyRevocation(c.Family)))
	}
	vals, err := v.cfg.Redis.MGet(ctx, keys...).Result()
	if err != nil {
		v.markDirty()
		v.cfg.Fallback("blacklist", "redis_error")
		slog.WarnContext(ctx, "redis blacklist unavailable, using postgres", "err", err)
		return v.checkRevokedInDB(ctx, c)
	}
	if vals[0] != nil || (len(vals) > 3 && vals[3] != nil) {
		return errTokenRevoked
	}
	if !v.blacklistTrusted(vals[1]) {
		// Redis lost the blacklist (flushed, restarted, or writes missed it
		// during an outage): PostgreSQL decides, and the blacklist reloads.
		v.reloadBlacklist()
		v.cfg.Fallback("blacklist", "not_loaded")
		return v.checkRevokedInDB(ctx, c)
	}
	gen, ok := parseInt(vals[2])
	if !ok {
		var revoked bool
		gen, revoked, err = v.stateInDB(ctx, c)
		if err != nil {
			return err
		}
		if revoked {
			// Redis missed this revocation (an entry lost while the
			// sentinel survived): put it back, so the next check is one
			// round trip again.
			if c.ExpiresAt != nil {
				v.blacklist(ctx, c.ID, c.ExpiresAt.Time)
			}
			return errTokenRevoked
		}
		v.cacheGeneration(ctx, c.MemberID, gen)
	}
	if c.Generation != gen {
		return errTokenRevoked
	}
	return nil
}

func (v *Verifier) checkRevokedInDB(ctx context.Context, c *Claims) error {
	gen, revoked, err := v.stateInDB(ctx, c)
	if err != nil {
		return err
	}
	if revoked || c.Generation != gen {
		return errTokenRevoked
	}
	return nil
}

// stateInDB reads the member's token generation and whether the jti is
// revoked, in one query. A member that does not exist revokes the token.
func (v *Verifier) stateInDB(ctx context.Context, c *Claims) (gen int64, revoked bool, err error) {
	const q = `
		SELECT m.token_generation, EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ANY($1))
		FROM members m WHERE m.id = $2`
	err = v.cfg.DB.QueryRow(ctx, q, revocationKeys(c), c.MemberID).Scan(&gen, &revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, true, nil
	}
	if err != nil {
		return 0, false, errcode.Wrap(errcode.Unavailable, "cannot check the access token now, try again", fmt.Errorf("select token state: %w", err))
	}
	return gen, revoked, nil
}

func parseInt(v any) (int64, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// cacheGeneration caches a member's token generation. Failures are only
// logged: PostgreSQL stays the truth.
func (v *Verifier) cacheGeneration(ctx context.Context, memberID, gen int64) {
	if v.cfg.Redis == nil {
		return
	}
	if err := v.cfg.Redis.Set(ctx, v.generationKey(memberID), gen, generationTTL).Err(); err != nil {
		v.markDirty()
		slog.WarnContext(ctx, "cache token generation", "err", err)
	}
}

// blacklist puts a jti in the Redis blacklist until the token expires. The
// TTL is exp − now as a duration (go-redis sends it in seconds or
// milliseconds as needed). An already expired token needs no entry.
func (v *Verifier) blacklist(ctx context.Context, jti string, exp time.Time) {
	if v.cfg.Redis == nil {
		return
	}
	ttl := exp.Sub(v.cfg.Now())
	if ttl <= 0 {
		return
	}
	if ttl < time.Second {
		ttl = time.Second
	}
	if err := v.cfg.Redis.Set(ctx, v.blacklistKey(jti), "1", ttl).Err(); err != nil {
		v.markDirty()
		slog.WarnContext(ctx, "redis blacklist write failed; postgres holds the revocation", "err", err)
	}
}

func (v *Verifier) markDirty() {
	v.dirtySince.CompareAndSwap(0, time.Now().UnixNano())
}

// blacklistTrusted reports whether the Redis blacklist is complete: its
// loaded sentinel exists and, if this process saw Redis fail, was written
// by a reload after the failure.
func (v *Verifier) blacklistTrusted(loaded any) bool {
	at, ok := parseInt(loaded)
	if !ok {
		return false
	}
	dirty := v.dirtySince.Load()
	if dirty == 0 {
		return true
	}
	if at > dirty {
		v.dirtySince.CompareAndSwap(dirty, 0)
		return true
	}
	v.reloadBlacklist()
	return false
}

// reloadBlacklist copies the unexpired revocations of PostgreSQL into Redis
// in the background, then writes the loaded sentinel (its value the reload's
// start time). One reload runs at a time per process, and a Redis lock
// keeps replicas from reloading together.
func (v *Verifier) reloadBlacklist() {
	if !v.reloading.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer v.reloading.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := v.ReloadBlacklist(ctx); err != nil && !errors.Is(err, redis.ErrClosed) {
			slog.WarnContext(ctx, "reload blacklist", "err", err)
		}
	}()
}

// ReloadBlacklist copies the unexpired revocations of PostgreSQL into Redis
// and marks the blacklist loaded.
func (v *Verifier) ReloadBlacklist(ctx context.Context) error {
	if v.cfg.Redis == nil {
		return nil
	}
	started := time.Now().UnixNano()
	got, err := v.cfg.Redis.SetNX(ctx, v.reloadLockKey(), "1", 30*time.Second).Result()
	if err != nil {
		return fmt.Errorf("lock reload: %w", err)
	}
	if !got {
		return nil // another replica is reloading
	}
	defer v.cfg.Redis.Del(context.WithoutCancel(ctx), v.reloadLockKey())
	now := v.cfg.Now()
	rows, err := v.cfg.DB.Query(ctx, `SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > $1`, now)
	if err != nil {
		return fmt.Errorf("select revoked tokens: %w", err)
	}
	type entry struct {
		jti string
		exp time.Time
	}
	var entries []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.jti, &e.exp); err != nil {
			rows.Close()
			return fmt.Errorf("scan revoked token: %w", err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("select revoked tokens: %w", err)
	}
	for len(entries) > 0 {
		n := min(len(entries), 1000)
		pipe := v.cfg.Redis.Pipeline()
		for _, e := range entries[:n] {
			pipe.Set(ctx, v.blacklistKey(e.jti), "1", max(e.exp.Sub(now), time.Second))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("write blacklist: %w", err)
		}
		entries = entries[n:]
	}
	if err := v.cfg.Redis.Set(ctx, v.loadedKey(), started, loadedTTL).Err(); err != nil {
		return fmt.Errorf("mark blacklist loaded: %w", err)
	}
	if d := v.dirtySince.Load(); d != 0 && d < started {
		v.dirtySince.CompareAndSwap(d, 0)
	}
	return nil
}

// Warm fetches the signing keys if none are cached yet, so that the first
// request of a new process finds them (stack.Warm calls it at start).
func (v *Verifier) Warm(ctx context.Context) error {
	v.mu.RLock()
	cached := !v.fetched.IsZero()
	seen := v.fetches.Load()
	v.mu.RUnlock()
	if cached {
		return nil
	}
	return v.refresh(ctx, seen)
}
