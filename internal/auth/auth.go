// Package auth is dailyfeed's authentication: Ed25519-signed access JWTs
// whose kid names a signing key kept in PostgreSQL, opaque rotating refresh
// tokens, password hashing, logout (a jti blacklist in Redis backed by a
// PostgreSQL table) and the Verifier every HTTP function uses to
// authenticate a request locally.
//
// Secrets (passwords, private keys, access and refresh tokens) are never
// logged by this package.
package auth

import (
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// Algorithm is the only signing algorithm issued and accepted.
const Algorithm = "EdDSA"

// Principal is the authenticated caller of a request.
type Principal struct {
	MemberID  int64
	TokenID   string    // the access token's jti
	ExpiresAt time.Time // the access token's exp
	KeyID     string    // the kid that signed the token
	// RefreshNeeded is set when the token was signed by a key that is no
	// longer the primary (still accepted during the grace period): the
	// client should refresh its tokens.
	RefreshNeeded bool
}

// Claims are the claims of a dailyfeed access token.
type Claims struct {
	jwt.RegisteredClaims
	// MemberID is the member id as a number (the original's frontend reads
	// it from the payload); sub carries the same id as a string.
	MemberID int64 `json:"memberId"`
	// Generation is the member's token generation at issue time; logout-all
	// and deactivation bump it, which revokes every older access token.
	Generation int64 `json:"gen"`
	// Family is the refresh-token family (one login) the token was issued
	// from: when reuse revokes the family, its access tokens stop working
	// at once too.
	Family string `json:"fam,omitempty"`
}

// familyRevocation is the revoked_tokens key (and blacklist entry) of a
// revoked refresh-token family; it cannot collide with a jti (a UUID).
func familyRevocation(family string) string { return "family:" + family }

// Validate checks what jwt's validator does not: a jti, and sub agreeing
// with memberId. It is called by the jwt parser after the registered claims.
func (c Claims) Validate() error {
	if c.ID == "" {
		return errors.New("jti is required")
	}
	if c.MemberID <= 0 || c.Subject != strconv.FormatInt(c.MemberID, 10) {
		return errors.New("sub and memberId disagree")
	}
	return nil
}

// ReloginRequired reports whether err means the client must log in again
// (revoked or blacklisted token, unknown or retired key, refresh token
// expired, revoked or reused): the X-Relogin-Required response header.
func ReloginRequired(err error) bool {
	switch errcode.Of(err) {
	case errcode.TokenRevoked, errcode.UnknownSigningKey,
		errcode.RefreshTokenInvalid, errcode.RefreshTokenReused:
		return true
	}
	return false
}

// RefreshNeeded reports whether err means the client should refresh its
// access token (it expired): the X-Token-Refresh-Needed response header.
func RefreshNeeded(err error) bool {
	return errcode.Is(err, errcode.TokenExpired)
}

// Error values of authentication, shared so that every failure of a kind has
// the same code and message.
var (
	errTokenMissing = errcode.New(errcode.TokenMissing, "authentication required: send Authorization: Bearer <access token>")
	errTokenInvalid = errcode.New(errcode.TokenInvalid, "access token is invalid")
	errTokenExpired = errcode.New(errcode.TokenExpired, "access token has expired")
	errTokenRevoked = errcode.New(errcode.TokenRevoked, "access token has been revoked")
	errUnknownKey   = errcode.New(errcode.UnknownSigningKey, "access token is signed by an unknown key")
)
