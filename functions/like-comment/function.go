// Package likecomment is the like-comment function: POST /api/comments/{commentId}/like.
package likecomment

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the like-comment function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("like-comment", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the like is theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which comment.
	id, err := web.PathID(r, "commentId")
	if err != nil {
		return nil, err
	}
	// Record the like (409 twice) with its LIKE_COMMENT event, and answer the new
	// like count.
	return s.Content().LikeComment(r.Context(), p.MemberID, id)
}
