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
type Function struct{ fn.HTTP }

// New returns the function; Start opens its connections. Its Handle
// serves handle on the function's routes (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("upload-image", stack.Postgres|stack.Redis|stack.S3, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the image will be theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Read the multipart field "image" as a bounded stream: 413 past the
	// limit, 415 when its first bytes are not JPEG, PNG, GIF, WebP or BMP.
	opts := image.OptionsFrom(s.Config)
	data, err := image.ReadUpload(w, r, opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	// Check it from its header, strip its metadata and store it (the
	// thumbnail is made off the request path); /profile also makes it the
	// caller's avatar.
	avatar := path.Base(strings.TrimSuffix(r.URL.Path, "/")) == "profile"
	img, err := s.Images(opts).Upload(r.Context(), p.MemberID, data, avatar)
	if err != nil {
		return nil, err
	}
	// Answer the image id; Location is where it is served.
	w.Header().Set("Location", image.ViewPath(img.ID))
	return web.Created(img.ID), nil
}
