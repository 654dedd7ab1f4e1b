package deleteimages

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/minio"
)

func post(t *testing.T, s *stack.Stack, token, body string) (*httptest.ResponseRecorder, imagetest.Response) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/api/images/view/command/delete/in", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", token)
	}
	w := httptest.NewRecorder()
	out, err := handle(w, r, fn.NewDeps(s, "delete-images"))
	fn.Answer(w, r, out, err)
	return w, imagetest.Decode(t, w.Body.Bytes())
}

func TestDeleteOnlyMine(t *testing.T) {
	t.Parallel()
	s := imagetest.Stack(t, stack.Redis)
	ctx := context.Background()
	svc := image.NewService(s.DB, s.Store, image.Options{}, s.Now)
	me, other := imagetest.Member(t, s, "me"), imagetest.Member(t, s, "other")
	upload := func(member int64, avatar bool) image.Image {
		img, err := svc.Upload(ctx, member, imagetest.PNG(t, 30, 20), avatar)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MakeThumbnail(ctx, img.ID, image.NewLimiter(1)); err != nil {
			t.Fatal(err)
		}
		return img
	}
	mine, avatar, theirs := upload(me, false), upload(me, true), upload(other, false)
	missing := image.NewID()

	// Another member cannot delete my image.
	w, resp := post(t, s, imagetest.Token(t, s, other), `{"imageUrls": ["/api/images/view/`+mine.ID+`"]}`)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	assertData(t, resp, image.Deleted{Deleted: []string{}, NotOwned: []string{mine.ID}, NotFound: []string{}})
	assertStored(t, s, mine)

	// Mine go, in both forms; theirs stays; a missing id is reported.
	body, _ := json.Marshal(map[string][]string{"imageUrls": {
		"/api/images/view/" + mine.ID + "?thumbnail=true",
		avatar.ID,
		"http://localhost:3000/api/images/view/" + theirs.ID,
		missing,
	}})
	w, resp = post(t, s, imagetest.Token(t, s, me), string(body))
	if w.Code != http.StatusOK || resp.Result != "SUCCESS" {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	assertData(t, resp, image.Deleted{Deleted: []string{mine.ID, avatar.ID}, NotOwned: []string{theirs.ID}, NotFound: []string{missing}})
	for _, img := range []image.Image{mine, avatar} {
		for _, key := range []string{img.Key, img.ThumbKey} {
			if _, err := s.Store.Head(ctx, key); !errors.Is(err, minio.ErrNotFound) {
				t.Errorf("%s after delete: %v, want not found", key, err)
			}
		}
	}
	assertStored(t, s, theirs)
	if got := imagetest.Avatar(t, s, me); got != "" {
		t.Errorf("avatar after deleting it = %q, want none", got)
	}
}

func assertData(t *testing.T, resp imagetest.Response, want image.Deleted) {
	t.Helper()
	var got image.Deleted
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		t.Fatalf("data %s: %v", resp.Data, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
}

func assertStored(t *testing.T, s *stack.Stack, img image.Image) {
	t.Helper()
	for _, key := range []string{img.Key, img.ThumbKey} {
		if _, err := s.Store.Head(context.Background(), key); err != nil {
			t.Errorf("%s was removed: %v", key, err)
		}
	}
}

func TestDeleteRejects(t *testing.T) {
	t.Parallel()
	s := imagetest.Stack(t, stack.Redis)
	token := imagetest.Token(t, s, imagetest.Member(t, s, "me"))
	many, _ := json.Marshal(map[string][]string{"imageUrls": strings.Split(strings.Repeat(image.NewID()+",", image.MaxDelete+1), ",")[:image.MaxDelete+1]})
	for _, tc := range []struct {
		name, token, body string
		wantStatus        int
		wantCode          string
	}{
		{"no token", "", `{"imageUrls": ["x"]}`, 401, ""},
		{"no urls", token, `{"imageUrls": []}`, 400, "IMAGE_URLS_REQUIRED"},
		{"missing field", token, `{}`, 400, "IMAGE_URLS_REQUIRED"},
		{"not an image url", token, `{"imageUrls": ["/api/posts/12"]}`, 400, "INVALID_IMAGE_ID"},
		{"path tricks", token, `{"imageUrls": ["/api/images/view/../../etc/passwd"]}`, 400, "INVALID_IMAGE_ID"},
		{"too many", token, string(many), 400, "TOO_MANY_IMAGE_URLS"},
		{"malformed json", token, `{"imageUrls": [`, 400, "MALFORMED_JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, resp := post(t, s, tc.token, tc.body)
			if w.Code != tc.wantStatus || (tc.wantCode != "" && resp.Code != tc.wantCode) {
				t.Errorf("got %d %s, want %d %s", w.Code, resp.Code, tc.wantStatus, tc.wantCode)
			}
		})
	}
}
