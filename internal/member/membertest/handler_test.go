package membertest_test

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// handler serves every member and authentication route over s. It is
// built here, in the tests, so the kit itself imports no function.
func handler(s *stack.Stack) http.Handler {
	return contenttest.Serve(s, dailyfeed.Functions(), "signup", "login", "logout", "logout-all", "refresh-token",
		"deactivate-member", "jwks", "get-me", "get-summary", "get-profile", "update-profile", "change-handle",
		"query-members")
}
