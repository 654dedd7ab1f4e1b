package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Service issues, rotates and revokes tokens. It is cheap to build per
// request from the process's long-lived parts.
type Service struct {
	DB       TxDB
	Verifier *Verifier // its Redis caches are written on revocation
	Config   config.Config
	Now      func() time.Time
}

// Keys returns the signing-key store.
func (s *Service) Keys() Keys { return Keys{DB: s.DB, Grace: s.Config.KeyGrace} }

// AccessToken is a signed access JWT.
type AccessToken struct {
	Token     string
	ID        string // jti
	ExpiresAt time.Time
}

// ExpiresIn is the token's remaining lifetime at now in whole seconds,
// rounded up (the expiresIn of login and refresh answers).
func (t AccessToken) ExpiresIn(now time.Time) int64 {
	d := t.ExpiresAt.Sub(now)
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

// RefreshToken is an opaque refresh token; only its hash is stored.
type RefreshToken struct {
	Token     string
	ExpiresAt time.Time
	family    uuid.UUID
}

// Session is what login and refresh hand to the client.
type Session struct {
	MemberID int64
	Access   AccessToken
	Refresh  RefreshToken
}

// Errors of logging in and refreshing.
var (
	errInvalidCredentials = errcode.New(errcode.InvalidCredentials, "e-mail or password is incorrect")
	errDeactivated        = errcode.New(errcode.MemberDeactivated, "this member has been deactivated")
	errRefreshMissing     = errcode.New(errcode.RefreshTokenInvalid, "refresh token is missing")
	errRefreshInvalid     = errcode.New(errcode.RefreshTokenInvalid, "refresh token is invalid")
	errRefreshExpired     = errcode.New(errcode.RefreshTokenInvalid, "refresh token has expired")
	errRefreshReused      = errcode.New(errcode.RefreshTokenReused, "refresh token was already used; every session of this login is revoked")
)

// Login checks an e-mail and password and opens a session (a new refresh
// token family). An unknown e-mail and a wrong password are the same 401
// INVALID_CREDENTIALS and take the same time (a dummy hash is compared).
// A deactivated member gets 403 MEMBER_DEACTIVATED, but only once the
// password matched, so the status leaks to no one without the password.
func (s *Service) Login(ctx context.Context, email, password string) (Session, error) {
	const q = `SELECT id, password_hash, status, token_generation FROM members WHERE lower(email) = lower($1)`
	var id, gen int64
	var hash, status string
	err := s.DB.QueryRow(ctx, q, email).Scan(&id, &hash, &status, &gen)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Session{}, fmt.Errorf("select credentials: %w", err)
	}
	ok, err := checkPassword(hash, password)
	switch {
	case err != nil:
		return Session{}, err
	case !ok:
		return Session{}, errInvalidCredentials
	case status != "ACTIVE":
		return Session{}, errDeactivated
	}
	refresh, err := s.insertRefresh(ctx, s.DB, id, uuid.New())
	if err != nil {
		return Session{}, err
	}
	access, err := s.issueAccess(ctx, id, gen, refresh.family)
	if err != nil {
		return Session{}, err
	}
	return Session{MemberID: id, Access: access, Refresh: refresh}, nil
}

// IssueAccess signs an access token for a member with the primary key,
// creating the first key on a fresh database.
func (s *Service) IssueAccess(ctx context.Context, memberID, generation int64) (AccessToken, error) {
	return s.issueAccess(ctx, memberID, generation, uuid.Nil)
}

// issueAccess signs an access token issued from the refresh-token family
// (uuid.Nil: none), which the token carries as its fam claim.
func (s *Service) issueAccess(ctx context.Context, memberID, generation int64, family uuid.UUID) (AccessToken, error) {
	now := s.Now().Truncate(time.Second) // JWT times are whole seconds
	key, err := s.Keys().primary(ctx, now)
	if err != nil {
		return AccessToken{}, err
	}
	if key.created && s.Verifier != nil {
		s.Verifier.Invalidate() // this process verifies the new key at once
	}
	t := AccessToken{ID: uuid.NewString(), ExpiresAt: now.Add(s.Config.AccessTokenTTL)}
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        t.ID,
			Subject:   strconv.FormatInt(memberID, 10),
			Issuer:    s.Config.JWTIssuer,
			Audience:  jwt.ClaimStrings{s.Config.JWTAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(t.ExpiresAt),
		},
		MemberID:   memberID,
		Generation: generation,
	}
	if family != uuid.Nil {
		claims.Family = family.String()
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	tok.Header["kid"] = key.id
	t.Token, err = tok.SignedString(key.private)
	if err != nil {
		return AccessToken{}, fmt.Errorf("sign access token: %w", err)
	}
	return t, nil
}

