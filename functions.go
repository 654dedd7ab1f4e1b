package dailyfeed

import (
	"time"

	changehandle "github.com/dailyfeed/dailyfeed/functions/change-handle"
	createcomment "github.com/dailyfeed/dailyfeed/functions/create-comment"
	createpost "github.com/dailyfeed/dailyfeed/functions/create-post"
	createreply "github.com/dailyfeed/dailyfeed/functions/create-reply"
	deactivatemember "github.com/dailyfeed/dailyfeed/functions/deactivate-member"
	deletecomment "github.com/dailyfeed/dailyfeed/functions/delete-comment"
	deleteimages "github.com/dailyfeed/dailyfeed/functions/delete-images"
	deletepost "github.com/dailyfeed/dailyfeed/functions/delete-post"
	followmember "github.com/dailyfeed/dailyfeed/functions/follow-member"
	getme "github.com/dailyfeed/dailyfeed/functions/get-me"
	getprofile "github.com/dailyfeed/dailyfeed/functions/get-profile"
	getsummary "github.com/dailyfeed/dailyfeed/functions/get-summary"
	"github.com/dailyfeed/dailyfeed/functions/jwks"
	likecomment "github.com/dailyfeed/dailyfeed/functions/like-comment"
	likepost "github.com/dailyfeed/dailyfeed/functions/like-post"
	"github.com/dailyfeed/dailyfeed/functions/login"
	"github.com/dailyfeed/dailyfeed/functions/logout"
	logoutall "github.com/dailyfeed/dailyfeed/functions/logout-all"
	querymembers "github.com/dailyfeed/dailyfeed/functions/query-members"
	refreshtoken "github.com/dailyfeed/dailyfeed/functions/refresh-token"
	relayoutbox "github.com/dailyfeed/dailyfeed/functions/relay-outbox"
	rotatekeys "github.com/dailyfeed/dailyfeed/functions/rotate-keys"
	"github.com/dailyfeed/dailyfeed/functions/signup"
	unfollowmember "github.com/dailyfeed/dailyfeed/functions/unfollow-member"
	unlikecomment "github.com/dailyfeed/dailyfeed/functions/unlike-comment"
	unlikepost "github.com/dailyfeed/dailyfeed/functions/unlike-post"
	updatecomment "github.com/dailyfeed/dailyfeed/functions/update-comment"
	updatepost "github.com/dailyfeed/dailyfeed/functions/update-post"
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
	"create-post":       func() Instance { return createpost.New() },
	"update-post":       func() Instance { return updatepost.New() },
	"delete-post":       func() Instance { return deletepost.New() },
	"like-post":         func() Instance { return likepost.New() },
	"unlike-post":       func() Instance { return unlikepost.New() },
	"create-comment":    func() Instance { return createcomment.New() },
	"create-reply":      func() Instance { return createreply.New() },
	"update-comment":    func() Instance { return updatecomment.New() },
	"delete-comment":    func() Instance { return deletecomment.New() },
	"like-comment":      func() Instance { return likecomment.New() },
	"unlike-comment":    func() Instance { return unlikecomment.New() },
	"follow-member":     func() Instance { return followmember.New() },
	"unfollow-member":   func() Instance { return unfollowmember.New() },
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
