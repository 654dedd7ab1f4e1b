package image_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/minio"
)

func service(t *testing.T) (*image.Service, *stack.Stack) {
	t.Helper()
	s := imagetest.Stack(t, 0)
	return image.NewService(s.DB, s.Store, image.Options{}, s.Now), s
}

func read(t *testing.T, svc *image.Service, v image.Variant) []byte {
	t.Helper()
	body, err := svc.Open(context.Background(), v)
	if err != nil {
		t.Fatalf("open %s: %v", v.Key, err)
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestUploadViewDeleteEveryFormat(t *testing.T) {
	t.Parallel()
	svc, s := service(t)
	ctx := context.Background()
	me := imagetest.Member(t, s, "me")
	for _, tc := range []struct {
		name      string
		data      []byte
		wantOrig  string
		wantThumb string
	}{
		{"jpeg", imagetest.JPEG(t, 640, 480), "image/jpeg", "image/jpeg"},
		{"png", imagetest.PNG(t, 300, 500), "image/png", "image/png"},
		{"gif", imagetest.GIF(t, 64, 64), "image/gif", "image/png"},
		{"webp", imagetest.WebPLossy(), "image/webp", "image/jpeg"},
		{"webp lossless", imagetest.WebPLossless(), "image/webp", "image/png"},
		{"bmp", imagetest.BMP(t, 90, 60), "image/bmp", "image/png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := svc.Upload(ctx, me, tc.data, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.Get(ctx, img.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(img, got); diff != "" {
				t.Errorf("stored row differs (-uploaded +read):\n%s", diff)
			}
			if got.Status != image.StatusPending || got.Variant(true) != got.Variant(false) {
				t.Errorf("before its thumbnail: status %s, thumbnail variant %+v, want the original", got.Status, got.Variant(true))
			}
			// What thumbnail-image does when the bucket notification comes;
			// the decode's time is reported once, for the metrics.
			var processed []string
			timed := *svc
			timed.Processed = func(outcome string, took time.Duration) {
				if took > 0 {
					processed = append(processed, outcome)
				}
			}
			if out, err := timed.MakeThumbnail(ctx, img.ID, image.NewLimiter(1)); err != nil || out != image.ThumbnailMade {
				t.Fatalf("MakeThumbnail: %s, %v", out, err)
			}
			if out, err := timed.MakeThumbnail(ctx, img.ID, image.NewLimiter(1)); err != nil || out != image.ThumbnailAlready {
				t.Fatalf("MakeThumbnail again: %s, %v", out, err)
			}
			if !slices.Equal(processed, []string{"made"}) {
				t.Errorf("processing reported %v, want one made", processed)
			}
			if got, err = svc.Get(ctx, img.ID); err != nil || got.Status != image.StatusReady {
				t.Fatalf("after MakeThumbnail: %+v, %v", got, err)
			}
			for _, thumb := range []bool{false, true} {
				v := got.Variant(thumb)
				want := tc.wantOrig
				if thumb {
					want = tc.wantThumb
				}
				if v.ContentType != want {
					t.Errorf("thumb=%v: type %s, want %s", thumb, v.ContentType, want)
				}
				data := read(t, svc, v)
				sum := sha256.Sum256(data)
				if int64(len(data)) != v.Bytes || `"`+hex.EncodeToString(sum[:16])+`"` != v.ETag {
					t.Errorf("thumb=%v: object (%d bytes) does not match its record (%d bytes, %s)", thumb, len(data), v.Bytes, v.ETag)
				}
				obj, err := s.Store.Head(ctx, v.Key)
				if err != nil || obj.ContentType != v.ContentType || obj.CacheControl != image.CacheControl {
					t.Errorf("thumb=%v: object metadata %+v, %v", thumb, obj, err)
				}
			}
			res, err := svc.Delete(ctx, me, []string{img.ID})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(image.Deleted{Deleted: []string{img.ID}, NotOwned: []string{}, NotFound: []string{}}, res); diff != "" {
				t.Errorf("delete (-want +got):\n%s", diff)
			}
			assertGone(t, s, img)
			if _, err := svc.Get(ctx, img.ID); !errcode.Is(err, image.NotFound) {
				t.Errorf("Get after delete: %v, want IMAGE_NOT_FOUND", err)
			}
		})
	}
}

func assertGone(t *testing.T, s *stack.Stack, img image.Image) {
	t.Helper()
	for _, key := range []string{img.Key, img.ThumbKey} {
		if _, err := s.Store.Head(context.Background(), key); !errors.Is(err, minio.ErrNotFound) {
			t.Errorf("object %s after delete: %v, want not found", key, err)
		}
	}
}

