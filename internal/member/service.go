package member

import (
	"context"
	"strings"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/ratelimit"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Service is the member operations over a stack: what each function's
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

// NewService returns the service over s's connections and clock.
func NewService(s *stack.Stack) *Service {
	return &Service{
		Store: Store{DB: s.DB},
		Auth:  &auth.Service{DB: s.DB, Verifier: s.Auth, Config: s.Config, Now: s.Now},
		Now:   s.Now,
		LoginAttempts: ratelimit.Attempts{
			Redis: s.Redis, DB: s.DB, Prefix: s.Config.RedisPrefix + "auth:login-attempts:",
			Max: MaxLoginFailures, Window: LoginFailureWindow, Now: s.Now,
			Refused: s.Observe().LoginRefused, Fallback: s.Observe().Fallback,
		},
	}
}

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

// Profile returns the profile of the member ref as seen by viewer (the
// e-mail only in one's own profile).
func (s *Service) Profile(ctx context.Context, viewer int64, ref Ref) (Profile, error) {
	m, err := s.Store.ByRef(ctx, ref)
	if err != nil {
		return Profile{}, err
	}
	return ProfileOf(m, m.ID == viewer), nil
}

// Summary returns the summary of the member id.
func (s *Service) Summary(ctx context.Context, id int64) (Summary, error) {
	m, err := s.Store.ByID(ctx, id)
	if err != nil {
		return Summary{}, err
	}
	return SummaryOf(m), nil
}

// UpdateProfile validates in and applies it to the member's profile.
func (s *Service) UpdateProfile(ctx context.Context, id int64, in ProfileUpdate) (Profile, error) {
	now := s.Now()
	if err := in.Validate(now); err != nil {
		return Profile{}, err
	}
	m, err := s.Store.Update(ctx, id, in, now)
	if err != nil {
		return Profile{}, err
	}
	return ProfileOf(m, true), nil
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

// Query returns the summaries of the active members among in.IDs.
func (s *Service) Query(ctx context.Context, in Query) ([]Summary, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.Store.Summaries(ctx, in.IDs)
}
