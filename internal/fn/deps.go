package fn

import (
	"time"

	"github.com/dailyfeed/dailyfeed/internal/activity"
	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/follow"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/outbox/emit"
	"github.com/dailyfeed/dailyfeed/internal/ranking"
	"github.com/dailyfeed/dailyfeed/internal/ratelimit"
	"github.com/dailyfeed/dailyfeed/internal/search"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// Deps is what a function's handler works with: the connections and the
// configuration the function holds (its stack), and the domain services
// wired from them. This is the one place that knows both: the domain
// packages take narrow parts (a pool, a Redis client, the outbox, a
// config value, a clock) and never see the stack, and every event a
// service emits names this function as its CloudEvent source.
//
// A service is a few plain fields over the stack's clients, with no I/O
// and no state of its own (but the search's window bounds, kept a few
// seconds), so it is made when a handler asks for it: what a test swaps on
// the stack (Redis down, a clock) reaches the next call.
type Deps struct {
	*stack.Stack
	// Source is the function's name, the source of its events.
	Source string
	// searchBounds is the one piece of state a service keeps between
	// requests: the bounds of the search windows, for a few seconds.
	searchBounds *search.Bounds
}

// NewDeps returns the dependencies of the function called source over s.
func NewDeps(s *stack.Stack, source string) *Deps {
	return &Deps{Stack: s, Source: source, searchBounds: &search.Bounds{}}
}

// now is the stack's clock as it is when called (tests replace it).
func (d *Deps) now() time.Time { return d.Now() }

// Writer is the event-emitting writer over the pool and the outbox.
func (d *Deps) Writer() emit.Writer {
	return emit.Writer{DB: d.DB, Outbox: d.Outbox, Zone: d.Config.TopicTimeZone, Source: d.Source}
}

// Content is the posts, comments and likes service.
func (d *Deps) Content() *content.Service {
	return &content.Service{Store: content.Store{DB: d.DB}, Writer: d.Writer(), Now: d.now}
}

// Follows is the follow writes.
func (d *Deps) Follows() *follow.Service {
	return &follow.Service{DB: d.DB, Writer: d.Writer(), Now: d.now}
}

// Feeds is the timelines, with the options of the configuration.
func (d *Deps) Feeds() *timeline.Feeds {
	return &timeline.Feeds{DB: d.DB, Redis: d.Redis, Prefix: d.Config.RedisPrefix, Options: timeline.OptionsFrom(d.Config)}
}

// Reads is the post and comment reads (they emit read events).
func (d *Deps) Reads() *timeline.Reads {
	return &timeline.Reads{DB: d.DB, Writer: d.Writer(), Now: d.now}
}

// Rankings is the update-stats sink and the ranking reads; processed
// event ids are kept a day past the topics' retention.
func (d *Deps) Rankings() *ranking.Rankings {
	return &ranking.Rankings{DB: d.DB, Redis: d.Redis, Prefix: d.Config.RedisPrefix, Retention: d.Config.TopicRetention + 24*time.Hour}
}

// Tokens is the token service (login, refresh, logout, key rotation).
func (d *Deps) Tokens() *auth.Service {
	return &auth.Service{DB: d.DB, Verifier: d.Stack.Auth, Config: d.Config, Now: d.now}
}

// Members is the member service with its login guard.
func (d *Deps) Members() *member.Service {
	return &member.Service{
		Store: member.Store{DB: d.DB},
		Auth:  d.Tokens(),
		Now:   d.now,
		LoginAttempts: ratelimit.Attempts{
			Redis: d.Redis, DB: d.DB, Prefix: d.Config.RedisPrefix + "auth:login-attempts:",
			Max: member.MaxLoginFailures, Window: member.LoginFailureWindow, Now: d.now,
			Refused: d.Observe().LoginRefused, Fallback: d.Observe().Fallback,
		},
	}
}

// Images is the image service with opts (zero fields take their defaults).
func (d *Deps) Images(opts image.Options) *image.Service {
	svc := image.NewService(d.DB, d.Store, opts, d.now)
	svc.Processed = d.Observe().ImageProcessed
	return svc
}

// Search is the post and comment search.
func (d *Deps) Search() search.Service { return search.Service{DB: d.DB, Bounds: d.searchBounds} }

// Activity is the activity log's recorder.
func (d *Deps) Activity() activity.Recorder {
	return activity.Recorder{DB: d.DB, Redis: d.Redis, Prefix: d.Config.RedisPrefix, Now: d.now}
}
