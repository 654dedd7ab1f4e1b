// Package likepost is the like-post function: POST /api/posts/{postId}/like.
package likepost

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the like-post function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("like-post", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the like is theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which post.
	id, err := web.PathID(r, "postId")
	if err != nil {
		return nil, err
	}
	// Record the like (409 twice) with its LIKE_POST event, and answer the new
	// like count.
	return s.Content().LikePost(r.Context(), p.MemberID, id)
}
