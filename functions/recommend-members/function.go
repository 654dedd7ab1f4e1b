// Package recommendmembers is the recommend-members function: GET
// /api/members/follow/recommend/newbie (and .../newbie/more): active
// members the caller does not follow, newest first, the caller excluded.
package recommendmembers

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/follow"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the recommend-members function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("recommend-members", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: recommendations are theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Page by page/size.
	q, err := web.PageOf(r, 10)
	if err != nil {
		return nil, err
	}
	// Read the newest members the caller does not follow.
	return follow.Lists{DB: s.DB}.Recommend(r.Context(), p.MemberID, q)
}
