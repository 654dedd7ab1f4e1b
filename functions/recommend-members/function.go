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
type Function struct{ fn.Base }

// New returns the function; it does no I/O.
func New() *Function {
	return &Function{Base: fn.New("recommend-members", stack.Postgres|stack.Redis)}
}

// Handle serves the function's routes (fn.Base matches them and sets path values).
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, handle) }

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller: recommendations are theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Page by page/size.
	q, err := web.PageOf(r, 10)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Read the newest members the caller does not follow.
	out, err := follow.Lists{DB: s.DB}.Recommend(r.Context(), p.MemberID, q)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.OK(w, out)
}
