// Package getpost is the get-post function: GET /api/timeline/posts/{postId}.
// One post. A member's read commits a POST_READ event through the outbox;
// update-stats counts it as a view when the reader is not the author.
package getpost

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the get-post function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("get-post", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which post.
	id, err := web.PathID(r, "postId")
	if err != nil {
		return nil, err
	}
	// Read the post and emit POST_READ.
	return s.Reads().GetPost(r.Context(), p.MemberID, id)
}
