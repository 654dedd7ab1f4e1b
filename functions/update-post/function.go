// Package updatepost is the update-post function: PUT /api/posts/{postId}.
package updatepost

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the update-post function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("update-post", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller: only the author changes a post.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Which post, and the change {title, content} (absent fields stay).
	id, err := web.PathID(r, "postId")
	if err != nil {
		web.Error(w, r, err)
		return
	}
	var in content.PostUpdate
	if err := web.Decode(w, r, &in); err != nil {
		web.Error(w, r, err)
		return
	}
	// Validate, then update it if it is the caller's (403 otherwise), with
	// its POST_UPDATE event.
	post, err := s.Content().UpdatePost(r.Context(), p.MemberID, id, in)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.OK(w, post)
}
