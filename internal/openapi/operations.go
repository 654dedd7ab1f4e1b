package openapi

import (
	"net/http"
	"reflect"

	deleteimages "github.com/dailyfeed/dailyfeed/functions/delete-images"
	queryposts "github.com/dailyfeed/dailyfeed/functions/query-posts"
	refreshtoken "github.com/dailyfeed/dailyfeed/functions/refresh-token"
	"github.com/dailyfeed/dailyfeed/internal/activity"
	"github.com/dailyfeed/dailyfeed/internal/auth"
	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/follow"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/search"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// Auth says whether an operation needs a bearer token.
type Auth int

const (
	Public   Auth = iota // no token
	Bearer               // a valid access token (401 otherwise)
	Optional             // a token is read when sent (liked flags, views)
)

// Body is how an operation answers on success.
type Body int

const (
	Envelope Body = iota // {status, result, data} with Response as data
	Raw                  // Response as the whole JSON body (the JWKS)
	Image                // image bytes, a redirect or 304 (view-image)
)

// Operation is what the description says about one route besides its
// method and path: the Go types of its request and response bodies (read
// by reflection), its success status, query parameters and headers.
type Operation struct {
	Summary string
	Auth    Auth
	// Request is the JSON request body's type, nil without one.
	Request reflect.Type
	// Multipart names the file field of a multipart/form-data body.
	Multipart string
	// Response is the success data's type.
	Response reflect.Type
	Body     Body
	// ContentType is a Raw body's media type (default application/json).
	ContentType string
	// Status is the success status (default 200).
	Status int
	// Query are the query parameters: page, size, cursor, keyword, thumbnail.
	Query []string
	// Session marks login and refresh: the access token in the
	// Authorization header and the refresh_token cookie.
	Session bool
}

func t[T any]() reflect.Type { return reflect.TypeFor[T]() }

var (
	page    = []string{"page", "size"}
	cursor  = []string{"page", "size", "cursor"}
	keyword = []string{"keyword", "page", "size"}
)

// Operations describes every route of the route table by "METHOD path"; a
// test fails when a route has no entry or an entry no route.
var Operations = map[string]Operation{
	// Members and authentication.
	"POST /api/authentication/signup":       {Summary: "Sign up", Request: t[member.Signup](), Response: t[member.Profile](), Status: http.StatusCreated},
	"POST /api/authentication/login":        {Summary: "Log in", Request: t[member.Credentials](), Response: t[member.Login](), Session: true},
	"POST /api/authentication/logout":       {Summary: "Log out this session", Auth: Bearer, Response: t[bool]()},
	"POST /api/authentication/logout-all":   {Summary: "Log out every session", Auth: Bearer, Response: t[bool]()},
	"POST /api/authentication/refresh":      {Summary: "Rotate the refresh token", Request: t[refreshtoken.Request](), Response: t[refreshtoken.Response](), Session: true},
	"POST /api/token/refresh":               {Summary: "Rotate the refresh token (the original's second path)", Request: t[refreshtoken.Request](), Response: t[refreshtoken.Response](), Session: true},
	"DELETE /api/authentication/deactivate": {Summary: "Deactivate my account", Auth: Bearer, Response: t[bool]()},
	"GET /.well-known/jwks.json":            {Summary: "Token verification keys", Response: t[auth.JWKS](), Body: Raw, ContentType: "application/jwk-set+json"},
	"GET /api/members":                      {Summary: "Me", Auth: Bearer, Response: t[member.Me]()},
	"GET /api/members/summary":              {Summary: "My summary", Auth: Bearer, Response: t[member.Summary]()},
	"GET /api/members/{memberId}/summary":   {Summary: "A member's summary", Auth: Bearer, Response: t[member.Summary]()},
	"GET /api/members/profile":              {Summary: "My profile", Auth: Bearer, Response: t[member.Profile]()},
	"GET /api/members/profile/{memberRef}":  {Summary: "A profile by id or @handle", Auth: Bearer, Response: t[member.Profile]()},
	"GET /api/members/{memberId}/profile":   {Summary: "A profile by id", Auth: Bearer, Response: t[member.Profile]()},
	"PUT /api/members/profile":              {Summary: "Update my profile (null fields unchanged)", Auth: Bearer, Request: t[member.ProfileUpdate](), Response: t[member.Profile]()},
	"PUT /api/members/profile/handle":       {Summary: "Change my handle", Auth: Bearer, Request: t[member.HandleChange](), Response: t[member.Profile]()},
	"POST /api/members/query/in":            {Summary: "Summaries of members by id", Auth: Bearer, Request: t[member.Query](), Response: t[[]member.Summary]()},

	// Writes.
	"POST /api/posts":                       {Summary: "Create a post", Auth: Bearer, Request: t[content.NewPost](), Response: t[content.Post](), Status: http.StatusCreated},
	"PUT /api/posts/{postId}":               {Summary: "Edit my post", Auth: Bearer, Request: t[content.PostUpdate](), Response: t[content.Post]()},
	"DELETE /api/posts/{postId}":            {Summary: "Delete my post", Auth: Bearer, Response: t[content.PostDeleted]()},
	"POST /api/posts/{postId}/like":         {Summary: "Like a post (data: the like count)", Auth: Bearer, Response: t[int64]()},
	"DELETE /api/posts/{postId}/like":       {Summary: "Unlike a post (data: the like count)", Auth: Bearer, Response: t[int64]()},
	"POST /api/comments":                    {Summary: "Comment on a post", Auth: Bearer, Request: t[content.NewComment](), Response: t[content.Comment](), Status: http.StatusCreated},
	"POST /api/comments/replies":            {Summary: "Reply to a comment", Auth: Bearer, Request: t[content.NewReply](), Response: t[content.Comment](), Status: http.StatusCreated},
	"PUT /api/comments/{commentId}":         {Summary: "Edit my comment", Auth: Bearer, Request: t[content.CommentUpdate](), Response: t[content.Comment]()},
	"DELETE /api/comments/{commentId}":      {Summary: "Delete my comment and its replies", Auth: Bearer, Response: t[content.CommentDeleted]()},
	"POST /api/comments/{commentId}/like":   {Summary: "Like a comment (data: the like count)", Auth: Bearer, Response: t[int64]()},
	"DELETE /api/comments/{commentId}/like": {Summary: "Unlike a comment (data: the like count)", Auth: Bearer, Response: t[int64]()},
	"POST /api/members/follow/{memberId}":   {Summary: "Follow a member", Auth: Bearer, Response: t[follow.Result](), Status: http.StatusCreated},
	"DELETE /api/members/follow/{memberId}": {Summary: "Unfollow a member", Auth: Bearer, Response: t[follow.Result]()},

	// Reads.
	"GET /api/timeline/posts/followings":               {Summary: "Posts of members I follow", Auth: Bearer, Response: t[paging.Slice[timeline.Post]](), Query: cursor},
	"GET /api/timeline/posts/most-popular":             {Summary: "Most popular posts", Auth: Optional, Response: t[paging.Slice[timeline.Post]](), Query: page},
	"GET /api/timeline/posts/most-commented":           {Summary: "Most commented posts", Auth: Optional, Response: t[paging.Slice[timeline.Post]](), Query: page},
	"GET /api/timeline/posts/recent-activities":        {Summary: "Posts by latest activity", Auth: Optional, Response: t[paging.Slice[timeline.Post]](), Query: cursor},
	"GET /api/timeline/posts":                          {Summary: "My posts", Auth: Bearer, Response: t[paging.Slice[timeline.Post]](), Query: cursor},
	"GET /api/timeline/posts/authors/{authorId}":       {Summary: "A member's posts", Auth: Optional, Response: t[paging.Slice[timeline.Post]](), Query: cursor},
	"GET /api/timeline/posts/{postId}":                 {Summary: "A post (counts a view)", Auth: Optional, Response: t[timeline.Post]()},
	"POST /api/timeline/posts/query/list":              {Summary: "Posts by id", Auth: Optional, Request: t[queryposts.Request](), Response: t[[]timeline.Post]()},
	"GET /api/timeline/statistics/posts/{postId}":      {Summary: "A post's counts", Auth: Optional, Response: t[timeline.Statistics]()},
	"GET /api/timeline/posts/{postId}/comments":        {Summary: "A post's top-level comments", Auth: Optional, Response: t[paging.Slice[content.Comment]](), Query: cursor},
	"GET /api/timeline/comments/{commentId}":           {Summary: "A comment", Auth: Optional, Response: t[content.Comment]()},
	"GET /api/timeline/comments/{commentId}/replies":   {Summary: "A comment's replies", Auth: Optional, Response: t[paging.Slice[content.Comment]](), Query: cursor},
	"GET /api/timeline/comments":                       {Summary: "My comments", Auth: Bearer, Response: t[paging.Slice[content.Comment]](), Query: cursor},
	"GET /api/timeline/members/{memberId}/comments":    {Summary: "A member's comments", Auth: Optional, Response: t[paging.Slice[content.Comment]](), Query: cursor},
	"GET /api/members/followers-followings":            {Summary: "My followers and followings", Auth: Bearer, Response: t[follow.Both](), Query: page},
	"GET /api/members/{memberId}/followers-followings": {Summary: "A member's followers and followings", Auth: Optional, Response: t[follow.Both](), Query: page},
	"GET /api/members/followers/more":                  {Summary: "My followers", Auth: Bearer, Response: t[paging.Slice[member.Summary]](), Query: page},
	"GET /api/members/followings/more":                 {Summary: "Members I follow", Auth: Bearer, Response: t[paging.Slice[member.Summary]](), Query: page},
	"GET /api/members/{memberId}/followers/more":       {Summary: "A member's followers", Auth: Optional, Response: t[paging.Slice[member.Summary]](), Query: page},
	"GET /api/members/{memberId}/followings/more":      {Summary: "Members a member follows", Auth: Optional, Response: t[paging.Slice[member.Summary]](), Query: page},
	"GET /api/members/follow/recommend/newbie":         {Summary: "New members to follow", Auth: Bearer, Response: t[paging.Slice[member.Summary]](), Query: page},
	"GET /api/members/follow/recommend/newbie/more":    {Summary: "New members to follow, more", Auth: Bearer, Response: t[paging.Slice[member.Summary]](), Query: page},

	// Images.
	"POST /api/images/upload":                 {Summary: "Upload an image (data: its id)", Auth: Bearer, Multipart: "image", Response: t[string](), Status: http.StatusCreated},
	"POST /api/images/upload/profile":         {Summary: "Upload my avatar (data: its id)", Auth: Bearer, Multipart: "image", Response: t[string](), Status: http.StatusCreated},
	"GET /api/images/view/{imageId}":          {Summary: "An image's bytes or a redirect to them", Body: Image, Query: []string{"thumbnail"}},
	"POST /api/images/view/command/delete/in": {Summary: "Delete my images", Auth: Bearer, Request: t[deleteimages.Request](), Response: t[image.Deleted]()},

	// Search.
	"GET /api/search/posts":    {Summary: "Search posts", Auth: Bearer, Response: t[paging.Slice[search.PostHit]](), Query: keyword},
	"GET /api/search/comments": {Summary: "Search comments", Auth: Bearer, Response: t[paging.Slice[search.CommentHit]](), Query: keyword},

	// Activity.
	"GET /api/activities":    {Summary: "What members I follow did", Auth: Bearer, Response: t[paging.Slice[activity.Item]](), Query: cursor},
	"GET /api/activities/me": {Summary: "My activity log", Auth: Bearer, Response: t[paging.Slice[activity.Item]](), Query: cursor},
}
