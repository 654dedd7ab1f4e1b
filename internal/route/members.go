package route

// What privacy levels hide, per kind of read (the notes of Route.Privacy).
const (
	hidesMember     = "the profile fields a member's privacy level keeps from the caller"
	hidesPosts      = "posts of authors whose privacy level keeps them from the caller"
	hidesComments   = "comments on posts that the author's privacy level keeps from the caller"
	hidesFollows    = "the follow lists of a member whose privacy level keeps them from the caller"
	hidesActivities = "activities on posts that the author's privacy level keeps from the caller"
)

var members = []Function{
	{Name: "signup", Kind: HTTP, Group: Member, Routes: []Route{post("/api/authentication/signup").as(Public)}},
	{Name: "login", Kind: HTTP, Group: Member, Routes: []Route{post("/api/authentication/login").as(Public)}},
	{Name: "logout", Kind: HTTP, Group: Member, Routes: []Route{post("/api/authentication/logout").as(AnyMember)}},
	{Name: "logout-all", Kind: HTTP, Group: Member, Routes: []Route{post("/api/authentication/logout-all").as(AnyMember)}},
	{Name: "refresh-token", Kind: HTTP, Group: Member, Routes: []Route{
		post("/api/authentication/refresh").as(Public), post("/api/token/refresh").as(Public)}},
	{Name: "deactivate-member", Kind: HTTP, Group: Member, Routes: []Route{del("/api/authentication/deactivate").as(AnyMember)}},
	{Name: "jwks", Kind: HTTP, Group: Member, Routes: []Route{get("/.well-known/jwks.json").as(Public)}},
	{Name: "get-me", Kind: HTTP, Group: Member, Routes: []Route{get("/api/members").as(AnyMember)}},
	{Name: "get-summary", Kind: HTTP, Group: Member, Routes: []Route{
		get("/api/members/summary").as(AnyMember), get("/api/members/{memberId}/summary").as(AnyMember).hides(hidesMember)}},
	{Name: "get-profile", Kind: HTTP, Group: Member, Routes: []Route{
		get("/api/members/profile").as(AnyMember), get("/api/members/profile/{memberRef}").as(AnyMember).hides(hidesMember),
		get("/api/members/{memberId}/profile").as(AnyMember).hides(hidesMember)}},
	{Name: "update-profile", Kind: HTTP, Group: Member, Routes: []Route{put("/api/members/profile").as(AnyMember)}},
	{Name: "change-handle", Kind: HTTP, Group: Member, Routes: []Route{put("/api/members/profile/handle").as(AnyMember)}},
	{Name: "query-members", Kind: HTTP, Group: Member, Routes: []Route{post("/api/members/query/in").as(AnyMember).hides(hidesMember)}},
}

var jobs = []Function{
	{Name: "rotate-keys", Kind: CloudEvent, Group: Job, Schedule: "0 * * * *"},
	{Name: "relay-outbox", Kind: CloudEvent, Group: Job, Schedule: "* * * * *"},
}
