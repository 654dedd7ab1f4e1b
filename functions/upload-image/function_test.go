package uploadimage

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

type env struct {
	s     *stack.Stack
	me    int64
	token string
}

func setup(t *testing.T) env {
	t.Helper()
	s := imagetest.Stack(t, stack.Redis)
	me := imagetest.Member(t, s, "me")
	return env{s: s, me: me, token: imagetest.Token(t, s, me)}
}

func (e env) upload(t *testing.T, path string, body io.Reader, contentType string) (*httptest.ResponseRecorder, imagetest.Response) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, body)
	r.Header.Set("Content-Type", contentType)
	if e.token != "" {
		r.Header.Set("Authorization", e.token)
	}
	w := httptest.NewRecorder()
	out, err := handle(w, r, fn.NewDeps(e.s, "upload-image"))
	fn.Answer(w, r, out, err)
	return w, imagetest.Decode(t, w.Body.Bytes())
}

func (e env) uploadFile(t *testing.T, path, filename, contentType string, data []byte) (*httptest.ResponseRecorder, imagetest.Response) {
	t.Helper()
	body, ct := imagetest.Multipart(t, "image", filename, contentType, data)
	return e.upload(t, path, body, ct)
}

func (e env) stored(t *testing.T, resp imagetest.Response) image.Image {
	t.Helper()
	var id string
	if err := json.Unmarshal(resp.Data, &id); err != nil {
		t.Fatalf("data is not an image id: %s", resp.Data)
	}
	img, err := image.NewService(e.s.DB, e.s.Store, image.Options{}, e.s.Now).Get(context.Background(), id)
	if err != nil {
		t.Fatalf("uploaded image %s: %v", id, err)
	}
	return img
}

func TestUploadEveryFormat(t *testing.T) {
	t.Parallel()
	e := setup(t)
	for _, tc := range []struct {
		name, filename, clientType string
		data                       []byte
		want                       string
	}{
		{"jpeg", "a.jpg", "image/jpeg", imagetest.JPEG(t, 400, 300), "image/jpeg"},
		{"png", "a.png", "image/png", imagetest.PNG(t, 64, 64), "image/png"},
		{"gif", "a.gif", "image/gif", imagetest.GIF(t, 32, 32), "image/gif"},
		{"webp", "a.webp", "image/webp", imagetest.WebPLossy(), "image/webp"},
		{"bmp", "a.bmp", "image/bmp", imagetest.BMP(t, 20, 10), "image/bmp"},
		{"png renamed .jpg", "photo.jpg", "image/jpeg", imagetest.PNG(t, 64, 64), "image/png"},
		{"no client type", "blob", "", imagetest.JPEG(t, 10, 10), "image/jpeg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, resp := e.uploadFile(t, "/api/images/upload", tc.filename, tc.clientType, tc.data)
			if w.Code != http.StatusCreated || resp.Status != http.StatusCreated || resp.Result != "SUCCESS" {
				t.Fatalf("status %d, body %s", w.Code, w.Body)
			}
			img := e.stored(t, resp)
			if img.ContentType != tc.want || img.MemberID != e.me {
				t.Errorf("stored %s owned by %d, want %s owned by %d", img.ContentType, img.MemberID, tc.want, e.me)
			}
			if got := w.Header().Get("Location"); got != "/api/images/view/"+img.ID {
				t.Errorf("Location = %q", got)
			}
		})
	}
	if got := imagetest.Avatar(t, e.s, e.me); got != "" {
		t.Errorf("plain uploads set the avatar to %s", got)
	}
}

func TestUploadProfileSetsAvatar(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w, resp := e.uploadFile(t, "/api/images/upload/profile", "me.png", "image/png", imagetest.PNG(t, 80, 80))
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d, body %s", w.Code, w.Body)
	}
	if img, got := e.stored(t, resp), imagetest.Avatar(t, e.s, e.me); got != img.ID {
		t.Errorf("avatar = %q, want %q", got, img.ID)
	}
}

