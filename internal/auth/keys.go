package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// TxDB is a pool that can begin transactions (a *pgxpool.Pool).
type TxDB interface {
	postgres.DB
	Begin(ctx context.Context) (pgx.Tx, error)
}

// PublicKey is a key that verifies tokens.
type PublicKey struct {
	ID  string
	Key ed25519.PublicKey
	// Primary is set on the key that signs new tokens.
	Primary bool
	// NotAfter, when set, is the end of a replaced key's grace period.
	NotAfter time.Time
}

// usable reports whether the key verifies tokens at now.
func (k PublicKey) usable(now time.Time) bool {
	return k.NotAfter.IsZero() || now.Before(k.NotAfter)
}

// signingKey is the primary key with its private half.
type signingKey struct {
	id      string
	private ed25519.PrivateKey
	created bool // this call created it
}

// Keys is the signing-key store in PostgreSQL.
type Keys struct {
	DB TxDB
	// Grace is how long a replaced key still verifies (config.KeyGrace).
	Grace time.Duration
}

// primary returns the key that signs, creating the first key when the
// database has none. Creation is race-safe: a unique index allows one
// primary, and a loser of the race reads the winner's key.
func (k Keys) primary(ctx context.Context, now time.Time) (signingKey, error) {
	const q = `SELECT kid, private_key FROM signing_keys WHERE replaced_at IS NULL`
	inserted := false
	for range 2 {
		var key signingKey
		var seed []byte
		err := k.DB.QueryRow(ctx, q).Scan(&key.id, &seed)
		switch {
		case err == nil:
			if len(seed) != ed25519.SeedSize {
				return signingKey{}, errors.New("primary signing key has no private key")
			}
			key.private = ed25519.NewKeyFromSeed(seed)
			key.created = inserted
			return key, nil
		case !errors.Is(err, pgx.ErrNoRows):
			return signingKey{}, fmt.Errorf("select primary key: %w", err)
		}
		if err := insertKey(ctx, k.DB, now, true); err != nil {
			return signingKey{}, err
		}
		inserted = true
	}
	return signingKey{}, errors.New("no primary signing key after creating one")
}

// insertKey creates a new primary key. With ignoreConflict, a concurrent
// creation of the primary is not an error.
func insertKey(ctx context.Context, db postgres.DB, now time.Time, ignoreConflict bool) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	q := `INSERT INTO signing_keys (kid, private_key, public_key, created_at) VALUES ($1, $2, $3, $4)`
	if ignoreConflict {
		q += ` ON CONFLICT DO NOTHING`
	}
	if _, err := db.Exec(ctx, q, newKeyID(now), priv.Seed(), []byte(pub), now); err != nil {
		return fmt.Errorf("insert signing key: %w", err)
	}
	return nil
}

// newKeyID names a key by its creation time plus randomness, so ids sort
// by age and never collide.
func newKeyID(now time.Time) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + base64.RawURLEncoding.EncodeToString(b)
}

// PublicKeys returns the keys that verify tokens at now: the primary first,
// then replaced keys still within their grace period, newest first.
func (k Keys) PublicKeys(ctx context.Context, now time.Time) ([]PublicKey, error) {
	const q = `
		SELECT kid, public_key, replaced_at
		FROM signing_keys
		WHERE retired_at IS NULL AND (replaced_at IS NULL OR replaced_at > $1)
		ORDER BY replaced_at DESC NULLS FIRST, created_at DESC`
	rows, err := k.DB.Query(ctx, q, now.Add(-k.Grace))
	if err != nil {
		return nil, fmt.Errorf("select public keys: %w", err)
	}
	var keys []PublicKey
	for rows.Next() {
		var key PublicKey
		var pub []byte
		var replaced *time.Time
		if err := rows.Scan(&key.ID, &pub, &replaced); err != nil {
			return nil, fmt.Errorf("scan public key: %w", err)
		}
		key.Key = ed25519.PublicKey(pub)
		if replaced == nil {
			key.Primary = true
		} else {
			key.NotAfter = replaced.Add(k.Grace)
		}
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select public keys: %w", err)
	}
	return keys, nil
}

