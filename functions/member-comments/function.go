// Package membercomments is the member-comments function: GET
// /api/timeline/comments (the caller's comments, a token required) and GET
// /api/timeline/members/{memberId}/comments (anyone's), newest first.
package membercomments

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the member-comments function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("member-comments", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate: required for "my comments", optional for a member's.
	p, known, err := fn.OptionalAuthenticate(w, r, s.Stack)
	own := r.PathValue("memberId") == ""
	if err == nil && own && !known {
		_, err = fn.Authenticate(w, r, s.Stack)
	}
	if err != nil {
		return nil, err
	}
	// Whose comments.
	in := fn.Read(w, r)
	author := p.MemberID
	if !own {
		author = in.PathID("memberId")
	}
	// Page by page/size or cursor.
	q := in.Timeline(20)
	if err := in.Err(); err != nil {
		return nil, err
	}
	// Read the comments (404 for an unknown member).
	return s.Reads().MemberComments(r.Context(), p.MemberID, author, q)
}
