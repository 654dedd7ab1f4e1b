package auth_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// tokenState answers the verifier's one query (the member's token
// generation, whether the jti is revoked) for a pure fuzz target: every
// member is at generation 0 and nothing is revoked.
type tokenState struct{}

func (tokenState) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, nil
}
func (tokenState) Query(context.Context, string, ...any) (pgx.Rows, error) { return nil, pgx.ErrNoRows }
func (tokenState) QueryRow(context.Context, string, ...any) pgx.Row        { return stateRow{} }

type stateRow struct{}

func (stateRow) Scan(dest ...any) error {
	*dest[0].(*int64), *dest[1].(*bool) = 0, false
	return nil
}

var fuzzNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func fuzzVerifier(t testing.TB) (*auth.Verifier, ed25519.PrivateKey) {
	seed := make([]byte, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	src := &countingSource{keys: []auth.PublicKey{{ID: "k1", Key: priv.Public().(ed25519.PublicKey), Primary: true}}}
	return auth.NewVerifier(auth.VerifierConfig{Issuer: "iss", Audience: "aud", Source: src, DB: tokenState{},
		Now: func() time.Time { return fuzzNow }}), priv
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signRaw signs any header and claims documents with key, as the server
// would sign them.
func signRaw(key ed25519.PrivateKey, header, claims []byte) string {
	s := b64(header) + "." + b64(claims)
	return s + "." + b64(ed25519.Sign(key, []byte(s)))
}

func goodClaims(exp time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"sub": "7", "memberId": 7, "gen": 0, "jti": "j1", "iss": "iss", "aud": "aud", "iat": fuzzNow.Unix(), "exp": exp.Unix()})
	return b
}

// authCodes are the codes of a refused token: all 401.
var authCodes = []errcode.Code{errcode.TokenMissing, errcode.TokenInvalid, errcode.TokenExpired, errcode.TokenRevoked, errcode.UnknownSigningKey}

func refused(t *testing.T, raw string, err error) {
	t.Helper()
	if !slices.Contains(authCodes, errcode.Of(err)) || errcode.HTTPStatus(err) != http.StatusUnauthorized {
		t.Fatalf("%q: %v (%s), want a 401 token code", raw, err, errcode.Of(err))
	}
}

// FuzzVerifyToken: any Authorization value is a 401 with a token code, or
// a principal the same token gives again.
func FuzzVerifyToken(f *testing.F) {
	_, key := fuzzVerifier(f)
	hdr := []byte(`{"alg":"EdDSA","typ":"JWT","kid":"k1"}`)
	f.Add(signRaw(key, hdr, goodClaims(fuzzNow.Add(time.Hour))))
	f.Add(signRaw(key, hdr, goodClaims(fuzzNow.Add(-time.Hour))))
	f.Add(signRaw(key, []byte(`{"alg":"none","kid":"k1"}`), goodClaims(fuzzNow.Add(time.Hour))))
	f.Add(signRaw(key, []byte(`{"alg":"EdDSA","kid":"k2"}`), goodClaims(fuzzNow.Add(time.Hour))))
	for _, s := range []string{"", "a.b.c", "..", "eyJhbGciOiJFZERTQSJ9..", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := fuzzVerifier(t)
		p, err := v.Verify(context.Background(), raw)
		if err != nil {
			refused(t, raw, err)
			return
		}
		if p.MemberID <= 0 || p.TokenID == "" || !p.ExpiresAt.After(fuzzNow) || p.KeyID != "k1" {
			t.Fatalf("%q: principal %+v", raw, p)
		}
		if again, err := v.Verify(context.Background(), raw); err != nil || again != p {
			t.Fatalf("%q: verifies again as %+v, %v", raw, again, err)
		}
	})
}

// FuzzVerifyClaims signs any header and claims with the server's key: the
// verifier accepts only an EdDSA token of the known kid whose claims are
// complete and current (sub agreeing with memberId, a jti, our issuer and
// audience, exp to come).
func FuzzVerifyClaims(f *testing.F) {
	f.Add([]byte(`{"alg":"EdDSA","typ":"JWT","kid":"k1"}`), goodClaims(fuzzNow.Add(time.Hour)))
	f.Add([]byte(`{"alg":"EdDSA","kid":"k1"}`), []byte(`{"sub":"7","memberId":8,"jti":"j","iss":"iss","aud":["x","aud"],"exp":1893456000}`))
	f.Add([]byte(`{"alg":"EdDSA","kid":"k1"}`), []byte(`{"sub":"7","memberId":7,"jti":"j","iss":"iss","aud":"aud","exp":1893456000,"nbf":1893456000}`))
	f.Add([]byte(`{"alg":"HS256","kid":"k1"}`), goodClaims(fuzzNow.Add(time.Hour)))
	f.Add([]byte(`{"alg":"EdDSA","kid":["k1"]}`), []byte(`{"memberId":"7"}`))
	f.Fuzz(func(t *testing.T, header, claims []byte) {
		v, key := fuzzVerifier(t)
		raw := signRaw(key, header, claims)
		p, err := v.Verify(context.Background(), raw)
		if err != nil {
			refused(t, raw, err)
			return
		}
		var h struct {
			Alg string `json:"alg"`
			Kid string `json:"kid"`
		}
		var c struct {
			Sub      string          `json:"sub"`
			MemberID json.Number     `json:"memberId"`
			JTI      string          `json:"jti"`
			Iss      string          `json:"iss"`
			Aud      json.RawMessage `json:"aud"`
			Exp      json.Number     `json:"exp"`
		}
		if json.Unmarshal(header, &h) != nil || json.Unmarshal(claims, &c) != nil {
			t.Fatalf("%s %s: accepted, but the documents do not decode", header, claims)
		}
		exp, _ := c.Exp.Float64()
		switch {
		case h.Alg != auth.Algorithm || h.Kid != "k1":
			t.Fatalf("%s: accepted header", header)
		case c.Sub != strconv.FormatInt(p.MemberID, 10) || c.MemberID.String() == "" || c.JTI != p.TokenID || c.JTI == "":
			t.Fatalf("%s: accepted as %+v", claims, p)
		case c.Iss != "iss" || !audienceHas(c.Aud, "aud"):
			t.Fatalf("%s: accepted issuer or audience", claims)
		case exp <= float64(fuzzNow.Unix()):
			t.Fatalf("%s: accepted expired at %v", claims, exp)
		}
	})
}

func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, want)
}
