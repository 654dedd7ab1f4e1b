// Package changehandle is the change-handle function:
// PUT /api/members/profile/handle.
package changehandle

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the change-handle function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("change-handle", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode {newHandle}.
	var in member.HandleChange
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Validate and set it (409 HANDLE_ALREADY_EXISTS when taken).
	return s.Members().ChangeHandle(r.Context(), p.MemberID, in)
}
