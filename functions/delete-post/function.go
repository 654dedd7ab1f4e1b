// Package deletepost is the delete-post function: DELETE /api/posts/{postId}.
package deletepost

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the delete-post function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("delete-post", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: only the author deletes a post.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which post.
	id, err := web.PathID(r, "postId")
	if err != nil {
		return nil, err
	}
	// Soft-delete it and its comments if it is the caller's (403
	// otherwise), with its POST_DELETE event.
	return s.Content().DeletePost(r.Context(), p.MemberID, id)
}
