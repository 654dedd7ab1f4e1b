// Package postcomments is the post-comments function: GET /api/timeline/posts/{postId}/comments.
// A post's top-level comments, oldest first.
package postcomments

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the post-comments function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("post-comments", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
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
	// Page by page/size or cursor.
	q, err := fn.TimelineRequest(r, 20)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Read the comments (404 for a missing post).
	out, err := s.Reads().PostComments(r.Context(), p.MemberID, id, q)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.OK(w, out)
}
