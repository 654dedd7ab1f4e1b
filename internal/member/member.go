// Package member is dailyfeed's member domain: sign-up and its validation
// rules, profiles and summaries in the API's shapes, handle changes, and
// the store over PostgreSQL. Tokens and passwords are internal/auth's.
package member

import (
	"strconv"
	"time"
)

// Member is a row of the members table (without the password hash).
type Member struct {
	ID            int64
	Email         string
	Name          string
	Handle        string
	DisplayName   *string
	Bio           *string
	AvatarImageID *string
	// AvatarForm is the avatarUrl as the member saved it (nil: the
	// canonical ImageURL of AvatarImageID).
	AvatarForm     *string
	CoverImageID   *string
	Location       *string
	WebsiteURL     *string
	BirthDate      *time.Time
	Gender         *string
	Timezone       *string
	LanguageCode   *string
	CountryCode    *string
	PrivacyLevel   string
	FollowersCount int64
	FollowingCount int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// AvatarSQL is the avatarUrl of members m in SQL: NULL without an avatar,
// else the form the member saved (avatar_url) or the view path of the
// image (ImageURL).
const AvatarSQL = `CASE WHEN m.avatar_image_id IS NULL THEN NULL
	ELSE COALESCE(m.avatar_url, '/api/images/view/' || m.avatar_image_id) END`

// AvatarURL is m's avatarUrl (see AvatarSQL).
func (m Member) AvatarURL() *string {
	if m.AvatarImageID != nil && *m.AvatarImageID != "" && m.AvatarForm != nil {
		return m.AvatarForm
	}
	return ImageURL(m.AvatarImageID)
}

// ImageURL is the API path of an image: /api/images/view/{imageId}.
func ImageURL(imageID *string) *string {
	if imageID == nil || *imageID == "" {
		return nil
	}
	u := "/api/images/view/" + *imageID
	return &u
}

// Profile is the API's profile shape (also the login data). handle and
// memberHandle carry the same value, as do id and memberId;
// followingsCount repeats followingCount under the original's name.
type Profile struct {
	ID              int64     `json:"id"`
	MemberID        int64     `json:"memberId"`
	Email           string    `json:"email,omitempty"` // only in the member's own profile
	MemberName      string    `json:"memberName"`
	Handle          string    `json:"handle"`
	MemberHandle    string    `json:"memberHandle"`
	DisplayName     *string   `json:"displayName"`
	Bio             *string   `json:"bio"`
	AvatarURL       *string   `json:"avatarUrl"`
	CoverURL        *string   `json:"coverUrl"`
	Location        *string   `json:"location"`
	WebsiteURL      *string   `json:"websiteUrl"`
	BirthDate       *string   `json:"birthDate"` // yyyy-MM-dd
	Gender          *string   `json:"gender"`
	Timezone        *string   `json:"timezone"`
	LanguageCode    *string   `json:"languageCode"`
	CountryCode     *string   `json:"countryCode"`
	PrivacyLevel    string    `json:"privacyLevel"`
	FollowersCount  int64     `json:"followersCount"`
	FollowingCount  int64     `json:"followingCount"`
	FollowingsCount int64     `json:"followingsCount"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

// ProfileOf returns m as a profile; own includes the e-mail.
func ProfileOf(m Member, own bool) Profile {
	p := Profile{
		ID: m.ID, MemberID: m.ID, MemberName: m.Name, Handle: m.Handle, MemberHandle: m.Handle,
		DisplayName: m.DisplayName, Bio: m.Bio,
		AvatarURL: m.AvatarURL(), CoverURL: ImageURL(m.CoverImageID),
		Location: m.Location, WebsiteURL: m.WebsiteURL, Gender: m.Gender, Timezone: m.Timezone,
		LanguageCode: m.LanguageCode, CountryCode: m.CountryCode, PrivacyLevel: m.PrivacyLevel,
		FollowersCount: m.FollowersCount, FollowingCount: m.FollowingCount, FollowingsCount: m.FollowingCount,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
	if m.BirthDate != nil {
		d := m.BirthDate.Format(time.DateOnly)
		p.BirthDate = &d
	}
	if own {
		p.Email = m.Email
	}
	return p
}

// Summary is the API's member summary (lists, recommendations, authors).
type Summary struct {
	MemberID       int64   `json:"memberId"`
	ID             int64   `json:"id"`
	MemberName     string  `json:"memberName"`
	Handle         string  `json:"handle"`
	MemberHandle   string  `json:"memberHandle"`
	DisplayName    *string `json:"displayName"`
	Bio            *string `json:"bio"`
	AvatarURL      *string `json:"avatarUrl"`
	FollowersCount int64   `json:"followersCount"`
	FollowingCount int64   `json:"followingCount"`
}

// SummaryOf returns m as a summary.
func SummaryOf(m Member) Summary {
	return Summary{
		MemberID: m.ID, ID: m.ID, MemberName: m.Name, Handle: m.Handle, MemberHandle: m.Handle,
		DisplayName: m.DisplayName, Bio: m.Bio, AvatarURL: m.AvatarURL(),
		FollowersCount: m.FollowersCount, FollowingCount: m.FollowingCount,
	}
}

// Me is the get-me shape: the token owner's id and name.
type Me struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Login is the login data: the member's own profile and the access token.
type Login struct {
	Profile
	AccessToken string `json:"accessToken"`
	TokenType   string `json:"tokenType"`
	ExpiresIn   int64  `json:"expiresIn"` // seconds
}

// Ref names a member by id or by handle.
type Ref struct {
	ID     int64
	Handle string
}

// ParseRef reads a {memberRef} path value: a positive id, or "@handle".
func ParseRef(raw string) (Ref, error) {
	if len(raw) > 1 && raw[0] == '@' {
		h := raw[1:]
		if !handlePattern.MatchString(h) {
			return Ref{}, invalid("handle", "must be 3 to 50 letters, digits or underscores")
		}
		return Ref{Handle: h}, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return Ref{}, invalid("memberRef", "must be a member id or @handle")
	}
	return Ref{ID: id}, nil
}
