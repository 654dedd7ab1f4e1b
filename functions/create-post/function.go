// Package createpost is the create-post function: POST /api/posts.
package createpost

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the create-post function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("create-post", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the post will be theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode {title, content}.
	var in content.NewPost
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Validate, then insert the post with its POST_CREATE event.
	post, err := s.Content().CreatePost(r.Context(), p.MemberID, in)
	if err != nil {
		return nil, err
	}
	return web.Created(post), nil
}
