// Package querymembers is the query-members function:
// POST /api/members/query/in.
package querymembers

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the query-members function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("query-members", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode {ids}.
	var in member.Query
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Read the summaries of the active members among them, in one query
	// (cards of those whose privacy level hides them from the caller).
	return s.Members().Query(r.Context(), p.MemberID, in)
}
