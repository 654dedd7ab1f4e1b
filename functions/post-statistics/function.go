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
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("post-statistics", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (statistics are as
	// public as the post).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which post.
	id, err := web.PathID(r, "postId")
	if err != nil {
		return nil, err
	}
	// Read the counts (404 when the author's privacy level hides the post
	// from the caller).
	return s.Reads().PostStatistics(r.Context(), p.MemberID, id)
}