func TestUploadStoresNoEXIF(t *testing.T) {
	t.Parallel()
	svc, s := service(t)
	ctx := context.Background()
	img, err := svc.Upload(ctx, imagetest.Member(t, s, "me"), imagetest.JPEGWithEXIF(t, 200, 100, 6), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MakeThumbnail(ctx, img.ID, image.NewLimiter(1)); err != nil {
		t.Fatal(err)
	}
	if img, err = svc.Get(ctx, img.ID); err != nil {
		t.Fatal(err)
	}
	for _, v := range []image.Variant{img.Variant(false), img.Variant(true)} {
		data := read(t, svc, v)
		// The original keeps only a minimal EXIF of the Orientation tag.
		if bytes.Contains(data, []byte("GPS")) || bytes.Contains(data, []byte(imagetest.GPSMarker)) {
			t.Errorf("stored %s still carries GPS", v.Key)
		}
	}
}

func TestOnlyTheOwnerDeletes(t *testing.T) {
	t.Parallel()
	svc, s := service(t)
	ctx := context.Background()
	me, other := imagetest.Member(t, s, "me"), imagetest.Member(t, s, "other")
	mine, err := svc.Upload(ctx, me, imagetest.PNG(t, 20, 20), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MakeThumbnail(ctx, mine.ID, image.NewLimiter(1)); err != nil {
		t.Fatal(err)
	}
	theirs, err := svc.Upload(ctx, other, imagetest.PNG(t, 20, 20), false)
	if err != nil {
		t.Fatal(err)
	}
	missing := image.NewID()

	res, err := svc.Delete(ctx, other, []string{mine.ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(image.Deleted{Deleted: []string{}, NotOwned: []string{mine.ID}, NotFound: []string{}}, res); diff != "" {
		t.Errorf("other deleting mine (-want +got):\n%s", diff)
	}
	if _, err := svc.Get(ctx, mine.ID); err != nil {
		t.Errorf("my image after another member's delete: %v", err)
	}
	for _, key := range []string{mine.Key, mine.ThumbKey} {
		if _, err := s.Store.Head(ctx, key); err != nil {
			t.Errorf("object %s after another member's delete: %v", key, err)
		}
	}

	res, err = svc.Delete(ctx, me, []string{theirs.ID, mine.ID, missing, mine.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := image.Deleted{Deleted: []string{mine.ID}, NotOwned: []string{theirs.ID}, NotFound: []string{missing}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("mixed delete (-want +got):\n%s", diff)
	}
	assertGone(t, s, mine)
	if _, err := svc.Get(ctx, theirs.ID); err != nil {
		t.Errorf("their image after my delete: %v", err)
	}

	res, err = svc.Delete(ctx, me, []string{mine.ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(image.Deleted{Deleted: []string{}, NotOwned: []string{}, NotFound: []string{mine.ID}}, res); diff != "" {
		t.Errorf("deleting again (-want +got):\n%s", diff)
	}
}

func TestProfileUploadSetsAvatar(t *testing.T) {
	t.Parallel()
	svc, s := service(t)
	ctx := context.Background()
	me := imagetest.Member(t, s, "me")
	img, err := svc.Upload(ctx, me, imagetest.JPEG(t, 50, 50), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := imagetest.Avatar(t, s, me); got != img.ID {
		t.Errorf("avatar = %q, want %q", got, img.ID)
	}
	if _, err := svc.Delete(ctx, me, []string{img.ID}); err != nil {
		t.Fatal(err)
	}
	if got := imagetest.Avatar(t, s, me); got != "" {
		t.Errorf("avatar after deleting it = %q, want none", got)
	}
}

func TestProfileUploadOfUnknownMemberLeavesNothing(t *testing.T) {
	t.Parallel()
	svc, s := service(t)
	ctx := context.Background()
	_, err := svc.Upload(ctx, 987654, imagetest.PNG(t, 10, 10), true)
	if !errcode.Is(err, errcode.MemberNotFound) {
		t.Fatalf("err = %v, want MEMBER_NOT_FOUND", err)
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM images`).Scan(&n); err != nil || n != 0 {
		t.Errorf("images rows = %d, %v; want 0", n, err)
	}
	out, err := s.Store.Client.ListObjectsV2(ctx, listInput(s.Store.Bucket))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 0 {
		t.Errorf("bucket holds %d objects after a failed upload, want 0", len(out.Contents))
	}
}

func TestPresignedURLServesTheImage(t *testing.T) {
	t.Parallel()
	svc, s := service(t)
	ctx := context.Background()
	img, err := svc.Upload(ctx, imagetest.Member(t, s, "me"), imagetest.PNG(t, 30, 30), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MakeThumbnail(ctx, img.ID, image.NewLimiter(1)); err != nil {
		t.Fatal(err)
	}
	if img, err = svc.Get(ctx, img.ID); err != nil {
		t.Fatal(err)
	}
	u, err := svc.PresignURL(ctx, img.Variant(true))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || int64(len(data)) != img.ThumbBytes {
		t.Errorf("presigned GET: %s %s, %d bytes", resp.Status, resp.Header.Get("Content-Type"), len(data))
	}
}
