// Package route is the single source of dailyfeed's functions and routes:
// which function serves which method and path, its kind (HTTP, CloudEvent
// sink or scheduled job) and its scaling group. The all-in-one server, the
// per-function deployments, the Knative manifests, the Istio routes and the
// API docs are all derived from Functions.
package route

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Kind says what a function serves. Both kinds are deployed with func's
// `invoke: http` (internal/manifest: a CloudEvent function serves its
// events over HTTP itself, fn.Receiver).
type Kind string

const (
	HTTP       Kind = "http"       // serves routes of the public API
	CloudEvent Kind = "cloudevent" // a sink fed by a KafkaSource or a PingSource
)

// Group is a scaling group: functions of one group share scale bounds, so
// heavy reads scale out apart from writes (the original's replication groups).
type Group string

const (
	Member   Group = "member"   // sign up, log in, profiles
	Write    Group = "write"    // posts, comments, likes, follows
	Read     Group = "read"     // timelines and statistics
	Image    Group = "image"    // image upload and view
	Search   Group = "search"   // full-text search
	Activity Group = "activity" // activity log reads
	Sink     Group = "sink"     // event sinks behind KafkaSources
	Job      Group = "job"      // scheduled functions behind PingSources
)

// Scale is the autoscaling bounds of a group.
type Scale struct {
	Min, Max int
}

// Scales holds each group's bounds: every group scales to zero when idle;
// the maxima follow the original's replica counts, reads widest.
var Scales = map[Group]Scale{
	Member:   {0, 2},
	Write:    {0, 3},
	Read:     {0, 7},
	Image:    {0, 5},
	Search:   {0, 3},
	Activity: {0, 3},
	Sink:     {0, 3},
	Job:      {0, 1},
}

// Route is one method and path pattern. Path segments written {name} match
// any one segment and are available as r.PathValue(name).
type Route struct {
	Method string
	Path   string
	// Access is who may call the route; every public route declares it
	// (CheckAccess), and the authorization matrix test holds each route to
	// it for every kind of caller.
	Access Access
	// Privacy says what members' privacy levels hide from the caller on a
	// read of other members' data ("" where no other member's data is read).
	Privacy string
}

// Access is who may call a route.
type Access string

const (
	// Public: anyone. The Authorization header is not read: the credentials,
	// if any, are in the body (login) or the refresh cookie (refresh).
	Public Access = "public"
	// Optional: anyone; a token that is sent must be valid (401 otherwise)
	// and makes the answer the caller's (liked flags, views not counted for
	// the author).
	Optional Access = "optional"
	// AnyMember: a valid access token. The route acts on the caller's own data
	// (profile, session, own images) or does what any member may do to
	// another's (like, comment, follow).
	AnyMember Access = "member"
	// Owner: a valid access token of the owner of the addressed resource
	// (the author of the post or comment); any other member gets 403
	// FORBIDDEN and the resource does not change.
	Owner Access = "owner"
)

// Accesses are the declared access levels.
var Accesses = []Access{Public, Optional, AnyMember, Owner}

// CheckAccess returns an error naming every route of fns without a
// declared access (or with an unknown one).
func CheckAccess(fns ...Function) error {
	var errs []error
	for _, f := range fns {
		for _, r := range f.Routes {
			if !slices.Contains(Accesses, r.Access) {
				errs = append(errs, fmt.Errorf("%s %s (%s): access %q is not one of %v", r.Method, r.Path, f.Name, r.Access, Accesses))
			}
		}
	}
	return errors.Join(errs...)
}

// Function is one deployable operation.
type Function struct {
	Name   string
	Kind   Kind
	Group  Group
	Routes []Route
	// Schedule is the cron schedule of a Job function.
	Schedule string
	// TimeoutSeconds overrides the default request timeout.
	TimeoutSeconds int
	// Topics are the base names of the dated topics a Sink's KafkaSource
	// reads ({base}-yyyyMMdd); empty means member-activity.
	Topics []string
	// Topic is one undated topic a Sink's KafkaSource reads instead of
	// dated ones: a topic an outside producer writes (the object store's
	// bucket notifications), which rotate-topics leaves alone.
	Topic string
	// DeadLetter marks the sink of undeliverable events (store-dead-letter):
	// it gets no KafkaSource of its own, and every other sink's KafkaSource
	// sends what it could not deliver there (delivery.deadLetterSink).
	DeadLetter bool
}

// Functions is every function of dailyfeed, in the order of docs/api.md.
var Functions = slices.Concat(members, content, timeline, images, search, activity, jobs)

// Lookup returns the function called name.
func Lookup(name string) (Function, bool) {
	i := slices.IndexFunc(Functions, func(f Function) bool { return f.Name == name })
	if i < 0 {
		return Function{}, false
	}
	return Functions[i], true
}

func get(path string) Route  { return Route{Method: "GET", Path: path} }
func post(path string) Route { return Route{Method: "POST", Path: path} }
func put(path string) Route  { return Route{Method: "PUT", Path: path} }
func del(path string) Route  { return Route{Method: "DELETE", Path: path} }

// as declares who may call the route.
func (r Route) as(a Access) Route { r.Access = a; return r }

// hides notes what privacy levels hide on the route.
func (r Route) hides(note string) Route { r.Privacy = note; return r }

// segments splits a path into its segments, without empty ones.
func segments(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
}
