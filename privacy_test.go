package dailyfeed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// privacyAuthor is a member of one privacy level with a post, a comment
// on it and a reply to the comment, all holding the test's search word.
type privacyAuthor struct {
	level                 string
	m                     membertest.Member
	post, comment, replyC int64
}

// TestPrivacyLevels reads the content of a PUBLIC, a FRIENDS and a PRIVATE
// member as an anonymous caller, a stranger, a follower and the member
// itself, on every read path that declares what privacy levels hide:
// what a level hides is absent (lists), a card (profiles, summaries) or
// 404 (a post or comment by id); the same callers' new interactions with
// hidden content are the same 404 and change nothing; and a changed level
// applies at once.
func TestPrivacyLevels(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.All)
	srv := dailyfeed.NewShared(s)
	c := &membertest.Client{T: t, Handler: http.HandlerFunc(srv.Handle)}
	word := "privacy" + strings.Map(func(r rune) rune { return 'a' + r - '0' }, strconv.FormatInt(time.Now().UnixNano(), 10))

	must := func(res membertest.Response, status int, what string) membertest.Response {
		t.Helper()
		if res.Status != status {
			t.Fatalf("%s: %d %s", what, res.Status, res.Body)
		}
		return res
	}
	idOf := func(res membertest.Response) int64 {
		t.Helper()
		var v struct {
			ID int64 `json:"id"`
		}
		res.Decode(t, &v)
		return v.ID
	}
	stranger, follower := c.SignUp(), c.SignUp()
	var authors []privacyAuthor
	for _, level := range []string{"PUBLIC", "FRIENDS", "PRIVATE"} {
		a := privacyAuthor{level: level, m: c.SignUp()}
		bearer := membertest.Bearer(a.m.Token)
		must(c.Do("PUT", "/api/members/profile", map[string]any{"privacyLevel": level, "bio": "the bio of " + level}, bearer), http.StatusOK, "set "+level)
		a.post = idOf(must(c.Do("POST", "/api/posts", map[string]any{"content": word + " post of " + level}, bearer), http.StatusCreated, "post"))
		a.comment = idOf(must(c.Do("POST", "/api/comments", map[string]any{"postId": a.post, "content": word + " comment"}, bearer), http.StatusCreated, "comment"))
		a.replyC = idOf(must(c.Do("POST", "/api/comments/replies", map[string]any{"postId": a.post, "parentId": a.comment, "content": word + " reply"}, bearer), http.StatusCreated, "reply"))
		must(c.Do("POST", "/api/members/follow/"+strconv.FormatInt(a.m.ID, 10), nil, membertest.Bearer(follower.Token)), http.StatusCreated, "follow "+level)
		// What the activity log holds once record-activity has seen the
		// author's post and the follower's like of it.
		_, err := s.DB.Exec(context.Background(), `
			INSERT INTO activities (event_id, dedup_key, member_id, activity_type, post_id, target_member_id, created_at, updated_at)
			VALUES ($1, $1, $2, 'POST_CREATE', $3, $2, now(), now()), ($1 || '-like', $1 || '-like', $4, 'LIKE_POST', $3, $2, now(), now())`,
			word+level, a.m.ID, a.post, follower.ID)
		if err != nil {
			t.Fatal(err)
		}
		authors = append(authors, a)
	}

	type reader struct {
		name string
		m    membertest.Member // zero: anonymous
	}
	sees := func(r reader, a privacyAuthor) bool {
		return a.level == "PUBLIC" || r.m.ID == a.m.ID || (a.level == "FRIENDS" && r.m.ID == follower.ID)
	}
	get := func(r reader, method, path string, body any) membertest.Response {
		t.Helper()
		if r.m.Token == "" {
			return c.Do(method, path, body)
		}
		return c.Do(method, path, body, membertest.Bearer(r.m.Token))
	}

	for _, a := range authors {
		post, comment, author := fmt.Sprint(a.post), fmt.Sprint(a.comment), fmt.Sprint(a.m.ID)
		for _, r := range []reader{{"anonymous", membertest.Member{}}, {"a stranger", stranger}, {"a follower", follower}, {"the member", a.m}} {
			visible := sees(r, a)
			who := r.name + " reading " + a.level
			// By id: the content, or the 404 of a missing one.
			for _, tt := range []struct {
				path, code string
				holds      int64 // a thread holds the comment or reply
			}{
				{"/api/timeline/posts/" + post, "POST_NOT_FOUND", 0},
				{"/api/timeline/statistics/posts/" + post, "POST_NOT_FOUND", 0},
				{"/api/timeline/posts/" + post + "/comments", "POST_NOT_FOUND", a.comment},
				{"/api/timeline/comments/" + comment, "COMMENT_NOT_FOUND", 0},
				{"/api/timeline/comments/" + comment + "/replies", "COMMENT_NOT_FOUND", a.replyC},
			} {
				res := get(r, "GET", tt.path, nil)
				switch {
				case visible && res.Status != http.StatusOK:
					t.Errorf("%s: GET %s: %d %s, want 200", who, tt.path, res.Status, res.Body)
				case visible && tt.holds != 0 && !slices.Contains(idsIn(t, res.Data, "id"), tt.holds):
					t.Errorf("%s: GET %s: %s, want %d in it", who, tt.path, res.Data, tt.holds)
				case !visible && (res.Status != http.StatusNotFound || res.Code != tt.code):
					t.Errorf("%s: GET %s: %d %s, want 404 %s", who, tt.path, res.Status, res.Body, tt.code)
				}
			}
			// Lists: the content is there or not.
			lists := []struct {
				method, path string
				body         any
				id           int64
				token        bool
				field        string // of l.id: "id" when empty
			}{
				{"GET", "/api/timeline/posts/authors/" + author, nil, a.post, false, ""},
				{"GET", "/api/timeline/members/" + author + "/comments", nil, a.comment, false, ""},
				{"POST", "/api/timeline/posts/query/list", map[string]any{"ids": []int64{a.post}}, a.post, false, ""},
				{"GET", "/api/timeline/posts/recent-activities?size=50", nil, a.post, false, ""},
				{"GET", "/api/search/posts?size=50&keyword=" + word, nil, a.post, true, ""},
				{"GET", "/api/search/comments?size=50&keyword=" + word, nil, a.comment, true, ""},
				{"GET", "/api/members/" + author + "/followers-followings", nil, follower.ID, false, ""},
				{"GET", "/api/members/" + author + "/followers/more", nil, follower.ID, false, ""},
			}
			if r.m.ID == follower.ID {
				lists = append(lists, struct {
					method, path string
					body         any
					id           int64
					token        bool
					field        string
				}{"GET", "/api/activities", nil, a.post, true, "postId"})
			}
			for _, l := range lists {
				if l.token && r.m.Token == "" {
					continue
				}
				if l.field == "" {
					l.field = "id"
				}
				res := get(r, l.method, l.path, l.body)
				if res.Status != http.StatusOK {
					t.Errorf("%s: %s %s: %d %s", who, l.method, l.path, res.Status, res.Body)
					continue
				}
				if got := slices.Contains(idsIn(t, res.Data, l.field), l.id); got != visible {
					t.Errorf("%s: %s %s holds %d: %v, want %v (%s)", who, l.method, l.path, l.id, got, visible, res.Data)
				}
			}
			// Profiles and summaries: whole, or the card.
			if r.m.Token == "" {
				continue
			}
			for _, p := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/api/members/" + author + "/profile", nil},
				{"GET", "/api/members/profile/" + author, nil},
				{"GET", "/api/members/profile/@" + a.m.Handle, nil},
				{"GET", "/api/members/" + author + "/summary", nil},
				{"POST", "/api/members/query/in", map[string]any{"ids": []int64{a.m.ID}}},
			} {
				res := must(get(r, p.method, p.path, p.body), http.StatusOK, who+" "+p.path)
				checkCard(t, who+": "+p.method+" "+p.path, res.Data, a.m.ID, !visible)
			}
		}
	}

	// In the lists of others (recommendations to the stranger, the
	// follower's followings read by the stranger) each member is whole or
	// a card.
	for _, path := range []string{"/api/members/follow/recommend/newbie?size=50", fmt.Sprintf("/api/members/%d/followings/more?size=50", follower.ID)} {
		res := must(c.Do("GET", path, nil, membertest.Bearer(stranger.Token)), http.StatusOK, path)
		var page struct {
			Content []json.RawMessage `json:"content"`
		}
		res.Decode(t, &page)
		for _, a := range authors {
			found := false
			for _, raw := range page.Content {
				var m struct {
					MemberID int64 `json:"memberId"`
				}
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
				if m.MemberID == a.m.ID {
					found = true
					checkCard(t, "the stranger: GET "+path+": "+a.level, raw, a.m.ID, !sees(reader{m: stranger}, a))
				}
			}
			if !found {
				t.Errorf("the stranger: GET %s: no %s member in %s", path, a.level, res.Data)
			}
		}
	}

	// The follower's feed and own log: posts the follower may not see are
	// left out, its like of one is an activity on deleted content.
	feed := must(c.Do("GET", "/api/timeline/posts/followings?size=50", nil, membertest.Bearer(follower.Token)), http.StatusOK, "feed")
	mine := must(c.Do("GET", "/api/activities/me?size=50", nil, membertest.Bearer(follower.Token)), http.StatusOK, "my activities")
	var log struct {
		Content []struct {
			PostID *int64 `json:"postId"`
			Target struct {
				Deleted bool    `json:"deleted"`
				Snippet *string `json:"snippet"`
			} `json:"target"`
		} `json:"content"`
	}
	mine.Decode(t, &log)
	for _, a := range authors {
		visible := a.level != "PRIVATE"
		if got := slices.Contains(idsIn(t, feed.Data, "id"), a.post); got != visible {
			t.Errorf("the follower's feed holds the %s post: %v, want %v", a.level, got, visible)
		}
		found := false
		for _, it := range log.Content {
			if it.PostID != nil && *it.PostID == a.post {
				found = true
				if it.Target.Deleted == visible || (it.Target.Snippet != nil) != visible {
					t.Errorf("the follower's like of the %s post: deleted %v, snippet %v", a.level, it.Target.Deleted, it.Target.Snippet)
				}
			}
		}
		if !found {
			t.Errorf("the follower's like of the %s post is not in its log: %s", a.level, mine.Data)
		}
	}

	// New interactions with hidden content are 404 and change nothing.
	state := func(post int64) string {
		t.Helper()
		var got string
		err := s.DB.QueryRow(context.Background(), `
			SELECT (SELECT like_count || '/' || comment_count FROM posts WHERE id = $1)
			    || ' ' || (SELECT count(*) FROM comments WHERE post_id = $1)
			    || ' ' || (SELECT count(*) FROM post_likes WHERE post_id = $1)
			    || ' ' || (SELECT count(*) FROM comment_likes l JOIN comments c ON c.id = l.comment_id WHERE c.post_id = $1)
			    || ' ' || (SELECT string_agg(like_count || '/' || reply_count, ',' ORDER BY id) FROM comments WHERE post_id = $1)`,
			post).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, a := range authors {
		for _, r := range []reader{{"a stranger", stranger}, {"a follower", follower}} {
			visible := sees(r, a)
			before := state(a.post)
			for _, tt := range []struct {
				method, path string
				body         any
				ok           int
				code         string
			}{
				{"POST", fmt.Sprintf("/api/posts/%d/like", a.post), nil, http.StatusOK, "POST_NOT_FOUND"},
				{"POST", "/api/comments", map[string]any{"postId": a.post, "content": "hello"}, http.StatusCreated, "POST_NOT_FOUND"},
				{"POST", "/api/comments/replies", map[string]any{"postId": a.post, "parentId": a.comment, "content": "hello"}, http.StatusCreated, "COMMENT_NOT_FOUND"},
				{"POST", fmt.Sprintf("/api/comments/%d/like", a.comment), nil, http.StatusOK, "COMMENT_NOT_FOUND"},
			} {
				res := get(r, tt.method, tt.path, tt.body)
				switch {
				case visible && res.Status != tt.ok:
					t.Errorf("%s on %s: %s %s: %d %s, want %d", r.name, a.level, tt.method, tt.path, res.Status, res.Body, tt.ok)
				case !visible && (res.Status != http.StatusNotFound || res.Code != tt.code):
					t.Errorf("%s on %s: %s %s: %d %s, want 404 %s", r.name, a.level, tt.method, tt.path, res.Status, res.Body, tt.code)
				}
			}
			if after := state(a.post); !visible && after != before {
				t.Errorf("%s on %s: the post changed: %s -> %s", r.name, a.level, before, after)
			}
		}
	}

	// A level changes at once: the private member goes public.
	private := authors[2]
	path := fmt.Sprintf("/api/timeline/posts/%d", private.post)
	must(c.Do("GET", path, nil, membertest.Bearer(stranger.Token)), http.StatusNotFound, "the private post")
	must(c.Do("PUT", "/api/members/profile", map[string]any{"privacyLevel": "PUBLIC"}, membertest.Bearer(private.m.Token)), http.StatusOK, "go public")
	must(c.Do("GET", path, nil, membertest.Bearer(stranger.Token)), http.StatusOK, "the post gone public")
}

