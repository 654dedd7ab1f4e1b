// Package createreply is the create-reply function: POST /api/comments/replies.
package createreply

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the create-reply function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("create-reply", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the reply will be theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode {postId, parentId, content}.
	var in content.NewReply
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Validate, then insert the reply (three levels at most, on the
	// parent's post) with its COMMENT_CREATE event.
	c, err := s.Content().CreateReply(r.Context(), p.MemberID, in)
	if err != nil {
		return nil, err
	}
	return web.Created(c), nil
}