func TestUploadRemovesEXIF(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w, resp := e.uploadFile(t, "/api/images/upload", "gps.jpg", "image/jpeg", imagetest.JPEGWithEXIF(t, 120, 90, 1))
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d, body %s", w.Code, w.Body)
	}
	img := e.stored(t, resp)
	if img.Status != image.StatusPending {
		t.Errorf("status %s right after the upload, want pending (the thumbnail is made off the request path)", img.Status)
	}
	if _, err := image.NewService(e.s.DB, e.s.Store, image.Options{}, e.s.Now).MakeThumbnail(context.Background(), img.ID, image.NewLimiter(1)); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{img.Key, img.ThumbKey} {
		body, _, err := e.s.Store.Get(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(body)
		body.Close()
		if bytes.Contains(data, []byte("Exif")) || bytes.Contains(data, []byte("GPS")) || bytes.Contains(data, []byte{0xff, 0xe1}) {
			t.Errorf("stored %s still carries EXIF", key)
		}
	}
}

func TestUploadRejects(t *testing.T) {
	t.Parallel()
	e := setup(t)
	max := int(image.DefaultOptions.MaxBytes)
	pngHead := imagetest.PNG(t, 2, 2)
	tooBig := append(bytes.Clone(pngHead), make([]byte, max+1-len(pngHead))...)
	for _, tc := range []struct {
		name       string
		filename   string
		data       []byte
		wantStatus int
		wantCode   string
	}{
		{"text named .png", "notes.png", []byte("these are my notes, not a picture"), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"10 MiB + 1 byte", "big.png", tooBig, 413, "PAYLOAD_TOO_LARGE"},
		{"huge dimensions", "bomb.png", imagetest.HugePNG(100_000, 100_000), 413, "IMAGE_TOO_LARGE_DIMENSIONS"},
		{"corrupt", "broken.png", pngHead[:40], 400, "INVALID_IMAGE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, resp := e.uploadFile(t, "/api/images/upload", tc.filename, "image/png", tc.data)
			if w.Code != tc.wantStatus || resp.StatusCode != tc.wantStatus || resp.Code != tc.wantCode {
				t.Errorf("got %d %s, want %d %s: %s", w.Code, resp.Code, tc.wantStatus, tc.wantCode, w.Body)
			}
		})
	}
	t.Run("no image field", func(t *testing.T) {
		body, ct := imagetest.Multipart(t, "file", "a.png", "image/png", pngHead)
		if w, resp := e.upload(t, "/api/images/upload", body, ct); w.Code != 400 || resp.Code != "IMAGE_FIELD_MISSING" {
			t.Errorf("got %d %s", w.Code, resp.Code)
		}
	})
	t.Run("no token", func(t *testing.T) {
		anon := e
		anon.token = ""
		if w, _ := anon.uploadFile(t, "/api/images/upload", "a.png", "image/png", pngHead); w.Code != http.StatusUnauthorized {
			t.Errorf("got %d, want 401", w.Code)
		}
	})
}

// TestUploadTooLargeIsNotBuffered streams a 50 MiB upload through a pipe:
// the function must answer 413 having read little more than the limit.
func TestUploadTooLargeIsNotBuffered(t *testing.T) {
	t.Parallel()
	e := setup(t)
	pr, ct := imagetest.StreamMultipart(t, "image", imagetest.PNG(t, 2, 2), 50<<20)
	defer pr.Close()
	counter := &imagetest.CountingReader{R: pr}
	w, resp := e.upload(t, "/api/images/upload", counter, ct)
	if w.Code != http.StatusRequestEntityTooLarge || resp.Code != "PAYLOAD_TOO_LARGE" {
		t.Fatalf("got %d %s, want 413 PAYLOAD_TOO_LARGE", w.Code, resp.Code)
	}
	if limit, slack := image.DefaultOptions.MaxBytes, int64(64<<10); counter.N > limit+slack {
		t.Errorf("read %d bytes of a 50 MiB upload, want at most %d", counter.N, limit+slack)
	}
}
