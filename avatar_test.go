package dailyfeed_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// TestAvatarURLKeepsTheClientsForm: a profile saved with the original
// frontend's avatarUrl (/api/proxy/images/view/{id}, the caller's own
// image) reads back in that form everywhere the member's avatar appears;
// another member's image or another form is a 400 that changes nothing; ""
// removes the avatar; a profile upload gives the canonical form.
func TestAvatarURLKeepsTheClientsForm(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.All)
	srv := dailyfeed.NewShared(s)
	c := &membertest.Client{T: t, Handler: http.HandlerFunc(srv.Handle)}
	a, b, newbie := c.SignUp(), c.SignUp(), c.SignUp()
	upload := func(m membertest.Member, path string) string {
		t.Helper()
		body, ct := imagetest.Multipart(t, "image", "a.png", "image/png", imagetest.PNG(t, 8, 8))
		res := c.Do("POST", path, body.Bytes(), membertest.Bearer(m.Token), contentType(ct))
		if res.Status != http.StatusCreated {
			t.Fatalf("upload: %d %s", res.Status, res.Body)
		}
		var id string
		res.Decode(t, &id)
		return id
	}
	mine, theirs := upload(a, "/api/images/upload"), upload(b, "/api/images/upload")
	save := func(url string, status int) {
		t.Helper()
		res := c.Do("PUT", "/api/members/profile", map[string]any{"avatarUrl": url}, membertest.Bearer(a.Token))
		if res.Status != status {
			t.Fatalf("save avatarUrl %q: %d %s, want %d", url, res.Status, res.Body, status)
		}
	}
	form := "/api/proxy/images/view/" + mine
	save(form, http.StatusOK)

	post := w(t, c.Do("POST", "/api/posts", map[string]any{"content": "with an avatar"}, membertest.Bearer(a.Token)), http.StatusCreated)
	var p struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(post, &p) //nolint:errcheck
	w(t, c.Do("POST", "/api/comments", map[string]any{"postId": p.ID, "content": "a comment"}, membertest.Bearer(a.Token)), http.StatusCreated)
	w(t, c.Do("POST", fmt.Sprintf("/api/members/follow/%d", a.ID), nil, membertest.Bearer(b.Token)), http.StatusCreated)

	reads := []struct {
		path string
		as   membertest.Member
	}{
		{"/api/members/profile", a},
		{"/api/members/summary", a},
		{fmt.Sprintf("/api/members/%d/summary", a.ID), b},
		{fmt.Sprintf("/api/members/%d/profile", a.ID), b},
		{"/api/members/profile/@" + a.Handle, b},
		{fmt.Sprintf("/api/timeline/posts/%d", p.ID), b},
		{fmt.Sprintf("/api/timeline/posts/%d/comments", p.ID), b},
		{fmt.Sprintf("/api/timeline/posts/authors/%d", a.ID), b},
		{fmt.Sprintf("/api/timeline/members/%d/comments", a.ID), b},
		{"/api/members/followings/more", b},
		{"/api/members/follow/recommend/newbie", newbie},
	}
	check := func(want any) {
		t.Helper()
		for _, r := range reads {
			var doc any
			if err := json.Unmarshal(w(t, c.Do("GET", r.path, nil, membertest.Bearer(r.as.Token)), http.StatusOK), &doc); err != nil {
				t.Fatal(err)
			}
			found := 0
			walk(doc, func(o map[string]any) {
				if num(o["authorId"]) == a.ID {
					found++
					if o["authorAvatarUrl"] != want {
						t.Errorf("%s: authorAvatarUrl %v, want %v", r.path, o["authorAvatarUrl"], want)
					}
				}
				if _, ok := o["avatarUrl"]; ok && (num(o["memberId"]) == a.ID) {
					found++
					if o["avatarUrl"] != want {
						t.Errorf("%s: avatarUrl %v, want %v", r.path, o["avatarUrl"], want)
					}
				}
			})
			if found == 0 {
				t.Errorf("%s: the member's avatar appears nowhere in %v", r.path, doc)
			}
		}
	}
	check(form)

	// Refused, and nothing changes.
	save("/api/proxy/images/view/"+theirs, http.StatusBadRequest)
	save("https://elsewhere.example/a.png", http.StatusBadRequest)
	save("/api/images/view/"+mine+"/../x", http.StatusBadRequest)
	check(form)

	save("/api/images/view/"+mine, http.StatusOK)
	check("/api/images/view/" + mine)
	save(form, http.StatusOK)
	save("", http.StatusOK)
	check(nil)

	save(form, http.StatusOK)
	avatar := upload(a, "/api/images/upload/profile")
	check("/api/images/view/" + avatar)
}

// w checks res's status and returns its data.
func w(t *testing.T, res membertest.Response, status int) []byte {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%d %s, want %d", res.Status, res.Body, status)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &env); err != nil {
		t.Fatal(err)
	}
	return env.Data
}

func walk(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(x)
		for _, e := range x {
			walk(e, f)
		}
	case []any:
		for _, e := range x {
			walk(e, f)
		}
	}
}

func num(v any) int64 {
	n, _ := v.(float64)
	return int64(n)
}
