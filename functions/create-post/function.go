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
type Function struct{ fn.Base }

// New returns the function; it does no I/O.
func New() *Function {
	return &Function{Base: fn.New("create-post", stack.Postgres|stack.Redis|stack.Kafka)}
}

// Handle serves the function's route (fn.Base matches it and sets path values).
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, handle) }

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller: the post will be theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Decode {title, content}.
	var in content.NewPost
	if err := web.Decode(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	// Validate, then insert the post with its POST_CREATE event.
	post, err := s.Content().CreatePost(r.Context(), p.MemberID, in)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.Created(w, post)
}
