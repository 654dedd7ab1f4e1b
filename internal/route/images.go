package route

// images are the image functions. view-image is public: an <img src> cannot
// send a bearer token, and image ids are 128-bit random.
var images = []Function{
	{Name: "upload-image", Kind: HTTP, Group: Image, TimeoutSeconds: 60, Routes: []Route{
		post("/api/images/upload"), post("/api/images/upload/profile")}},
	{Name: "view-image", Kind: HTTP, Group: Image, Routes: []Route{get("/api/images/view/{imageId}")}},
	{Name: "delete-images", Kind: HTTP, Group: Image, Routes: []Route{post("/api/images/view/command/delete/in")}},
}
