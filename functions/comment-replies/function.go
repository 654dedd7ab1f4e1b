// Package commentreplies is the comment-replies function: GET /api/timeline/comments/{commentId}/replies.
// A comment's direct replies, oldest first.
package commentreplies

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the comment-replies function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("comment-replies", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which comment.
	in := fn.Read(w, r)
	id := in.PathID("commentId")
	// Page by page/size or cursor.
	q := in.Timeline(20)
	if err := in.Err(); err != nil {
		return nil, err
	}
	// Read the replies (404 for a missing comment).
	return s.Reads().Replies(r.Context(), p.MemberID, id, q)
}
