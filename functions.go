package dailyfeed

import (
	"time"

	changehandle "github.com/dailyfeed/dailyfeed/functions/change-handle"
	deactivatemember "github.com/dailyfeed/dailyfeed/functions/deactivate-member"
	deleteimages "github.com/dailyfeed/dailyfeed/functions/delete-images"
	getme "github.com/dailyfeed/dailyfeed/functions/get-me"
	getprofile "github.com/dailyfeed/dailyfeed/functions/get-profile"
	getsummary "github.com/dailyfeed/dailyfeed/functions/get-summary"
	"github.com/dailyfeed/dailyfeed/functions/jwks"
	"github.com/dailyfeed/dailyfeed/functions/login"
	"github.com/dailyfeed/dailyfeed/functions/logout"
	logoutall "github.com/dailyfeed/dailyfeed/functions/logout-all"
	querymembers "github.com/dailyfeed/dailyfeed/functions/query-members"
	refreshtoken "github.com/dailyfeed/dailyfeed/functions/refresh-token"
	relayoutbox "github.com/dailyfeed/dailyfeed/functions/relay-outbox"
	rotatekeys "github.com/dailyfeed/dailyfeed/functions/rotate-keys"
	"github.com/dailyfeed/dailyfeed/functions/signup"
	updateprofile "github.com/dailyfeed/dailyfeed/functions/update-profile"
	uploadimage "github.com/dailyfeed/dailyfeed/functions/upload-image"
	viewimage "github.com/dailyfeed/dailyfeed/functions/view-image"
)

// httpFunctions has the constructor of every HTTP function of the route
// table; a test checks that the two agree.
var httpFunctions = map[string]func() Instance{
	"signup":            func() Instance { return signup.New() },
	"login":             func() Instance { return login.New() },
	"logout":            func() Instance { return logout.New() },
	"logout-all":        func() Instance { return logoutall.New() },
	"refresh-token":     func() Instance { return refreshtoken.New() },
	"deactivate-member": func() Instance { return deactivatemember.New() },
	"jwks":              func() Instance { return jwks.New() },
	"get-me":            func() Instance { return getme.New() },
	"get-summary":       func() Instance { return getsummary.New() },
	"get-profile":       func() Instance { return getprofile.New() },
	"update-profile":    func() Instance { return updateprofile.New() },
	"change-handle":     func() Instance { return changehandle.New() },
	"query-members":     func() Instance { return querymembers.New() },
	"upload-image":      func() Instance { return uploadimage.New() },
	"view-image":        func() Instance { return viewimage.New() },
	"delete-images":     func() Instance { return deleteimages.New() },
}

// localJobs are the scheduled functions the local runner runs in-process.
// Knative runs them from PingSources on their route-table schedules; locally
// they run more often so a demo sees their effect quickly.
var localJobs = []job{
	{name: "rotate-keys", every: 10 * time.Minute, run: rotatekeys.Run},
	{name: "relay-outbox", every: 5 * time.Second, run: relayoutbox.Run},
}