// hashToken is the stored form of a refresh token.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// insertRefresh stores a new refresh token of family.
func (s *Service) insertRefresh(ctx context.Context, db postgres.DB, memberID int64, family uuid.UUID) (RefreshToken, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return RefreshToken{}, fmt.Errorf("random refresh token: %w", err)
	}
	now := s.Now()
	t := RefreshToken{Token: base64.RawURLEncoding.EncodeToString(b), ExpiresAt: now.Add(s.Config.RefreshTTL), family: family}
	const q = `
		INSERT INTO refresh_tokens (token_hash, family_id, member_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`
	if _, err := db.Exec(ctx, q, hashToken(t.Token), family, memberID, now, t.ExpiresAt); err != nil {
		return RefreshToken{}, fmt.Errorf("insert refresh token: %w", err)
	}
	return t, nil
}

// Refresh rotates a refresh token: the presented token is marked rotated
// and a new token of the same family plus a new access token are issued.
// Presenting a token that was already rotated or revoked is reuse (a stolen
// token, or a replay): the whole family is revoked and the answer is 401
// REFRESH_TOKEN_REUSED. An expired or unknown token is 401
// REFRESH_TOKEN_INVALID.
func (s *Service) Refresh(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, errRefreshMissing
	}
	now := s.Now()
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return Session{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck

	const q = `
		SELECT r.id, r.family_id, r.member_id, r.expires_at, r.rotated_at IS NOT NULL OR r.revoked_at IS NOT NULL,
		       m.token_generation, m.status
		FROM refresh_tokens r JOIN members m ON m.id = r.member_id
		WHERE r.token_hash = $1
		FOR UPDATE OF r`
	var id, memberID, gen int64
	var family uuid.UUID
	var expires time.Time
	var used bool
	var status string
	err = tx.QueryRow(ctx, q, hashToken(token)).Scan(&id, &family, &memberID, &expires, &used, &gen, &status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Session{}, errRefreshInvalid
	case err != nil:
		return Session{}, fmt.Errorf("select refresh token: %w", err)
	case used:
		// Reuse: the family's refresh tokens and the access tokens issued
		// from it (the latest lives up to AccessTokenTTL) are revoked.
		if err := revokeFamily(ctx, tx, family, now); err != nil {
			return Session{}, err
		}
		until := now.Add(s.Config.AccessTokenTTL)
		const revoke = `
			INSERT INTO revoked_tokens (jti, member_id, expires_at, revoked_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING`
		if _, err := tx.Exec(ctx, revoke, familyRevocation(family.String()), memberID, until, now); err != nil {
			return Session{}, fmt.Errorf("revoke family access tokens: %w", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return Session{}, fmt.Errorf("commit: %w", err)
		}
		if s.Verifier != nil {
			s.Verifier.blacklist(ctx, familyRevocation(family.String()), until)
		}
		return Session{}, errRefreshReused
	case !now.Before(expires):
		return Session{}, errRefreshExpired
	case status != "ACTIVE":
		return Session{}, errDeactivated
	}
	if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET rotated_at = $2 WHERE id = $1`, id, now); err != nil {
		return Session{}, fmt.Errorf("rotate refresh token: %w", err)
	}
	refresh, err := s.insertRefresh(ctx, tx, memberID, family)
	if err != nil {
		return Session{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return Session{}, fmt.Errorf("commit: %w", err)
	}
	access, err := s.issueAccess(ctx, memberID, gen, family)
	if err != nil {
		return Session{}, err
	}
	return Session{MemberID: memberID, Access: access, Refresh: refresh}, nil
}

func revokeFamily(ctx context.Context, db postgres.DB, family uuid.UUID, now time.Time) error {
	if _, err := db.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`, family, now); err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	return nil
}

