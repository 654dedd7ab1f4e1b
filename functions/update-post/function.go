// Package updatepost is the update-post function: PUT /api/posts/{postId}.
package updatepost

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the update-post function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("update-post", stack.Postgres|stack.Redis|stack.Kafka, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: only the author changes a post.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which post, and the change {title, content} (absent fields stay).
	req := fn.Read(w, r)
	id := req.PathID("postId")
	var in content.PostUpdate
	req.Decode(&in)
	if err := req.Err(); err != nil {
		return nil, err
	}
	// Validate, then update it if it is the caller's (403 otherwise), with
	// its POST_UPDATE event.
	return s.Content().UpdatePost(r.Context(), p.MemberID, id, in)
}