// idsIn returns the field ("id" or "postId") of every object in the
// content of data: a page, both pages of a follow list, or an array.
func idsIn(t *testing.T, data json.RawMessage, field string) []int64 {
	t.Helper()
	type page struct {
		Content []map[string]any `json:"content"`
	}
	var v struct {
		page
		Followers  page `json:"followers"`
		Followings page `json:"followings"`
	}
	var items []map[string]any
	if len(data) > 0 && data[0] == '[' {
		if err := json.Unmarshal(data, &items); err != nil {
			t.Fatal(err)
		}
	} else {
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		items = append(append(v.Content, v.Followers.Content...), v.Followings.Content...)
	}
	var out []int64
	for _, it := range items {
		if n, ok := it[field].(float64); ok {
			out = append(out, int64(n))
		}
	}
	return out
}

// checkCard checks that data (a profile, a summary or an array of one)
// shows member id, and its bio and counts unless card.
func checkCard(t *testing.T, what string, data json.RawMessage, id int64, card bool) {
	t.Helper()
	if len(data) > 0 && data[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil || len(list) != 1 {
			t.Errorf("%s: %s, want one member", what, data)
			return
		}
		data = list[0]
	}
	var m struct {
		MemberID       int64   `json:"memberId"`
		Handle         string  `json:"handle"`
		Bio            *string `json:"bio"`
		Location       *string `json:"location"`
		FollowersCount int64   `json:"followersCount"`
		PrivacyLevel   string  `json:"privacyLevel"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.MemberID != id || m.Handle == "" {
		t.Errorf("%s: %s, want member %d with its handle", what, data, id)
	}
	if hidden := m.Bio == nil && m.FollowersCount == 0; hidden != card {
		t.Errorf("%s: %s, want the card only: %v", what, data, card)
	}
}