// Logout revokes the caller's access token until it expires (a
// revoked_tokens row, then the Redis blacklist) and the family of the
// refresh token presented with it, if it is the caller's. The PostgreSQL
// write is what makes it take effect: with Redis down, logout still
// succeeds and verification reads PostgreSQL.
func (s *Service) Logout(ctx context.Context, p Principal, refreshToken string) error {
	now := s.Now()
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	const revoke = `
		INSERT INTO revoked_tokens (jti, member_id, expires_at, revoked_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING`
	if _, err := tx.Exec(ctx, revoke, p.TokenID, p.MemberID, p.ExpiresAt, now); err != nil {
		return fmt.Errorf("revoke access token: %w", err)
	}
	if refreshToken != "" {
		const q = `
			UPDATE refresh_tokens SET revoked_at = $3
			WHERE revoked_at IS NULL AND family_id = (
				SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND member_id = $2)`
		if _, err := tx.Exec(ctx, q, hashToken(refreshToken), p.MemberID, now); err != nil {
			return fmt.Errorf("revoke refresh family: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.Verifier.blacklist(ctx, p.TokenID, p.ExpiresAt)
	return nil
}

// LogoutAll revokes every refresh token of the member and, by bumping the
// member's token generation, every access token it already holds.
func (s *Service) LogoutAll(ctx context.Context, memberID int64) error {
	return s.endSessions(ctx, memberID, false)
}

// Deactivate deactivates the member (it can no longer log in; its e-mail
// and handle stay taken) and revokes every token it holds.
func (s *Service) Deactivate(ctx context.Context, memberID int64) error {
	return s.endSessions(ctx, memberID, true)
}

func (s *Service) endSessions(ctx context.Context, memberID int64, deactivate bool) error {
	now := s.Now()
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	q := `UPDATE members SET token_generation = token_generation + 1 WHERE id = $1 AND status = 'ACTIVE' RETURNING token_generation`
	args := []any{memberID}
	if deactivate {
		q = `UPDATE members SET token_generation = token_generation + 1, status = 'DEACTIVATED',
		        deactivated_at = $2, updated_at = $2
		     WHERE id = $1 AND status = 'ACTIVE' RETURNING token_generation`
		args = append(args, now)
	}
	var gen int64
	err = tx.QueryRow(ctx, q, args...).Scan(&gen)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return errcode.New(errcode.MemberNotFound, "member not found")
	case err != nil:
		return fmt.Errorf("bump token generation: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $2 WHERE member_id = $1 AND revoked_at IS NULL`, memberID, now); err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	if deactivate {
		if err := dropFollows(ctx, tx, memberID); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.Verifier.cacheGeneration(ctx, memberID, gen)
	return nil
}

// dropFollows removes a deactivated member from the follow graph, both
// ways, and keeps the other members' followers/following counts true.
// Deactivation is final, so the rows are deleted rather than hidden; the
// member rows are locked in ascending id order, as follow and unfollow do.
func dropFollows(ctx context.Context, tx pgx.Tx, memberID int64) error {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM members WHERE id IN (
			SELECT followee_id FROM follows WHERE follower_id = $1
			UNION SELECT follower_id FROM follows WHERE followee_id = $1)
		ORDER BY id FOR UPDATE`, memberID); err != nil {
		return fmt.Errorf("lock followers and followings: %w", err)
	}
	_, err := tx.Exec(ctx, `WITH gone AS (
			DELETE FROM follows WHERE follower_id = $1 OR followee_id = $1
			RETURNING follower_id, followee_id)
		UPDATE members m SET
			followers_count = m.followers_count - (SELECT count(*) FROM gone g WHERE g.followee_id = m.id),
			following_count = m.following_count - (SELECT count(*) FROM gone g WHERE g.follower_id = m.id)
		WHERE m.id <> $1 AND m.id IN (SELECT follower_id FROM gone UNION SELECT followee_id FROM gone)`, memberID)
	if err != nil {
		return fmt.Errorf("drop follows: %w", err)
	}
	return nil
}

// Rotate runs key rotation (see Keys.Rotate) and drops this process's
// cached keys so it sees the new primary at once; other processes see it
// within their key cache TTL, or at once for tokens signed by it.
func (s *Service) Rotate(ctx context.Context) (Rotation, error) {
	r, err := s.Keys().Rotate(ctx, s.Now(), s.Config.KeyRotation)
	if err != nil {
		return r, err
	}
	if s.Verifier != nil && (r.Created != "" || len(r.Retired) > 0) {
		s.Verifier.Invalidate()
	}
	return r, nil
}
