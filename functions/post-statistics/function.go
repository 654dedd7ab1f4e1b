// Package poststatistics is the post-statistics function: GET /api/timeline/statistics/posts/{postId}.
// A post's true counts.
package poststatistics

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the post-statistics function.
type Function struct{ fn.Base }

// New returns the function; it does no I/O.
func New() *Function {
	return &Function{Base: fn.New("post-statistics", stack.Postgres|stack.Redis)}
}

// Handle serves the function's routes (fn.Base matches them and sets path values).
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, handle) }

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller if there is a token (statistics are as
	// public as the post).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Which post.
	id, err := web.PathID(r, "postId")
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Read the counts (404 when the author's privacy level hides the post
	// from the caller).
	out, err := s.Reads().PostStatistics(r.Context(), p.MemberID, id)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.OK(w, out)
}
