package route

// content are the write functions of posts, comments, replies, likes and
// follows: the original's content service, scaled as the write group.
// follow-member and unfollow-member are writes that emit events like the
// rest (the original served them from the member service), so they scale
// with the writes, not with sign-up and login.
var content = []Function{
	{Name: "create-post", Kind: HTTP, Group: Write, Routes: []Route{post("/api/posts").as(AnyMember)}},
	{Name: "update-post", Kind: HTTP, Group: Write, Routes: []Route{put("/api/posts/{postId}").as(Owner)}},
	{Name: "delete-post", Kind: HTTP, Group: Write, Routes: []Route{del("/api/posts/{postId}").as(Owner)}},
	{Name: "like-post", Kind: HTTP, Group: Write, Routes: []Route{post("/api/posts/{postId}/like").as(AnyMember).hides(hidesPosts)}},
	{Name: "unlike-post", Kind: HTTP, Group: Write, Routes: []Route{del("/api/posts/{postId}/like").as(AnyMember)}},
	{Name: "create-comment", Kind: HTTP, Group: Write, Routes: []Route{post("/api/comments").as(AnyMember).hides(hidesPosts)}},
	{Name: "create-reply", Kind: HTTP, Group: Write, Routes: []Route{post("/api/comments/replies").as(AnyMember).hides(hidesComments)}},
	{Name: "update-comment", Kind: HTTP, Group: Write, Routes: []Route{put("/api/comments/{commentId}").as(Owner)}},
	{Name: "delete-comment", Kind: HTTP, Group: Write, Routes: []Route{del("/api/comments/{commentId}").as(Owner)}},
	{Name: "like-comment", Kind: HTTP, Group: Write, Routes: []Route{post("/api/comments/{commentId}/like").as(AnyMember).hides(hidesComments)}},
	{Name: "unlike-comment", Kind: HTTP, Group: Write, Routes: []Route{del("/api/comments/{commentId}/like").as(AnyMember)}},
	{Name: "follow-member", Kind: HTTP, Group: Write, Routes: []Route{post("/api/members/follow/{memberId}").as(AnyMember)}},
	{Name: "unfollow-member", Kind: HTTP, Group: Write, Routes: []Route{del("/api/members/follow/{memberId}").as(AnyMember)}},
}
