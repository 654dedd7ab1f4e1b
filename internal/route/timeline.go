package route

// timeline is the read side: the original's timeline service (feeds,
// rankings, post and comment reads), scaled as the read group, plus the
// follow lists and recommendations, which are reads of the follow graph
// and scale with the other reads rather than with sign-up and login. The
// sinks fanout-feed (timelines) and update-stats (views and rankings) are
// fed by their own KafkaSources on the dated activity topics.
var timeline = []Function{
	{Name: "follow-feed", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/followings").as(AnyMember).hides(hidesPosts)}},
	{Name: "popular-posts", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/most-popular").as(Optional).hides(hidesPosts)}},
	{Name: "most-commented-posts", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/most-commented").as(Optional).hides(hidesPosts)}},
	{Name: "recent-activity-posts", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/recent-activities").as(Optional).hides(hidesPosts)}},
	{Name: "my-feed", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts").as(AnyMember)}},
	{Name: "author-posts", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/authors/{authorId}").as(Optional).hides(hidesPosts)}},
	{Name: "get-post", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/{postId}").as(Optional).hides(hidesPosts)}},
	{Name: "query-posts", Kind: HTTP, Group: Read, Routes: []Route{post("/api/timeline/posts/query/list").as(Optional).hides(hidesPosts)}},
	{Name: "post-statistics", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/statistics/posts/{postId}").as(Optional).hides(hidesPosts)}},
	{Name: "post-comments", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/{postId}/comments").as(Optional).hides(hidesComments)}},
	{Name: "get-comment", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/comments/{commentId}").as(Optional).hides(hidesComments)}},
	{Name: "comment-replies", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/comments/{commentId}/replies").as(Optional).hides(hidesComments)}},
	{Name: "member-comments", Kind: HTTP, Group: Read, Routes: []Route{
		get("/api/timeline/comments").as(AnyMember), get("/api/timeline/members/{memberId}/comments").as(Optional).hides(hidesComments)}},
	{Name: "list-follows", Kind: HTTP, Group: Read, Routes: []Route{
		get("/api/members/followers-followings").as(AnyMember),
		get("/api/members/{memberId}/followers-followings").as(Optional).hides(hidesFollows),
		get("/api/members/followers/more").as(AnyMember), get("/api/members/followings/more").as(AnyMember),
		get("/api/members/{memberId}/followers/more").as(Optional).hides(hidesFollows),
		get("/api/members/{memberId}/followings/more").as(Optional).hides(hidesFollows)}},
	{Name: "recommend-members", Kind: HTTP, Group: Read, Routes: []Route{
		get("/api/members/follow/recommend/newbie").as(AnyMember).hides(hidesMember),
		get("/api/members/follow/recommend/newbie/more").as(AnyMember).hides(hidesMember)}},
	{Name: "fanout-feed", Kind: CloudEvent, Group: Sink},
	{Name: "update-stats", Kind: CloudEvent, Group: Sink},
}
