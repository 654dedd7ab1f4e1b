package route

var members = []Function{
	{Name: "signup", Kind: HTTP, Group: Member, Routes: []Route{post("/api/authentication/signup")}},
	{Name: "login", Kind: HTTP, Group: Member, Routes: []Route{post("/api/authentication/login")}},
	{Name: "logout", Kind: HTTP, Group: Member, Routes: []Route{post("/api/authentication/logout")}},
	{Name: "logout-all", Kind: HTTP, Group: Member, Routes: []Route{post("/api/authentication/logout-all")}},
	{Name: "refresh-token", Kind: HTTP, Group: Member, Routes: []Route{
		post("/api/authentication/refresh"), post("/api/token/refresh")}},
	{Name: "deactivate-member", Kind: HTTP, Group: Member, Routes: []Route{del("/api/authentication/deactivate")}},
	{Name: "jwks", Kind: HTTP, Group: Member, Routes: []Route{get("/.well-known/jwks.json")}},
	{Name: "get-me", Kind: HTTP, Group: Member, Routes: []Route{get("/api/members")}},
	{Name: "get-summary", Kind: HTTP, Group: Member, Routes: []Route{
		get("/api/members/summary"), get("/api/members/{memberId}/summary")}},
	{Name: "get-profile", Kind: HTTP, Group: Member, Routes: []Route{
		get("/api/members/profile"), get("/api/members/profile/{memberRef}"),
		get("/api/members/{memberId}/profile")}},
	{Name: "update-profile", Kind: HTTP, Group: Member, Routes: []Route{put("/api/members/profile")}},
	{Name: "change-handle", Kind: HTTP, Group: Member, Routes: []Route{put("/api/members/profile/handle")}},
	{Name: "query-members", Kind: HTTP, Group: Member, Routes: []Route{post("/api/members/query/in")}},
}

var jobs = []Function{
	{Name: "rotate-keys", Kind: CloudEvent, Group: Job, Schedule: "0 * * * *"},
	{Name: "relay-outbox", Kind: CloudEvent, Group: Job, Schedule: "* * * * *"},
}
