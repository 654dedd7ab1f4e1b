package dailyfeed

import (
	"time"

	activityfeed "github.com/dailyfeed/dailyfeed/functions/activity-feed"
	authorposts "github.com/dailyfeed/dailyfeed/functions/author-posts"
	changehandle "github.com/dailyfeed/dailyfeed/functions/change-handle"
	commentreplies "github.com/dailyfeed/dailyfeed/functions/comment-replies"
	createcomment "github.com/dailyfeed/dailyfeed/functions/create-comment"
	createpost "github.com/dailyfeed/dailyfeed/functions/create-post"
	createreply "github.com/dailyfeed/dailyfeed/functions/create-reply"
	deactivatemember "github.com/dailyfeed/dailyfeed/functions/deactivate-member"
	deletecomment "github.com/dailyfeed/dailyfeed/functions/delete-comment"
	deleteimages "github.com/dailyfeed/dailyfeed/functions/delete-images"
	deletepost "github.com/dailyfeed/dailyfeed/functions/delete-post"
	fanoutfeed "github.com/dailyfeed/dailyfeed/functions/fanout-feed"
	followfeed "github.com/dailyfeed/dailyfeed/functions/follow-feed"
	followmember "github.com/dailyfeed/dailyfeed/functions/follow-member"
	getcomment "github.com/dailyfeed/dailyfeed/functions/get-comment"
	getme "github.com/dailyfeed/dailyfeed/functions/get-me"
	getpost "github.com/dailyfeed/dailyfeed/functions/get-post"
	getprofile "github.com/dailyfeed/dailyfeed/functions/get-profile"
	getsummary "github.com/dailyfeed/dailyfeed/functions/get-summary"
	"github.com/dailyfeed/dailyfeed/functions/jwks"
	likecomment "github.com/dailyfeed/dailyfeed/functions/like-comment"
	likepost "github.com/dailyfeed/dailyfeed/functions/like-post"
	listfollows "github.com/dailyfeed/dailyfeed/functions/list-follows"
	"github.com/dailyfeed/dailyfeed/functions/login"
	"github.com/dailyfeed/dailyfeed/functions/logout"
	logoutall "github.com/dailyfeed/dailyfeed/functions/logout-all"
	membercomments "github.com/dailyfeed/dailyfeed/functions/member-comments"
	mostcommentedposts "github.com/dailyfeed/dailyfeed/functions/most-commented-posts"
	myactivities "github.com/dailyfeed/dailyfeed/functions/my-activities"
	myfeed "github.com/dailyfeed/dailyfeed/functions/my-feed"
	popularposts "github.com/dailyfeed/dailyfeed/functions/popular-posts"
	postcomments "github.com/dailyfeed/dailyfeed/functions/post-comments"
	poststatistics "github.com/dailyfeed/dailyfeed/functions/post-statistics"
	querymembers "github.com/dailyfeed/dailyfeed/functions/query-members"
	queryposts "github.com/dailyfeed/dailyfeed/functions/query-posts"
	recentactivityposts "github.com/dailyfeed/dailyfeed/functions/recent-activity-posts"
	recommendmembers "github.com/dailyfeed/dailyfeed/functions/recommend-members"
	recordactivity "github.com/dailyfeed/dailyfeed/functions/record-activity"
	refreshtoken "github.com/dailyfeed/dailyfeed/functions/refresh-token"
	relayoutbox "github.com/dailyfeed/dailyfeed/functions/relay-outbox"
	replaydeadletters "github.com/dailyfeed/dailyfeed/functions/replay-dead-letters"
	rotatekeys "github.com/dailyfeed/dailyfeed/functions/rotate-keys"
	rotatetopics "github.com/dailyfeed/dailyfeed/functions/rotate-topics"
	searchcomments "github.com/dailyfeed/dailyfeed/functions/search-comments"
	searchposts "github.com/dailyfeed/dailyfeed/functions/search-posts"
	"github.com/dailyfeed/dailyfeed/functions/signup"
	storedeadletter "github.com/dailyfeed/dailyfeed/functions/store-dead-letter"
	thumbnailimage "github.com/dailyfeed/dailyfeed/functions/thumbnail-image"
	unfollowmember "github.com/dailyfeed/dailyfeed/functions/unfollow-member"
	unlikecomment "github.com/dailyfeed/dailyfeed/functions/unlike-comment"
	unlikepost "github.com/dailyfeed/dailyfeed/functions/unlike-post"
	updatecomment "github.com/dailyfeed/dailyfeed/functions/update-comment"
	updatepost "github.com/dailyfeed/dailyfeed/functions/update-post"
	updateprofile "github.com/dailyfeed/dailyfeed/functions/update-profile"
	updatestats "github.com/dailyfeed/dailyfeed/functions/update-stats"
	uploadimage "github.com/dailyfeed/dailyfeed/functions/upload-image"
	viewimage "github.com/dailyfeed/dailyfeed/functions/view-image"
)

