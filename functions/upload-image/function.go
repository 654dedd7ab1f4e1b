// Package uploadimage is the upload-image function: POST /api/images/upload,
// /api/images/upload/profile.
package uploadimage

import (
	"net/http"
	"path"
	"strings"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the upload-image function.
type Function struct{ fn.Base }

// New returns the function; Start opens its connections.
func New() *Function {
	return &Function{Base: fn.New("upload-image", stack.Postgres|stack.Redis|stack.S3)}
}

// Handle serves the function's routes.
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, handle) }

func handle(w http.ResponseWriter, r *http.Request, s *stack.Stack) {
	// Authenticate the caller: the image will be theirs.
	p, err := fn.Authenticate(w, r, s)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Read the multipart field "image" as a bounded stream: 413 past the
	// limit, 415 when its first bytes are not JPEG, PNG, GIF, WebP or BMP.
	data, err := image.ReadUpload(w, r, image.DefaultOptions.MaxBytes)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Check, re-encode, thumbnail and store it; /profile also makes it the
	// caller's avatar.
	avatar := path.Base(strings.TrimSuffix(r.URL.Path, "/")) == "profile"
	img, err := image.NewService(s, image.DefaultOptions).Upload(r.Context(), p.MemberID, data, avatar)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Answer the image id; Location is where it is served.
	w.Header().Set("Location", image.ViewPath(img.ID))
	web.Created(w, img.ID)
}
