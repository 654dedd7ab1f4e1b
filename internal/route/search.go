package route

// search are the search functions: ranked substring and word search over
// posts and comments (internal/search), scaled apart from the timeline
// reads because a search costs more than a feed page.
var search = []Function{
	{Name: "search-posts", Kind: HTTP, Group: Search, Routes: []Route{get("/api/search/posts").as(AnyMember).hides(hidesPosts)}},
	{Name: "search-comments", Kind: HTTP, Group: Search, Routes: []Route{get("/api/search/comments").as(AnyMember).hides(hidesComments)}},
}
