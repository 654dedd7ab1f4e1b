// Package viewimage is the view-image function: GET
// /api/images/view/{imageId}?thumbnail=true|false.
//
// It is public: the web frontend shows images with <img src>, which cannot
// send a bearer token. An image id is 128 random bits, so an image is seen
// only by those who were given its URL.
package viewimage

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the view-image function.
type Function struct{ fn.HTTP }

// New returns the function; Start opens its connections. Its Handle
// serves handle on the function's routes (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("view-image", stack.Postgres|stack.S3, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	return view(w, r, s, image.DefaultOptions)
}

// view answers a redirect or the image's bytes itself (fn.Written), or
// returns the error to answer.
func view(w http.ResponseWriter, r *http.Request, s *fn.Deps, opts image.Options) (any, error) {
	// Validate the id strictly (nothing but a canonical id reaches a key)
	// and the thumbnail flag.
	id, err := image.ParseID(r.PathValue("imageId"))
	if err != nil {
		return nil, errcode.New(image.NotFound, "image not found")
	}
	thumb, err := thumbnail(r)
	if err != nil {
		return nil, err
	}
	// Find the image; a missing or deleted one is 404.
	svc := s.Images(opts)
	img, err := svc.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	v := img.Variant(thumb)
	// Either send the client to a short-lived presigned URL...
	if opts.Redirect {
		u, err := svc.PresignURL(r.Context(), v)
		if err != nil {
			return nil, err
		}
		w.Header().Set("Cache-Control", "private, max-age=60")
		http.Redirect(w, r, u, http.StatusFound)
		return fn.Written, nil
	}
	// ...or serve the bytes: they never change, so the ETag is strong and
	// the client may cache them for a year.
	return serve(w, r, svc, v)
}

// thumbnail reads ?thumbnail=true|false (absent is false).
func thumbnail(r *http.Request) (bool, error) {
	raw := r.URL.Query().Get("thumbnail")
	if raw == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, errcode.New(errcode.ValidationFailed, "thumbnail must be true or false")
	}
	return b, nil
}

func serve(w http.ResponseWriter, r *http.Request, svc *image.Service, v image.Variant) (any, error) {
	h := w.Header()
	h.Set("ETag", v.ETag)
	h.Set("Cache-Control", image.CacheControl)
	if matches(r.Header.Get("If-None-Match"), v.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return fn.Written, nil
	}
	body, err := svc.Open(r.Context(), v)
	if err != nil {
		h.Del("ETag")
		h.Del("Cache-Control")
		return nil, err
	}
	defer body.Close()
	h.Set("Content-Type", v.ContentType)
	h.Set("Content-Length", strconv.FormatInt(v.Bytes, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return fn.Written, nil
	}
	if _, err := io.Copy(w, body); err != nil {
		slog.DebugContext(r.Context(), "send image", "key", v.Key, "err", err)
	}
	return fn.Written, nil
}

// matches reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func matches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}
