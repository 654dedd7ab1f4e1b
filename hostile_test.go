package dailyfeed_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// TestTextPostgresCannotStore: a NUL (escaped \u0000) or bytes that are not
// UTF-8, in any JSON string of any request or in a path or query
// parameter, are 400 VALIDATION_FAILED and write nothing, where they used to
// reach PostgreSQL and fail as 500.
func TestTextPostgresCannotStore(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.All)
	srv := dailyfeed.NewShared(s)
	c := &membertest.Client{T: t, Handler: http.HandlerFunc(srv.Handle)}
	m := c.SignUp()
	count := func(table string) int {
		t.Helper()
		var n int
		if err := s.DB.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	members, posts := count("members"), count("posts")

	signup := func(bio string) []byte {
		return []byte(`{"email":"nul@example.com","password":"Test-pass1!","memberName":"N","handle":"nul_1","gender":"OTHER","countryCode":"KR","bio":"` + bio + `"}`)
	}
	bad := []struct {
		name, method, path string
		body               []byte
		token              bool
	}{
		{"signup bio with NUL", "POST", "/api/authentication/signup", signup(`ab\u0000cd`), false},
		{"signup bio not UTF-8", "POST", "/api/authentication/signup", signup("ab\xff\xfecd"), false},
		{"login e-mail with NUL", "POST", "/api/authentication/login", []byte(`{"email":"a\u0000b@example.com","password":"x"}`), false},
		{"login real e-mail then NUL", "POST", "/api/authentication/login", []byte(`{"email":"` + m.Email + `\u0000","password":"` + membertest.Password + `"}`), false},
		{"login key with NUL", "POST", "/api/authentication/login", []byte(`{"email\u0000":"x","email":"` + m.Email + `","password":"` + membertest.Password + `"}`), false},
		{"profile bio with NUL", "PUT", "/api/members/profile", []byte(`{"bio":"\u0000"}`), true},
		{"profile bio not UTF-8", "PUT", "/api/members/profile", []byte("{\"bio\":\"\xc3\x28\"}"), true},
		{"post content with NUL", "POST", "/api/posts", []byte(`{"title":"t","content":"hello\u0000world"}`), true},
		{"search keyword with NUL", "GET", "/api/search/posts?keyword=" + url.QueryEscape("ab\x00cd"), nil, true},
		{"search keyword not UTF-8", "GET", "/api/search/posts?keyword=%ff%fe", nil, true},
		{"handle in path with NUL", "GET", "/api/members/profile/@ab%00cd", nil, true},
		{"cursor with NUL", "GET", "/api/timeline/posts?cursor=%00", nil, true},
	}
	for _, tt := range bad {
		var opts []membertest.Request
		if tt.token {
			opts = append(opts, membertest.Bearer(m.Token))
		}
		var body any
		if tt.body != nil {
			body = tt.body
		}
		res := c.Do(tt.method, tt.path, body, opts...)
		if res.Status != http.StatusBadRequest || res.Code != "VALIDATION_FAILED" {
			t.Errorf("%s: %d %s %s, want 400 VALIDATION_FAILED", tt.name, res.Status, res.Code, res.Body)
		}
	}
	if n := count("members"); n != members {
		t.Errorf("members: %d, want %d", n, members)
	}
	if n := count("posts"); n != posts {
		t.Errorf("posts: %d, want %d", n, posts)
	}
	var bio *string
	if err := s.DB.QueryRow(context.Background(), "SELECT bio FROM members WHERE id = $1", m.ID).Scan(&bio); err != nil {
		t.Fatal(err)
	}
	if bio != nil && *bio != "" {
		t.Errorf("bio changed to %q", *bio)
	}

	// An escaped backslash before u0000 is the text `\u0000`, not a NUL.
	res := c.Do("PUT", "/api/members/profile", []byte(`{"bio":"a\\u0000b"}`), membertest.Bearer(m.Token))
	if res.Status != http.StatusOK {
		t.Errorf("bio with a literal backslash-u0000: %d %s", res.Status, res.Body)
	}
}

// TestNoNewInteractionWithDeactivatedAuthor: once a member is deactivated,
// its post and comment stay readable, but a new like, comment or reply on
// them is 409 AUTHOR_DEACTIVATED and changes no count or row.
func TestNoNewInteractionWithDeactivatedAuthor(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.All)
	srv := dailyfeed.NewShared(s)
	c := &membertest.Client{T: t, Handler: http.HandlerFunc(srv.Handle)}
	author, reader := c.SignUp(), c.SignUp()
	id := func(res membertest.Response) string {
		t.Helper()
		var v struct {
			ID int64 `json:"id"`
		}
		res.Decode(t, &v)
		if v.ID == 0 {
			t.Fatalf("no id in %d %s", res.Status, res.Body)
		}
		return strconv.FormatInt(v.ID, 10)
	}
	post := id(c.Do("POST", "/api/posts", map[string]any{"content": "soon gone"}, membertest.Bearer(author.Token)))
	own := id(c.Do("POST", "/api/comments", map[string]any{"postId": post, "content": "by the author"}, membertest.Bearer(author.Token)))
	mine := id(c.Do("POST", "/api/comments", map[string]any{"postId": post, "content": "by the reader"}, membertest.Bearer(reader.Token)))
	if res := c.Do("DELETE", "/api/authentication/deactivate", nil, membertest.Bearer(author.Token)); res.Status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", res.Status, res.Body)
	}
	state := func() string {
		t.Helper()
		var got string
		err := s.DB.QueryRow(context.Background(), `
			SELECT (SELECT like_count || '/' || comment_count FROM posts WHERE id = $1)
			    || ' ' || (SELECT string_agg(like_count || '/' || reply_count, ',' ORDER BY id) FROM comments)
			    || ' ' || (SELECT count(*) FROM comments) || ' ' || (SELECT count(*) FROM post_likes)
			    || ' ' || (SELECT count(*) FROM comment_likes)`, post).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	before := state()
	for _, tt := range []struct {
		name, method, path string
		body               any
	}{
		{"like the post", "POST", "/api/posts/" + post + "/like", nil},
		{"comment on the post", "POST", "/api/comments", map[string]any{"postId": post, "content": "hello?"}},
		{"reply to the author's comment", "POST", "/api/comments/replies", map[string]any{"postId": post, "parentId": own, "content": "hello?"}},
		{"reply on the author's post", "POST", "/api/comments/replies", map[string]any{"postId": post, "parentId": mine, "content": "hello?"}},
		{"like the author's comment", "POST", "/api/comments/" + own + "/like", nil},
	} {
		res := c.Do(tt.method, tt.path, tt.body, membertest.Bearer(reader.Token))
		if res.Status != http.StatusConflict || res.Code != "AUTHOR_DEACTIVATED" {
			t.Errorf("%s: %d %s %s, want 409 AUTHOR_DEACTIVATED", tt.name, res.Status, res.Code, res.Body)
		}
	}
	if after := state(); after != before {
		t.Errorf("state changed: %s -> %s", before, after)
	}
	// Reads stay; the deactivated member itself can no longer act.
	if res := c.Do("GET", "/api/timeline/posts/"+post, nil); res.Status != http.StatusOK {
		t.Errorf("read the post: %d %s", res.Status, res.Body)
	}
	if res := c.Do("POST", "/api/comments/"+mine+"/like", nil, membertest.Bearer(author.Token)); res.Status != http.StatusUnauthorized {
		t.Errorf("the deactivated member's own token: %d, want 401", res.Status)
	}
}
