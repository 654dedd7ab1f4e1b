// Package getme is the get-me function: GET /api/members.
package getme

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the get-me function.
type Function struct{ fn.Base }

// New returns the function; it does no I/O.
func New() *Function { return &Function{Base: fn.New("get-me", stack.Postgres|stack.Redis)} }

// Handle serves the function's routes (fn.Base matches them and sets path values).
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, handle) }

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Read its id and name.
	me, err := s.Members().Me(r.Context(), p.MemberID)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.OK(w, me)
}
