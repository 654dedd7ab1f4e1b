package viewimage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	goimage "image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

func setup(t *testing.T) (*stack.Stack, *image.Service, int64) {
	t.Helper()
	s := imagetest.Stack(t, 0)
	return s, image.NewService(s.DB, s.Store, image.Options{}, s.Now), imagetest.Member(t, s, "me")
}

// get requests the view path of id (the raw path segment) with headers.
func get(t *testing.T, s *stack.Stack, opts image.Options, method, id, query string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/api/images/view/"+id+query, nil)
	r.SetPathValue("imageId", id)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	out, err := view(w, r, fn.NewDeps(s, "view-image"), opts)
	fn.Answer(w, r, out, err)
	return w
}

func TestViewEveryFormat(t *testing.T) {
	t.Parallel()
	s, svc, me := setup(t)
	for _, tc := range []struct {
		name  string
		data  []byte
		orig  string
		thumb string
	}{
		{"jpeg", imagetest.JPEG(t, 300, 200), "image/jpeg", "image/jpeg"},
		{"png", imagetest.PNG(t, 200, 300), "image/png", "image/png"},
		{"gif", imagetest.GIF(t, 50, 50), "image/gif", "image/png"},
		{"webp", imagetest.WebPLossless(), "image/webp", "image/png"},
		{"bmp", imagetest.BMP(t, 40, 40), "image/bmp", "image/png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := uploadReady(t, svc, me, tc.data)
			for _, q := range []struct {
				query string
				size  goimage.Point
				want  string
			}{{"", goimage.Pt(img.Width, img.Height), tc.orig}, {"?thumbnail=false", goimage.Pt(img.Width, img.Height), tc.orig}, {"?thumbnail=true", goimage.Pt(150, 150), tc.thumb}} {
				w := get(t, s, image.Options{}, http.MethodGet, img.ID, q.query, nil)
				if w.Code != http.StatusOK {
					t.Fatalf("%s: status %d: %s", q.query, w.Code, w.Body)
				}
				h := w.Header()
				sum := sha256.Sum256(w.Body.Bytes())
				if h.Get("Content-Type") != q.want || h.Get("ETag") != `"`+hex.EncodeToString(sum[:16])+`"` ||
					h.Get("Cache-Control") != "public, max-age=31536000, immutable" || h.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("%s: headers %v", q.query, h)
				}
				pic, format, err := goimage.Decode(bytes.NewReader(w.Body.Bytes()))
				if err != nil || "image/"+format != q.want || pic.Bounds().Size() != q.size {
					t.Errorf("%s: body is %s %v (%v), want %s %v", q.query, format, pic.Bounds().Size(), err, q.want, q.size)
				}

				again := get(t, s, image.Options{}, http.MethodGet, img.ID, q.query, http.Header{"If-None-Match": {h.Get("ETag")}})
				if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != h.Get("ETag") {
					t.Errorf("%s: If-None-Match: %d with %d bytes", q.query, again.Code, again.Body.Len())
				}
			}
			head := get(t, s, image.Options{}, http.MethodHead, img.ID, "", nil)
			if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") == "" {
				t.Errorf("HEAD: %d, %d bytes, Content-Length %q", head.Code, head.Body.Len(), head.Header().Get("Content-Length"))
			}
		})
	}
}

func TestViewNotFound(t *testing.T) {
	t.Parallel()
	s, svc, me := setup(t)
	deleted, err := svc.Upload(context.Background(), me, imagetest.PNG(t, 5, 5), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Delete(context.Background(), me, []string{deleted.ID}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{image.NewID(), deleted.ID, "..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "images", deleted.ID + "A", ""} {
		w := get(t, s, image.Options{}, http.MethodGet, id, "", nil)
		resp := imagetest.Decode(t, w.Body.Bytes())
		if w.Code != http.StatusNotFound || resp.Code != "IMAGE_NOT_FOUND" || w.Header().Get("Cache-Control") != "" {
			t.Errorf("%q: %d %s, Cache-Control %q; want 404 IMAGE_NOT_FOUND, not cached", id, w.Code, resp.Code, w.Header().Get("Cache-Control"))
		}
	}
}

func TestViewRejectsBadThumbnailFlag(t *testing.T) {
	t.Parallel()
	s, svc, me := setup(t)
	img, err := svc.Upload(context.Background(), me, imagetest.PNG(t, 5, 5), false)
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, s, image.Options{}, http.MethodGet, img.ID, "?thumbnail=maybe", nil)
	if w.Code != http.StatusBadRequest {
		t.Errorf("status %d, want 400", w.Code)
	}
}

func TestViewRedirectsToPresignedURL(t *testing.T) {
	t.Parallel()
	s, svc, me := setup(t)
	img := uploadReady(t, svc, me, imagetest.JPEG(t, 200, 100))
	w := get(t, s, image.Options{Redirect: true}, http.MethodGet, img.ID, "?thumbnail=true", nil)
	if w.Code != http.StatusFound {
		t.Fatalf("status %d, want 302: %s", w.Code, w.Body)
	}
	resp, err := http.Get(w.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || int64(len(data)) != img.ThumbBytes {
		t.Errorf("presigned URL: %s, %s, %d bytes; want the %d-byte thumbnail", resp.Status, resp.Header.Get("Content-Type"), len(data), img.ThumbBytes)
	}
}

func TestIfNoneMatch(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{`"abc"`, true}, {`W/"abc"`, true}, {`"x", "abc"`, true}, {`*`, true},
		{``, false}, {`"abcd"`, false}, {`abc`, false},
	} {
		if got := matches(tc.header, `"abc"`); got != tc.want {
			t.Errorf("matches(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

// uploadReady uploads data and makes its thumbnail, as thumbnail-image
// does when the bucket notification arrives.
func uploadReady(t *testing.T, svc *image.Service, member int64, data []byte) image.Image {
	t.Helper()
	ctx := context.Background()
	img, err := svc.Upload(ctx, member, data, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MakeThumbnail(ctx, img.ID, image.NewLimiter(1)); err != nil {
		t.Fatal(err)
	}
	img, err = svc.Get(ctx, img.ID)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestViewOfAPendingThumbnailServesTheOriginal(t *testing.T) {
	t.Parallel()
	s, svc, me := setup(t)
	img, err := svc.Upload(context.Background(), me, imagetest.PNG(t, 300, 200), false)
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, s, image.Options{}, http.MethodGet, img.ID, "?thumbnail=true", nil)
	pic, _, err := goimage.Decode(bytes.NewReader(w.Body.Bytes()))
	if w.Code != http.StatusOK || err != nil || pic.Bounds().Size() != goimage.Pt(300, 200) {
		t.Fatalf("thumbnail view before the thumbnail: %d, %v; want the 300×200 original", w.Code, err)
	}
}