// httpFunctions has the constructor of every HTTP function of the route
// table; a test checks that the two agree.
var httpFunctions = map[string]func() Instance{
	"signup":                func() Instance { return signup.New() },
	"login":                 func() Instance { return login.New() },
	"logout":                func() Instance { return logout.New() },
	"logout-all":            func() Instance { return logoutall.New() },
	"refresh-token":         func() Instance { return refreshtoken.New() },
	"deactivate-member":     func() Instance { return deactivatemember.New() },
	"jwks":                  func() Instance { return jwks.New() },
	"get-me":                func() Instance { return getme.New() },
	"get-summary":           func() Instance { return getsummary.New() },
	"get-profile":           func() Instance { return getprofile.New() },
	"update-profile":        func() Instance { return updateprofile.New() },
	"change-handle":         func() Instance { return changehandle.New() },
	"query-members":         func() Instance { return querymembers.New() },
	"create-post":           func() Instance { return createpost.New() },
	"update-post":           func() Instance { return updatepost.New() },
	"delete-post":           func() Instance { return deletepost.New() },
	"like-post":             func() Instance { return likepost.New() },
	"unlike-post":           func() Instance { return unlikepost.New() },
	"create-comment":        func() Instance { return createcomment.New() },
	"create-reply":          func() Instance { return createreply.New() },
	"update-comment":        func() Instance { return updatecomment.New() },
	"delete-comment":        func() Instance { return deletecomment.New() },
	"like-comment":          func() Instance { return likecomment.New() },
	"unlike-comment":        func() Instance { return unlikecomment.New() },
	"follow-member":         func() Instance { return followmember.New() },
	"unfollow-member":       func() Instance { return unfollowmember.New() },
	"upload-image":          func() Instance { return uploadimage.New() },
	"view-image":            func() Instance { return viewimage.New() },
	"delete-images":         func() Instance { return deleteimages.New() },
	"search-posts":          func() Instance { return searchposts.New() },
	"search-comments":       func() Instance { return searchcomments.New() },
	"activity-feed":         func() Instance { return activityfeed.New() },
	"my-activities":         func() Instance { return myactivities.New() },
	"author-posts":          func() Instance { return authorposts.New() },
	"comment-replies":       func() Instance { return commentreplies.New() },
	"follow-feed":           func() Instance { return followfeed.New() },
	"get-comment":           func() Instance { return getcomment.New() },
	"get-post":              func() Instance { return getpost.New() },
	"list-follows":          func() Instance { return listfollows.New() },
	"member-comments":       func() Instance { return membercomments.New() },
	"most-commented-posts":  func() Instance { return mostcommentedposts.New() },
	"my-feed":               func() Instance { return myfeed.New() },
	"popular-posts":         func() Instance { return popularposts.New() },
	"post-comments":         func() Instance { return postcomments.New() },
	"post-statistics":       func() Instance { return poststatistics.New() },
	"query-posts":           func() Instance { return queryposts.New() },
	"recent-activity-posts": func() Instance { return recentactivityposts.New() },
	"recommend-members":     func() Instance { return recommendmembers.New() },
}

// localJobs are the scheduled functions the local runner runs in-process.
// Knative runs them from PingSources on their route-table schedules; locally
// they run more often so a demo sees their effect quickly.
var localJobs = []job{
	{name: "rotate-keys", every: 10 * time.Minute, run: rotatekeys.Run},
	{name: "relay-outbox", every: 5 * time.Second, run: relayoutbox.Run},
	{name: "rotate-topics", every: time.Hour, run: rotatetopics.Run},
}

// eventFunctions has the constructor of every CloudEvent function the
// local runner serves on its loopback sink listener (sinks.go): the sinks
// the KafkaSource emulator delivers to, and the operator's replay; a test
// checks that every sink of the route table has one.
var eventFunctions = map[string]func() EventInstance{
	"record-activity":     func() EventInstance { return recordactivity.New() },
	"store-dead-letter":   func() EventInstance { return storedeadletter.New() },
	"replay-dead-letters": func() EventInstance { return replaydeadletters.New() },
	"fanout-feed":         func() EventInstance { return fanoutfeed.New() },
	"update-stats":        func() EventInstance { return updatestats.New() },
	"thumbnail-image":     func() EventInstance { return thumbnailimage.New() },
}
