// Package createcomment is the create-comment function: POST /api/comments.
package createcomment

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the create-comment function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("create-comment", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the comment will be theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode {postId, content}.
	var in content.NewComment
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Validate, then insert the comment with its COMMENT_CREATE event.
	c, err := s.Content().CreateComment(r.Context(), p.MemberID, in)
	if err != nil {
		return nil, err
	}
	return web.Created(c), nil
}
