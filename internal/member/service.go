package member

import (
	"context"
	"strings"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/ratelimit"
)

// Service is the member operations: what each function's
// Handle calls once.
type Service struct {
	Store Store
	Auth  *auth.Service
	Now   func() time.Time
	// LoginAttempts guards login against password guessing: at most
	// MaxLoginFailures password checks for one e-mail within the window
	// (a success frees them); past that, that e-mail's logins are 429
	// until the window ends.
	LoginAttempts ratelimit.Attempts
}

// Login guard: 10 checked attempts per e-mail within 15 minutes.
const (
	MaxLoginFailures   = 10
	LoginFailureWindow = 15 * time.Minute
)

// Signup validates in, hashes the password and creates the member; it
// answers the member's own profile.
func (s *Service) Signup(ctx context.Context, in Signup) (Profile, error) {
	now := s.Now()
	if err := in.Validate(now); err != nil {
		return Profile{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return Profile{}, err
	}
	m, err := s.Store.Create(ctx, in, hash, now)
	if err != nil {
		return Profile{}, err
	}
	return ProfileOf(m, true), nil
}

// Credentials is the login request.
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Login checks the credentials and opens a session: the login data (the
// member's own profile with the access token) and the session whose
// tokens the transport sets as header and cookie.
func (s *Service) Login(ctx context.Context, in Credentials) (Login, auth.Session, error) {
	if in.Email == "" {
		return Login{}, auth.Session{}, invalid("email", "is required")
	}
	if in.Password == "" {
		return Login{}, auth.Session{}, invalid("password", "is required")
	}
	// The attempt takes its slot before the password is checked, so
	// parallel guesses cannot all pass a count read before any was
	// recorded; a failed attempt keeps its slot, a success frees them.
	key := strings.ToLower(strings.TrimSpace(in.Email))
	slot, err := s.LoginAttempts.Reserve(ctx, key)
	if err != nil {
		return Login{}, auth.Session{}, err
	}
	sess, err := s.Auth.Login(ctx, in.Email, in.Password)
	if err != nil {
		return Login{}, auth.Session{}, err
	}
	slot.Succeeded(ctx)
	m, err := s.Store.ByID(ctx, sess.MemberID)
	if err != nil {
		return Login{}, auth.Session{}, err
	}
	return Login{
		Profile:     ProfileOf(m, true),
		AccessToken: sess.Access.Token,
		TokenType:   "Bearer",
		ExpiresIn:   sess.Access.ExpiresIn(s.Now()),
	}, sess, nil
}

// Me returns the id and name of the member.
func (s *Service) Me(ctx context.Context, id int64) (Me, error) {
	m, err := s.Store.ByID(ctx, id)
	if err != nil {
		return Me{}, err
	}
	return Me{ID: m.ID, Name: m.Name}, nil
}

// Profile returns the profile of the member ref as seen by viewer (0:
// anonymous): the e-mail only in one's own profile, the card only when the
// member's privacy level hides it from viewer.
func (s *Service) Profile(ctx context.Context, viewer int64, ref Ref) (Profile, error) {
	m, err := s.Store.ByRef(ctx, ref)
	if err != nil {
		return Profile{}, err
	}
	sees, err := s.Store.Sees(ctx, viewer, m)
	if err != nil {
		return Profile{}, err
	}
	if !sees {
		return ProfileOf(m, false).Card(), nil
	}
	return ProfileOf(m, m.ID == viewer), nil
}

// Summary returns the summary of the member id as seen by viewer (the
// card only when the member's privacy level hides it from viewer).
func (s *Service) Summary(ctx context.Context, viewer, id int64) (Summary, error) {
	m, err := s.Store.ByID(ctx, id)
	if err != nil {
		return Summary{}, err
	}
	sees, err := s.Store.Sees(ctx, viewer, m)
	if err != nil {
		return Summary{}, err
	}
	if !sees {
		return SummaryOf(m).Card(), nil
	}
	return SummaryOf(m), nil
}

// UpdateProfile validates in and applies it to the member's profile.
func (s *Service) UpdateProfile(ctx context.Context, id int64, in ProfileUpdate) (Profile, error) {
	now := s.Now()
	if err := in.Validate(now); err != nil {
		return Profile{}, err
	}
	if img := in.AvatarImage(); img != "" {
		if err := s.ownAvatar(ctx, id, img); err != nil {
			return Profile{}, err
		}
	}
	m, err := s.Store.Update(ctx, id, in, now)
	if errcode.Is(err, errcode.MemberNotFound) && in.AvatarImage() != "" {
		// The image may have been deleted since the check.
		if err := s.ownAvatar(ctx, id, in.AvatarImage()); err != nil {
			return Profile{}, err
		}
	}
	if err != nil {
		return Profile{}, err
	}
	return ProfileOf(m, true), nil
}

// ownAvatar checks that img, a profile's new avatar, is one of member's
// live images.
func (s *Service) ownAvatar(ctx context.Context, member int64, img string) error {
	ok, err := s.Store.OwnsImage(ctx, member, img)
	if err != nil {
		return err
	}
	if !ok {
		return errcode.New(errcode.ValidationFailed, "avatarUrl: names no image of yours")
	}
	return nil
}

// ChangeHandle validates and sets the member's new handle.
func (s *Service) ChangeHandle(ctx context.Context, id int64, in HandleChange) (Profile, error) {
	if err := in.Validate(); err != nil {
		return Profile{}, err
	}
	m, err := s.Store.ChangeHandle(ctx, id, in.NewHandle, s.Now())
	if err != nil {
		return Profile{}, err
	}
	return ProfileOf(m, true), nil
}

// Query returns the summaries of the active members among in.IDs as
// viewer sees them.
func (s *Service) Query(ctx context.Context, viewer int64, in Query) ([]Summary, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.Store.Summaries(ctx, viewer, in.IDs)
}
