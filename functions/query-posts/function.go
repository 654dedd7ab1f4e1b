// Package queryposts is the query-posts function: POST
// /api/timeline/posts/query/list, {ids} (at most 1000) → the live posts
// among them, in the order of ids.
package queryposts

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the query-posts function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("query-posts", stack.Postgres|stack.Redis, handle)}
}

// Request is {ids}: numbers or numeric strings.
type Request struct {
	IDs []content.ID `json:"ids"`
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode {ids}.
	var in Request
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	ids := make([]int64, len(in.IDs))
	for i, id := range in.IDs {
		ids[i] = int64(id)
	}
	// Validate and read the posts in one query.
	return s.Reads().QueryPosts(r.Context(), p.MemberID, ids)
}
