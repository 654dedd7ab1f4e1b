// Package searchcomments is the search-comments function: GET /api/search/comments?keyword=…
// (page, size): ranked substring and whole-word search over comments, Korean
// and English (internal/search).
package searchcomments

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the search-comments function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("search-comments", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: liked is theirs, and a search is the
	// costliest read, so it is tied to a member.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Validate the keyword (2–100 characters) and the page.
	kw, page, err := fn.SearchRequest(r)
	if err != nil {
		return nil, err
	}
	// Rank the matches and read the page's comments with their snippets.
	return s.Search().Comments(r.Context(), p.MemberID, kw, page)
}
