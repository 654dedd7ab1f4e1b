package route

// timeline is the read side: the original's timeline service (feeds,
// rankings, post and comment reads), scaled as the read group, plus the
// follow lists and recommendations, which are reads of the follow graph
// and scale with the other reads rather than with sign-up and login. The
// sinks fanout-feed (timelines) and update-stats (views and rankings) are
// fed by their own KafkaSources on the dated activity topics.
var timeline = []Function{
	{Name: "follow-feed", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/followings")}},
	{Name: "popular-posts", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/most-popular")}},
	{Name: "most-commented-posts", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/most-commented")}},
	{Name: "recent-activity-posts", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/recent-activities")}},
	{Name: "my-feed", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts")}},
	{Name: "author-posts", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/authors/{authorId}")}},
	{Name: "get-post", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/{postId}")}},
	{Name: "query-posts", Kind: HTTP, Group: Read, Routes: []Route{post("/api/timeline/posts/query/list")}},
	{Name: "post-statistics", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/statistics/posts/{postId}")}},
	{Name: "post-comments", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/posts/{postId}/comments")}},
	{Name: "get-comment", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/comments/{commentId}")}},
	{Name: "comment-replies", Kind: HTTP, Group: Read, Routes: []Route{get("/api/timeline/comments/{commentId}/replies")}},
	{Name: "member-comments", Kind: HTTP, Group: Read, Routes: []Route{
		get("/api/timeline/comments"), get("/api/timeline/members/{memberId}/comments")}},
	{Name: "list-follows", Kind: HTTP, Group: Read, Routes: []Route{
		get("/api/members/followers-followings"), get("/api/members/{memberId}/followers-followings"),
		get("/api/members/followers/more"), get("/api/members/followings/more"),
		get("/api/members/{memberId}/followers/more"), get("/api/members/{memberId}/followings/more")}},
	{Name: "recommend-members", Kind: HTTP, Group: Read, Routes: []Route{
		get("/api/members/follow/recommend/newbie"), get("/api/members/follow/recommend/newbie/more")}},
	{Name: "fanout-feed", Kind: CloudEvent, Group: Sink},
	{Name: "update-stats", Kind: CloudEvent, Group: Sink},
}
