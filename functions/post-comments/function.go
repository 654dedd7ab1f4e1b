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
type Function struct{ fn.Base }

// New returns the function; it does no I/O.
func New() *Function {
	return &Function{Base: fn.New("post-comments", stack.Postgres|stack.Redis)}
}

// Handle serves the function's routes (fn.Base matches them and sets path values).
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, handle) }

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
