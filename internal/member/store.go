package member

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Errors of the store.
var (
	ErrNotFound     = errcode.New(errcode.MemberNotFound, "member not found")
	errEmailTaken   = errcode.New(errcode.EmailAlreadyExists, "email: is already registered")
	errHandleTaken  = errcode.New(errcode.HandleAlreadyExists, "handle: is already taken")
	errMemberExists = errcode.New(errcode.MemberAlreadyExists, "member already exists")
)

// Store is the members table. Every exported method is one statement (so
// one transaction). Lookups of a missing or deactivated member return
// MEMBER_NOT_FOUND, never a zero member.
type Store struct {
	DB postgres.DB
}

// columns are the members columns scanned into a Member, in scan order.
const columns = `id, email, member_name, handle, display_name, bio, avatar_image_id, avatar_url, cover_image_id,
	location, website_url, birth_date, gender, timezone, language_code, country_code, privacy_level,
	followers_count, following_count, created_at, updated_at`

func scan(row pgx.Row) (Member, error) {
	var m Member
	err := row.Scan(&m.ID, &m.Email, &m.Name, &m.Handle, &m.DisplayName, &m.Bio, &m.AvatarImageID, &m.AvatarForm, &m.CoverImageID,
		&m.Location, &m.WebsiteURL, &m.BirthDate, &m.Gender, &m.Timezone, &m.LanguageCode, &m.CountryCode, &m.PrivacyLevel,
		&m.FollowersCount, &m.FollowingCount, &m.CreatedAt, &m.UpdatedAt)
	return m, err
}

// one scans a single-row result: no row is MEMBER_NOT_FOUND, a unique
// violation is the taken e-mail or handle.
func one(row pgx.Row, what string) (Member, error) {
	m, err := scan(row)
	if err == nil {
		return m, nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, ErrNotFound
	}
	if c, ok := postgres.IsUniqueViolation(err); ok {
		switch c {
		case "members_email_key":
			return Member{}, errEmailTaken
		case "members_handle_key":
			return Member{}, errHandleTaken
		default:
			return Member{}, errMemberExists
		}
	}
	return Member{}, fmt.Errorf("%s: %w", what, err)
}

// Create inserts a member signed up with in (validated) and passwordHash.
// A taken e-mail or handle (case-insensitively) is detected by the unique
// indexes: 409 EMAIL_ALREADY_EXISTS or HANDLE_ALREADY_EXISTS.
func (s Store) Create(ctx context.Context, in Signup, passwordHash string, now time.Time) (Member, error) {
	const q = `
		INSERT INTO members (email, password_hash, member_name, handle, display_name, bio, location, website_url,
			birth_date, gender, timezone, language_code, country_code, privacy_level, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10, $11, $12, $13, $14, $15, $15)
		RETURNING ` + columns
	return one(s.DB.QueryRow(ctx, q, in.Email, passwordHash, in.MemberName, in.Handle, in.DisplayName, in.Bio,
		in.Location, in.WebsiteURL, in.BirthDate, in.Gender, in.Timezone, in.LanguageCode, in.CountryCode,
		in.PrivacyLevel, now), "insert member")
}

// ByID returns the active member id.
func (s Store) ByID(ctx context.Context, id int64) (Member, error) {
	const q = `SELECT ` + columns + ` FROM members WHERE id = $1 AND status = 'ACTIVE'`
	return one(s.DB.QueryRow(ctx, q, id), "select member")
}

// ByHandle returns the active member with handle (case-insensitively).
func (s Store) ByHandle(ctx context.Context, handle string) (Member, error) {
	const q = `SELECT ` + columns + ` FROM members WHERE lower(handle) = lower($1) AND status = 'ACTIVE'`
	return one(s.DB.QueryRow(ctx, q, handle), "select member by handle")
}

// ByRef returns the active member named by ref.
func (s Store) ByRef(ctx context.Context, ref Ref) (Member, error) {
	if ref.Handle != "" {
		return s.ByHandle(ctx, ref.Handle)
	}
	return s.ByID(ctx, ref.ID)
}

