package queryposts_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	queryposts "github.com/dailyfeed/dailyfeed/functions/query-posts"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// TestQueryPosts: {ids} → the live posts among them in the order of ids,
// deleted, unknown and repeated ids left out; numeric strings accepted;
// liked and true counts for the reader; more than 1000 ids, non-numeric or
// non-positive ids and malformed bodies 400.
func TestQueryPosts(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(queryposts.New())
	author, reader := e.Member(), e.Member()
	p1 := e.Post(author, "p1").ID
	p2 := e.Post(reader, "p2").ID
	p3 := e.Post(author, "p3, deleted").ID
	p4 := e.Post(author, "p4").ID
	e.DeletePost(author, p3)
	e.LikePost(reader, p4)
	e.Comment(reader, p4, "a comment")

	tooMany := make([]int64, timeline.MaxQueryIDs+1)
	for i := range tooMany {
		tooMany[i] = int64(i + 1)
	}
	tests := []struct {
		name   string
		as     contenttest.Member
		body   any
		status int
		code   string
		want   []int64
	}{
		{name: "in the order of ids", body: map[string]any{"ids": []int64{p4, p1, p2}}, status: 200, want: []int64{p4, p1, p2}},
		{name: "deleted, unknown and repeated left out", as: reader, body: map[string]any{"ids": []int64{p2, 999999999, p3, p4, p2, p1}}, status: 200, want: []int64{p2, p4, p1}},
		{name: "numeric strings", body: map[string]any{"ids": []string{fmt.Sprint(p1), fmt.Sprint(p4)}}, status: 200, want: []int64{p1, p4}},
		{name: "no ids", body: map[string]any{"ids": []int64{}}, status: 200, want: []int64{}},
		{name: "ids missing", body: map[string]any{}, status: 200, want: []int64{}},
		{name: "only deleted", body: map[string]any{"ids": []int64{p3}}, status: 200, want: []int64{}},
		{name: "exactly the limit", body: map[string]any{"ids": tooMany[:timeline.MaxQueryIDs]}, status: 200, want: []int64{p1, p2, p4}},
		{name: "above the limit", body: map[string]any{"ids": tooMany}, status: 400, code: "VALIDATION_FAILED"},
		{name: "non-numeric id", body: map[string]any{"ids": []string{"1", "abc"}}, status: 400, code: "VALIDATION_FAILED"},
		{name: "zero id", body: map[string]any{"ids": []int64{p1, 0}}, status: 400, code: "VALIDATION_FAILED"},
		{name: "negative id", body: map[string]any{"ids": []int64{-p1}}, status: 400, code: "VALIDATION_FAILED"},
		{name: "ids not a list", body: map[string]any{"ids": p1}, status: 400, code: "VALIDATION_FAILED"},
		{name: "malformed JSON", body: []byte(`{"ids": [1,`), status: 400, code: "MALFORMED_JSON"},
		{name: "empty body", body: []byte(``), status: 400, code: "MALFORMED_JSON"},
		{name: "bad token", as: contenttest.Member{Token: "bad"}, body: map[string]any{"ids": []int64{p1}}, status: 401, code: "TOKEN_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := contenttest.Auth(tt.as)
			res := c.Do("POST", "/api/timeline/posts/query/list", tt.body, opts...)
			contenttest.Want(t, res, tt.status, tt.code)
			if tt.status != http.StatusOK {
				return
			}
			if !strings.HasPrefix(strings.TrimSpace(string(res.Data)), "[") {
				t.Fatalf("data is not a list: %s", res.Data)
			}
			var posts []timeline.Post
			res.Decode(t, &posts)
			got := []int64{}
			for _, p := range posts {
				got = append(got, p.ID)
				if p.ID == p4 {
					if p.LikeCount != 1 || p.CommentCount != 1 || p.Liked != (tt.as.ID == reader.ID) {
						t.Errorf("p4: %d likes %d comments liked %v", p.LikeCount, p.CommentCount, p.Liked)
					}
				}
				if p.Author.ID != p.AuthorID || p.Author.Handle == "" || p.AuthorHandle != p.Author.Handle {
					t.Errorf("post %d author %+v", p.ID, p.Author)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("posts %v, want %v", got, tt.want)
			}
		})
	}
}
