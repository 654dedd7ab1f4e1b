// Package jwks is the jwks function: GET /.well-known/jwks.json, the public
// keys every function verifies access tokens against.
package jwks

import (
	"encoding/json"
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the jwks function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("jwks", stack.Postgres, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Read the keys that verify tokens now (the primary first; retired keys
	// are not published).
	keys, err := s.Tokens().Keys().PublicKeys(r.Context(), s.Now())
	if err != nil {
		return nil, err
	}
	// Answer a bare RFC 7517 key set (not the API envelope) so any JWT
	// library can use it; caches may keep it briefly.
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_ = json.NewEncoder(w).Encode(auth.JWKSOf(keys))
	return fn.Written, nil
}