// Update applies in (validated) to the member id: absent fields stay, an
// empty string clears an optional field.
func (s Store) Update(ctx context.Context, id int64, in ProfileUpdate, now time.Time) (Member, error) {
	const q = `
		UPDATE members SET
			member_name   = COALESCE($2, member_name),
			display_name  = CASE WHEN $3::text IS NULL THEN display_name ELSE NULLIF($3, '') END,
			bio           = CASE WHEN $4::text IS NULL THEN bio ELSE NULLIF($4, '') END,
			location      = CASE WHEN $5::text IS NULL THEN location ELSE NULLIF($5, '') END,
			website_url   = CASE WHEN $6::text IS NULL THEN website_url ELSE NULLIF($6, '') END,
			birth_date    = CASE WHEN $7::text IS NULL THEN birth_date ELSE NULLIF($7, '')::date END,
			gender        = CASE WHEN $8::text IS NULL THEN gender ELSE NULLIF($8, '') END,
			timezone      = COALESCE($9, timezone),
			language_code = COALESCE($10, language_code),
			country_code  = CASE WHEN $11::text IS NULL THEN country_code ELSE NULLIF($11, '') END,
			privacy_level = COALESCE($12, privacy_level),
			avatar_image_id = CASE WHEN $14::text IS NULL THEN avatar_image_id ELSE NULLIF($15, '') END,
			avatar_url      = CASE WHEN $14::text IS NULL THEN avatar_url ELSE NULLIF($14, '') END,
			updated_at    = $13
		WHERE id = $1 AND status = 'ACTIVE'
			-- the avatar is one of the member's live images: a deletion
			-- committed before is seen here, one running now waits for this
			-- row and then clears the avatar it finds.
			AND ($15 = '' OR EXISTS (SELECT 1 FROM images i WHERE i.id = $15 AND i.member_id = $1 AND i.deleted_at IS NULL))
		RETURNING ` + columns
	return one(s.DB.QueryRow(ctx, q, id, in.MemberName, in.DisplayName, in.Bio, in.Location, in.WebsiteURL,
		in.BirthDate, in.Gender, in.Timezone, in.LanguageCode, in.CountryCode, in.PrivacyLevel, now,
		in.AvatarURL, in.AvatarImage()), "update member")
}

// OwnsImage reports whether image is a live image of member.
func (s Store) OwnsImage(ctx context.Context, member int64, image string) (bool, error) {
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (
		SELECT 1 FROM images WHERE id = $1 AND member_id = $2 AND deleted_at IS NULL)`, image, member).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check image owner: %w", err)
	}
	return ok, nil
}

// ChangeHandle sets the member's handle; a handle taken by another member
// (case-insensitively) is 409 HANDLE_ALREADY_EXISTS.
func (s Store) ChangeHandle(ctx context.Context, id int64, handle string, now time.Time) (Member, error) {
	const q = `UPDATE members SET handle = $2, updated_at = $3 WHERE id = $1 AND status = 'ACTIVE' RETURNING ` + columns
	return one(s.DB.QueryRow(ctx, q, id, handle, now), "change handle")
}

// summariesSQL selects the summary columns of the active members among
// $1, in its order, and whether each shows itself to the reader $2.
var summariesSQL = `
	SELECT m.id, m.member_name, m.handle, m.display_name, m.bio, m.avatar_image_id, m.avatar_url,
		m.followers_count, m.following_count, ` + VisibleSQL("m", "$2") + `
	FROM members m JOIN unnest($1::bigint[]) WITH ORDINALITY AS q(id, n) USING (id)
	WHERE m.status = 'ACTIVE'
	ORDER BY q.n`

// Summaries returns the active members among ids as reader sees them (a
// card for those whose privacy level hides them from reader), in the order
// of ids (duplicates and unknown ids left out), in one query.
func (s Store) Summaries(ctx context.Context, reader int64, ids []int64) ([]Summary, error) {
	out := []Summary{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.DB.Query(ctx, summariesSQL, ids, reader)
	if err != nil {
		return nil, fmt.Errorf("select summaries: %w", err)
	}
	defer rows.Close()
	seen := make(map[int64]bool, len(ids))
	for rows.Next() {
		var m Member
		var visible bool
		if err := rows.Scan(&m.ID, &m.Name, &m.Handle, &m.DisplayName, &m.Bio, &m.AvatarImageID, &m.AvatarForm,
			&m.FollowersCount, &m.FollowingCount, &visible); err != nil {
			return nil, fmt.Errorf("scan summary: %w", err)
		}
		if seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		if visible {
			out = append(out, SummaryOf(m))
		} else {
			out = append(out, SummaryOf(m).Card())
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select summaries: %w", err)
	}
	return out, nil
}
