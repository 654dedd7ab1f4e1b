// Package deletecomment is the delete-comment function: DELETE /api/comments/{commentId}.
package deletecomment

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the delete-comment function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("delete-comment", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: only the author deletes a comment.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which comment.
	id, err := web.PathID(r, "commentId")
	if err != nil {
		return nil, err
	}
	// Soft-delete it and every reply under it if it is the caller's (403
	// otherwise), with its COMMENT_DELETE event.
	return s.Content().DeleteComment(r.Context(), p.MemberID, id)
}
