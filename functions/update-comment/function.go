// Package updatecomment is the update-comment function: PUT /api/comments/{commentId}.
package updatecomment

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the update-comment function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("update-comment", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: only the author changes a comment.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which comment, and its new {content}.
	req := fn.Read(w, r)
	id := req.PathID("commentId")
	var in content.CommentUpdate
	req.Decode(&in)
	if err := req.Err(); err != nil {
		return nil, err
	}
	// Validate, then update it if it is the caller's (403 otherwise), with
	// its COMMENT_UPDATE event.
	return s.Content().UpdateComment(r.Context(), p.MemberID, id, in)
}
