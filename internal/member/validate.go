package member

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// Field rules, as the original's sign-up request.
var (
	emailPattern  = regexp.MustCompile(`^[A-Za-z0-9+_.%-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
	handlePattern = regexp.MustCompile(`^[a-zA-Z0-9_]{3,50}$`)
	langPattern   = regexp.MustCompile(`^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{1,2})?$`)

	// Genders, countries and privacy levels of the original's enums.
	Genders       = []string{"MALE", "FEMALE", "OTHER", "PREFER_NOT_TO_SAY"}
	Countries     = []string{"KR", "US", "JP", "CN", "GB", "DE", "FR", "CA", "AU", "IN"}
	PrivacyLevels = []string{"PUBLIC", "FRIENDS", "PRIVATE"}
)

// Limits of the text fields, in characters.
const (
	maxEmail       = 100
	minPassword    = 8
	maxPassword    = 50
	minName        = 2
	maxName        = 30
	maxDisplayName = 50
	maxBio         = 500
	maxLocation    = 100
	maxWebsiteURL  = 200
	maxTimezone    = 64
)

func invalid(field, format string, args ...any) error {
	return errcode.Errorf(errcode.ValidationFailed, "%s: %s", field, fmt.Sprintf(format, args...))
}

// Signup is the sign-up request.
type Signup struct {
	Email        string  `json:"email"`
	Password     string  `json:"password"`
	MemberName   string  `json:"memberName"`
	Handle       string  `json:"handle"`
	DisplayName  *string `json:"displayName"`
	Bio          *string `json:"bio"`
	Location     *string `json:"location"`
	WebsiteURL   *string `json:"websiteUrl"`
	BirthDate    *string `json:"birthDate"` // yyyy-MM-dd
	Gender       string  `json:"gender"`
	Timezone     string  `json:"timezone"`     // default UTC
	LanguageCode string  `json:"languageCode"` // default en
	CountryCode  string  `json:"countryCode"`
	PrivacyLevel string  `json:"privacyLevel"` // default PUBLIC
}

// Validate checks the request against the original's rules and normalizes
// it (enum case, defaults, blank optional fields to nil). today is the
// current date, for the birth date.
func (in *Signup) Validate(today time.Time) error {
	in.Email = strings.TrimSpace(in.Email)
	in.MemberName = strings.TrimSpace(in.MemberName)
	checks := []func() error{
		func() error { return checkEmail(in.Email) },
		func() error { return checkPassword(in.Password) },
		func() error { return checkName(in.MemberName) },
		func() error { return checkHandle(in.Handle) },
		func() error { return optionalText("displayName", &in.DisplayName, maxDisplayName) },
		func() error { return optionalText("bio", &in.Bio, maxBio) },
		func() error { return optionalText("location", &in.Location, maxLocation) },
		func() error { return checkWebsite(&in.WebsiteURL) },
		func() error { return checkBirthDate(&in.BirthDate, today) },
		func() error { return required("gender", &in.Gender, Genders) },
		func() error { return checkTimezone(&in.Timezone) },
		func() error { return checkLanguage(&in.LanguageCode) },
		func() error { return required("countryCode", &in.CountryCode, Countries) },
		func() error { return enumDefault("privacyLevel", &in.PrivacyLevel, PrivacyLevels, "PUBLIC") },
	}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

// ProfileUpdate is the update-profile request: null (absent) fields stay
// unchanged; an empty string clears an optional field.
type ProfileUpdate struct {
	MemberName   *string `json:"memberName"`
	Name         *string `json:"name"` // the original's name for memberName
	DisplayName  *string `json:"displayName"`
	Bio          *string `json:"bio"`
	Location     *string `json:"location"`
	WebsiteURL   *string `json:"websiteUrl"`
	BirthDate    *string `json:"birthDate"`
	Gender       *string `json:"gender"`
	Timezone     *string `json:"timezone"`
	LanguageCode *string `json:"languageCode"`
	CountryCode  *string `json:"countryCode"`
	PrivacyLevel *string `json:"privacyLevel"`
	// AvatarURL names one of the member's own images, in the form the
	// client uses (/api/images/view/{id} or the original frontend's
	// /api/proxy/images/view/{id}), kept as given; "" removes the avatar.
	AvatarURL *string `json:"avatarUrl"`

	// avatarImage is the image AvatarURL names ("" with AvatarURL "").
	avatarImage string
}

// avatarForms are the accepted forms of avatarUrl; the group is the image id
// (22 characters of unpadded base64url: 16 random bytes).
var avatarForms = regexp.MustCompile(`^/api/(?:proxy/)?images/view/([A-Za-z0-9_-]{22})$`)

// AvatarImage is the image id the validated AvatarURL names ("" when it
// removes the avatar or is absent).
func (in *ProfileUpdate) AvatarImage() string { return in.avatarImage }

// Validate checks the fields present with the sign-up rules.
func (in *ProfileUpdate) Validate(today time.Time) error {
	if in.MemberName == nil {
		in.MemberName = in.Name
	}
	if in.MemberName != nil {
		*in.MemberName = strings.TrimSpace(*in.MemberName)
		if err := checkName(*in.MemberName); err != nil {
			return err
		}
	}
	// Optional text: "" (after trimming) clears the field.
	for _, f := range []struct {
		name  string
		v     *string
		limit int
	}{
		{"displayName", in.DisplayName, maxDisplayName},
		{"bio", in.Bio, maxBio},
		{"location", in.Location, maxLocation},
		{"websiteUrl", in.WebsiteURL, maxWebsiteURL},
		{"birthDate", in.BirthDate, 10},
	} {
		if f.v == nil {
			continue
		}
		*f.v = strings.TrimSpace(*f.v)
		if err := textLimit(f.name, *f.v, f.limit); err != nil {
			return err
		}
	}
	if in.WebsiteURL != nil && *in.WebsiteURL != "" {
		if err := checkURL(*in.WebsiteURL); err != nil {
			return err
		}
	}
	if in.BirthDate != nil && *in.BirthDate != "" {
		if err := checkDate(*in.BirthDate, today); err != nil {
			return err
		}
	}
	if in.Gender != nil && *in.Gender != "" {
		if err := enumDefault("gender", in.Gender, Genders, ""); err != nil {
			return err
		}
	}
	if in.CountryCode != nil && *in.CountryCode != "" {
		if err := enumDefault("countryCode", in.CountryCode, Countries, ""); err != nil {
			return err
		}
	}
	// Fields with a default cannot be cleared.
	if in.Timezone != nil {
		if *in.Timezone == "" {
			return invalid("timezone", "must not be empty")
		}
		if err := checkTimezone(in.Timezone); err != nil {
			return err
		}
	}
	if in.LanguageCode != nil {
		if *in.LanguageCode == "" {
			return invalid("languageCode", "must not be empty")
		}
		if err := checkLanguage(in.LanguageCode); err != nil {
			return err
		}
	}
	if in.PrivacyLevel != nil {
		if err := required("privacyLevel", in.PrivacyLevel, PrivacyLevels); err != nil {
			return err
		}
	}
	if in.AvatarURL != nil {
		*in.AvatarURL = strings.TrimSpace(*in.AvatarURL)
		if *in.AvatarURL != "" {
			m := avatarForms.FindStringSubmatch(*in.AvatarURL)
			if m == nil {
				return invalid("avatarUrl", "must be /api/images/view/{imageId} or /api/proxy/images/view/{imageId} of an image you uploaded")
			}
			in.avatarImage = m[1]
		}
	}
	return nil
}

// HandleChange is the change-handle request.
type HandleChange struct {
	NewHandle string `json:"newHandle"`
	Handle    string `json:"handle"` // accepted as well
}

// Validate checks the new handle.
func (in *HandleChange) Validate() error {
	if in.NewHandle == "" {
		in.NewHandle = in.Handle
	}
	return checkHandle(in.NewHandle)
}

// Query is the query-members request: at most MaxQueryIDs ids.
type Query struct {
	IDs []int64 `json:"ids"`
}

// MaxQueryIDs bounds a query-members request.
const MaxQueryIDs = 1000

// Validate checks the ids.
func (in *Query) Validate() error {
	if len(in.IDs) > MaxQueryIDs {
		return invalid("ids", "at most %d ids", MaxQueryIDs)
	}
	for _, id := range in.IDs {
		if id <= 0 {
			return invalid("ids", "must be positive member ids")
		}
	}
	return nil
}

func checkEmail(email string) error {
	switch {
	case email == "":
		return invalid("email", "is required")
	case utf8.RuneCountInString(email) > maxEmail:
		return invalid("email", "must be at most %d characters", maxEmail)
	case !emailPattern.MatchString(email):
		return invalid("email", "must be a valid e-mail address")
	}
	return nil
}

// checkPassword: 8–50 printable ASCII characters (bcrypt reads at most 72
// bytes) with an upper-case letter, a lower-case letter, a digit and a
// special character.
func checkPassword(pw string) error {
	if pw == "" {
		return invalid("password", "is required")
	}
	if n := len(pw); n < minPassword || n > maxPassword {
		return invalid("password", "must be %d to %d characters", minPassword, maxPassword)
	}
	var upper, lower, digit, special bool
	for _, r := range pw {
		switch {
		case r <= ' ' || r > '~':
			return invalid("password", "may contain only printable ASCII characters without spaces")
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			special = true
		}
	}
	if !upper || !lower || !digit || !special {
		return invalid("password", "must contain an upper-case letter, a lower-case letter, a digit and a special character")
	}
	return nil
}

func checkName(name string) error {
	if name == "" {
		return invalid("memberName", "is required")
	}
	if n := utf8.RuneCountInString(name); n < minName || n > maxName {
		return invalid("memberName", "must be %d to %d characters", minName, maxName)
	}
	if hasControl(name) {
		return invalid("memberName", "must not contain control characters")
	}
	return nil
}

func checkHandle(h string) error {
	if h == "" {
		return invalid("handle", "is required")
	}
	if !handlePattern.MatchString(h) {
		return invalid("handle", "must be 3 to 50 letters, digits or underscores")
	}
	return nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' })
}

// optionalText trims *v, turns a blank value into nil and checks its length.
func optionalText(field string, v **string, limit int) error {
	if *v == nil {
		return nil
	}
	t := strings.TrimSpace(**v)
	if t == "" {
		*v = nil
		return nil
	}
	*v = &t
	return textLimit(field, t, limit)
}

func textLimit(field, s string, limit int) error {
	if utf8.RuneCountInString(s) > limit {
		return invalid(field, "must be at most %d characters", limit)
	}
	if field != "bio" && hasControl(s) {
		return invalid(field, "must not contain control characters")
	}
	return nil
}

func checkWebsite(v **string) error {
	if err := optionalText("websiteUrl", v, maxWebsiteURL); err != nil || *v == nil {
		return err
	}
	return checkURL(**v)
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("websiteUrl", "must be an http or https URL")
	}
	return nil
}

func checkBirthDate(v **string, today time.Time) error {
	if err := optionalText("birthDate", v, 10); err != nil || *v == nil {
		return err
	}
	return checkDate(**v, today)
}

func checkDate(s string, today time.Time) error {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return invalid("birthDate", "must be a date as yyyy-MM-dd")
	}
	y, m, day := today.Date()
	if !d.Before(time.Date(y, m, day, 0, 0, 0, 0, time.UTC)) || d.Year() < 1900 {
		return invalid("birthDate", "must be a past date after 1900")
	}
	return nil
}

func checkTimezone(v *string) error {
	if *v == "" {
		*v = "UTC"
		return nil
	}
	if len(*v) > maxTimezone || *v == "Local" {
		return invalid("timezone", "must be an IANA time zone such as Asia/Seoul")
	}
	if _, err := time.LoadLocation(*v); err != nil {
		return invalid("timezone", "must be an IANA time zone such as Asia/Seoul")
	}
	return nil
}

func checkLanguage(v *string) error {
	if *v == "" {
		*v = "en"
		return nil
	}
	if len(*v) < 2 || len(*v) > 5 || !langPattern.MatchString(*v) {
		return invalid("languageCode", "must be a language code of 2 to 5 characters such as en or ko")
	}
	return nil
}

// required checks a mandatory enum value, upper-casing it.
func required(field string, v *string, values []string) error {
	if *v == "" {
		return invalid(field, "is required (one of %s)", strings.Join(values, ", "))
	}
	return enumDefault(field, v, values, "")
}

// enumDefault upper-cases an enum value, defaulting an empty one to def.
func enumDefault(field string, v *string, values []string, def string) error {
	if *v == "" && def != "" {
		*v = def
		return nil
	}
	up := strings.ToUpper(*v)
	if !slices.Contains(values, up) {
		return invalid(field, "must be one of %s", strings.Join(values, ", "))
	}
	*v = up
	return nil
}
