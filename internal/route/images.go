package route

// images are the image functions. view-image is public: an <img src> cannot
// send a bearer token, and image ids are 128-bit random.
var images = []Function{
	{Name: "upload-image", Kind: HTTP, Group: Image, TimeoutSeconds: 60, Routes: []Route{
		post("/api/images/upload").as(AnyMember), post("/api/images/upload/profile").as(AnyMember)}},
	{Name: "view-image", Kind: HTTP, Group: Image, Routes: []Route{get("/api/images/view/{imageId}").as(Public)}},
	{Name: "delete-images", Kind: HTTP, Group: Image, Routes: []Route{post("/api/images/view/command/delete/in").as(AnyMember)}},
	// thumbnail-image makes thumbnails off the request path, fed by the
	// bucket's notifications of new originals (MinIO's Kafka target).
	{Name: "thumbnail-image", Kind: CloudEvent, Group: Sink, TimeoutSeconds: 60, Topic: ImageUploadsTopic},
}

// ImageUploadsTopic is the topic the object store's bucket notifications
// go to (IMAGE_UPLOADS_TOPIC, MinIO's MINIO_NOTIFY_KAFKA_TOPIC_<ID>).
const ImageUploadsTopic = "image-uploads"