// Rotation is what Rotate did.
type Rotation struct {
	Created string   // kid of the new primary, if one was made
	Retired []string // kids retired
}

// rotateLock is the advisory lock that serialises rotations across replicas.
const rotateLock = 7_151_802

// Rotate makes a new primary key when there is none or the primary is at
// least maxAge old, retires replaced keys whose grace period has ended, and
// purges expired revocation and refresh-token rows. It is idempotent and
// safe to run concurrently: one transaction under an advisory lock.
func (k Keys) Rotate(ctx context.Context, now time.Time, maxAge time.Duration) (Rotation, error) {
	var r Rotation
	tx, err := k.DB.Begin(ctx)
	if err != nil {
		return r, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, rotateLock); err != nil {
		return r, fmt.Errorf("lock rotation: %w", err)
	}

	var kid string
	var created time.Time
	err = tx.QueryRow(ctx, `SELECT kid, created_at FROM signing_keys WHERE replaced_at IS NULL FOR UPDATE`).Scan(&kid, &created)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		kid = ""
	case err != nil:
		return r, fmt.Errorf("select primary key: %w", err)
	}
	if kid == "" || !now.Before(created.Add(maxAge)) {
		if kid != "" {
			// The replaced key only verifies from now on: wipe its private half.
			if _, err := tx.Exec(ctx, `UPDATE signing_keys SET replaced_at = $2, private_key = '' WHERE kid = $1`, kid, now); err != nil {
				return r, fmt.Errorf("replace key: %w", err)
			}
		}
		if err := insertKey(ctx, tx, now, false); err != nil {
			return r, err
		}
		if err := tx.QueryRow(ctx, `SELECT kid FROM signing_keys WHERE replaced_at IS NULL`).Scan(&r.Created); err != nil {
			return r, fmt.Errorf("select new key: %w", err)
		}
	}

	rows, err := tx.Query(ctx, `
		UPDATE signing_keys SET retired_at = $1
		WHERE retired_at IS NULL AND replaced_at IS NOT NULL AND replaced_at <= $2
		RETURNING kid`, now, now.Add(-k.Grace))
	if err != nil {
		return r, fmt.Errorf("retire keys: %w", err)
	}
	r.Retired, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return r, fmt.Errorf("retire keys: %w", err)
	}

	if _, err := tx.Exec(ctx, `DELETE FROM revoked_tokens WHERE expires_at <= $1`, now); err != nil {
		return r, fmt.Errorf("purge revoked tokens: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM refresh_tokens WHERE expires_at <= $1`, now); err != nil {
		return r, fmt.Errorf("purge refresh tokens: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM rate_limit_slots WHERE window_ends_at <= $1`, now); err != nil {
		return r, fmt.Errorf("purge login guard slots: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return r, fmt.Errorf("commit: %w", err)
	}
	return r, nil
}

// JWK is one public key in JSON Web Key form (RFC 8037, OKP / Ed25519).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// JWKS is a JSON Web Key Set. Its first key is the primary.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWKSOf returns keys as a key set, in order (the primary first).
func JWKSOf(keys []PublicKey) JWKS {
	set := JWKS{Keys: make([]JWK, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, JWK{
			Kty: "OKP", Crv: "Ed25519", Use: "sig", Alg: Algorithm, Kid: k.ID,
			X: base64.RawURLEncoding.EncodeToString(k.Key),
		})
	}
	return set
}

// publicKeys parses a key set; its first usable key is the primary.
// Keys of another type are skipped.
func (s JWKS) publicKeys() ([]PublicKey, error) {
	var keys []PublicKey
	for _, k := range s.Keys {
		if k.Kty != "OKP" || k.Crv != "Ed25519" || k.Kid == "" || (k.Alg != "" && k.Alg != Algorithm) || (k.Use != "" && k.Use != "sig") {
			continue
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("jwks key %q: invalid x", k.Kid)
		}
		keys = append(keys, PublicKey{ID: k.Kid, Key: ed25519.PublicKey(x), Primary: len(keys) == 0})
	}
	return keys, nil
}
