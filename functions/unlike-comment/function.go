// Package unlikecomment is the unlike-comment function: DELETE /api/comments/{commentId}/like.
package unlikecomment

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the unlike-comment function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("unlike-comment", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: only their own like is cancelled.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which comment.
	id, err := web.PathID(r, "commentId")
	if err != nil {
		return nil, err
	}
	// Cancel the like (404 when there is none) with its
	// LIKE_COMMENT_CANCEL event, and answer the new like count.
	return s.Content().UnlikeComment(r.Context(), p.MemberID, id)
}
