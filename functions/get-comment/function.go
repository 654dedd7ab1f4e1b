// Package getcomment is the get-comment function: GET /api/timeline/comments/{commentId}.
// One comment. A read by another member than its author commits a COMMENT_READ event through the outbox.
package getcomment

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the get-comment function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("get-comment", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which comment.
	id, err := web.PathID(r, "commentId")
	if err != nil {
		return nil, err
	}
	// Read the comment and emit COMMENT_READ.
	return s.Reads().GetComment(r.Context(), p.MemberID, id)
}
