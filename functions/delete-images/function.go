// Package deleteimages is the delete-images function: POST
// /api/images/view/command/delete/in.
package deleteimages

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the delete-images function.
type Function struct{ fn.HTTP }

// New returns the function; Start opens its connections. Its Handle
// serves handle on the function's routes (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("delete-images", stack.Postgres|stack.Redis|stack.S3, handle)}
}

// Request is the body: image URLs ("/api/images/view/{id}", absolute or
// not) or bare image ids.
type Request struct {
	ImageURLs []string `json:"imageUrls"`
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: only their images are deleted.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode the body.
	var in Request
	if err := web.Decode(w, r, &in); err != nil {
		return nil, err
	}
	// Validate: 1 to 100 image URLs, each naming an image id.
	ids, err := imageIDs(in.ImageURLs)
	if err != nil {
		return nil, err
	}
	// Delete those the caller owns; the others are reported, untouched.
	return s.Images(image.DefaultOptions).Delete(r.Context(), p.MemberID, ids)
}

func imageIDs(urls []string) ([]string, error) {
	switch {
	case len(urls) == 0:
		return nil, errcode.New(image.ImageUrlsRequired, "imageUrls must name at least one image")
	case len(urls) > image.MaxDelete:
		return nil, errcode.Errorf(image.TooManyImageUrls, "imageUrls may name at most %d images", image.MaxDelete)
	}
	ids := make([]string, len(urls))
	for i, u := range urls {
		id, err := image.IDFromURL(u)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}
