package membertest_test

import (
	"net/http"

	changehandle "github.com/dailyfeed/dailyfeed/functions/change-handle"
	deactivatemember "github.com/dailyfeed/dailyfeed/functions/deactivate-member"
	getme "github.com/dailyfeed/dailyfeed/functions/get-me"
	getprofile "github.com/dailyfeed/dailyfeed/functions/get-profile"
	getsummary "github.com/dailyfeed/dailyfeed/functions/get-summary"
	"github.com/dailyfeed/dailyfeed/functions/jwks"
	"github.com/dailyfeed/dailyfeed/functions/login"
	"github.com/dailyfeed/dailyfeed/functions/logout"
	logoutall "github.com/dailyfeed/dailyfeed/functions/logout-all"
	querymembers "github.com/dailyfeed/dailyfeed/functions/query-members"
	refreshtoken "github.com/dailyfeed/dailyfeed/functions/refresh-token"
	"github.com/dailyfeed/dailyfeed/functions/signup"
	updateprofile "github.com/dailyfeed/dailyfeed/functions/update-profile"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// handler serves every member and authentication route over s. It is
// built here, in the tests, so the kit itself imports no function.
func handler(s *stack.Stack) http.Handler {
	fns := map[string]fn.Instance{
		"signup": signup.New(), "login": login.New(), "logout": logout.New(),
		"logout-all": logoutall.New(), "refresh-token": refreshtoken.New(),
		"deactivate-member": deactivatemember.New(), "jwks": jwks.New(), "get-me": getme.New(),
		"get-summary": getsummary.New(), "get-profile": getprofile.New(),
		"update-profile": updateprofile.New(), "change-handle": changehandle.New(),
		"query-members": querymembers.New(),
	}
	rt := fn.NewRouter(fns)
	rt.Share(s)
	return rt
}
