package contenttest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/follow"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
)

const dedup = "member_activity:kafka_event:"

// oneEvent checks that exactly one outbox row was written after `after`,
// of CloudEvent type typ from function, keyed by key, and returns it.
func oneEvent(t *testing.T, e *contenttest.Env, after int64, typ, function, key string) contenttest.Event {
	t.Helper()
	evs := e.Outbox(after)
	if len(evs) != 1 {
		t.Fatalf("%d outbox rows after the write, want 1: %+v", len(evs), evs)
	}
	ev := evs[0]
	if ev.Type != typ || ev.Source != "/dailyfeed/"+function || ev.Key != key {
		t.Errorf("event %s from %s keyed %s, want %s from /dailyfeed/%s keyed %s", ev.Type, ev.Source, ev.Key, typ, function, key)
	}
	return ev
}

// noEvent checks that nothing was added to the outbox after `after`.
func noEvent(t *testing.T, e *contenttest.Env, after int64) {
	t.Helper()
	if evs := e.Outbox(after); len(evs) != 0 {
		t.Errorf("a failed write left %d outbox rows: %+v", len(evs), evs)
	}
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestPostLifecycle(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	author, other := e.Member(), e.Member()

	// Create: 201 with the post, the author's member id, one POST_CREATE.
	before := e.LastOutboxID()
	res := e.Do(author, "POST", "/api/posts", map[string]any{"title": " Hello ", "content": "  첫 글 first post  "})
	contenttest.Want(t, res, http.StatusCreated, "")
	var p content.Post
	res.Decode(t, &p)
	if p.ID <= 0 || p.AuthorID != author.ID || p.Content != "첫 글 first post" || p.Title == nil || *p.Title != "Hello" ||
		p.AuthorHandle == "" || p.AuthorName == "" || p.Liked || p.LikeCount != 0 || p.CommentCount != 0 || p.CreatedAt.IsZero() {
		t.Errorf("created post %+v", p)
	}
	ev := oneEvent(t, e, before, "dailyfeed.post.created.v1", "create-post", id(p.ID))
	if want := fmt.Sprintf("%sPOST_CREATE###%d###%d", dedup, p.ID, author.ID); ev.DedupKey != want {
		t.Errorf("dedup key %q, want %q", ev.DedupKey, want)
	}
	if d := ev.Data; d.MemberID != author.ID || d.PostID != p.ID || d.TargetMemberID != author.ID || d.MemberActivityType != "POST_CREATE" {
		t.Errorf("payload %+v", d)
	}

	// Another member can neither update nor delete it.
	before = e.LastOutboxID()
	contenttest.Want(t, e.Do(other, "PUT", "/api/posts/"+id(p.ID), map[string]any{"content": "mine now"}), http.StatusForbidden, "POST_FORBIDDEN")
	contenttest.Want(t, e.Do(other, "DELETE", "/api/posts/"+id(p.ID), nil), http.StatusForbidden, "POST_FORBIDDEN")
	noEvent(t, e, before)

	// The author updates it: absent title stays, 200 with the post.
	res = e.Do(author, "PUT", "/api/posts/"+id(p.ID), map[string]any{"content": "edited"})
	contenttest.Want(t, res, http.StatusOK, "")
	var u content.Post
	res.Decode(t, &u)
	if u.Content != "edited" || u.Title == nil || *u.Title != "Hello" || !u.UpdatedAt.After(p.CreatedAt) && !u.UpdatedAt.Equal(p.CreatedAt) {
		t.Errorf("updated post %+v", u)
	}
	ev = oneEvent(t, e, before, "dailyfeed.post.updated.v1", "update-post", id(p.ID))
	if prefix := fmt.Sprintf("%sPOST_UPDATE###%d###%d###", dedup, p.ID, author.ID); !strings.HasPrefix(ev.DedupKey, prefix) {
		t.Errorf("dedup key %q, want prefix %q", ev.DedupKey, prefix)
	}
	// An empty title removes it.
	res = e.Do(author, "PUT", "/api/posts/"+id(p.ID), map[string]any{"title": ""})
	res.Decode(t, &u)
	if res.Status != http.StatusOK || u.Title != nil || u.Content != "edited" {
		t.Errorf("title removal: %d %s", res.Status, res.Body)
	}

	// The author deletes it: 200 with a small body, one POST_DELETE.
	before = e.LastOutboxID()
	res = e.Do(author, "DELETE", "/api/posts/"+id(p.ID), nil)
	contenttest.Want(t, res, http.StatusOK, "")
	var d content.PostDeleted
	res.Decode(t, &d)
	if d.ID != p.ID || !d.Deleted {
		t.Errorf("delete answered %s", res.Body)
	}
	oneEvent(t, e, before, "dailyfeed.post.deleted.v1", "delete-post", id(p.ID))

	// A deleted post is 404 to every write, its author's included.
	before = e.LastOutboxID()
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PUT", "/api/posts/" + id(p.ID), map[string]any{"content": "again"}},
		{"DELETE", "/api/posts/" + id(p.ID), nil},
		{"POST", "/api/posts/" + id(p.ID) + "/like", nil},
		{"DELETE", "/api/posts/" + id(p.ID) + "/like", nil},
		{"POST", "/api/comments", map[string]any{"postId": p.ID, "content": "late"}},
	} {
		contenttest.Want(t, e.Do(author, c.method, c.path, c.body), http.StatusNotFound, "POST_NOT_FOUND")
	}
	noEvent(t, e, before)
}

// TestBadInputChangesNothing: every rule is a 4xx with a stable code, and
// leaves no row and no outbox event.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	me, other := e.Member(), e.Member()
	post := e.Post(me, "a post")
	otherPost := e.Post(other, "another post")
	top := e.Comment(me, post.ID, "top")
	theirs := e.Comment(other, post.ID, "theirs")
	r1 := e.Reply(me, post.ID, top.ID, "depth 1")
	r2 := e.Reply(me, post.ID, r1.ID, "depth 2")

	long := func(n int) string { return strings.Repeat("가", n) }
	pid, cid := id(post.ID), id(top.ID)
	anon := contenttest.Member{}
	tests := []struct {
		name         string
		as           contenttest.Member
		method, path string
		body         any
		status       int
		code         string
	}{
		{"no token", anon, "POST", "/api/posts", map[string]any{"content": "x"}, 401, "TOKEN_MISSING"},
		{"bad token", contenttest.Member{Token: "nope"}, "POST", "/api/posts", map[string]any{"content": "x"}, 401, "TOKEN_INVALID"},
		{"malformed JSON", me, "POST", "/api/posts", []byte(`{"content": `), 400, "MALFORMED_JSON"},
		{"empty body", me, "POST", "/api/posts", []byte(``), 400, "MALFORMED_JSON"},
		{"two JSON values", me, "POST", "/api/posts", []byte(`{"content":"a"}{}`), 400, "MALFORMED_JSON"},
		{"oversized body", me, "POST", "/api/posts", []byte(`{"content":"` + strings.Repeat("a", 1<<20) + `"}`), 413, "PAYLOAD_TOO_LARGE"},
		{"content missing", me, "POST", "/api/posts", map[string]any{"title": "t"}, 400, "VALIDATION_FAILED"},
		{"content blank", me, "POST", "/api/posts", map[string]any{"content": " \n\t "}, 400, "VALIDATION_FAILED"},
		{"content not a string", me, "POST", "/api/posts", map[string]any{"content": 5}, 400, "VALIDATION_FAILED"},
		{"content 5001 chars", me, "POST", "/api/posts", map[string]any{"content": long(5001)}, 400, "VALIDATION_FAILED"},
		{"title 201 chars", me, "POST", "/api/posts", map[string]any{"content": "x", "title": long(201)}, 400, "VALIDATION_FAILED"},
		{"update: non-numeric id", me, "PUT", "/api/posts/abc", map[string]any{"content": "x"}, 400, "VALIDATION_FAILED"},
		{"update: no field", me, "PUT", "/api/posts/" + pid, map[string]any{}, 400, "VALIDATION_FAILED"},
		{"update: content 5001", me, "PUT", "/api/posts/" + pid, map[string]any{"content": long(5001)}, 400, "VALIDATION_FAILED"},
		{"update: unknown post", me, "PUT", "/api/posts/999999", map[string]any{"content": "x"}, 404, "POST_NOT_FOUND"},
		{"update: not the author", other, "PUT", "/api/posts/" + pid, map[string]any{"content": "x"}, 403, "POST_FORBIDDEN"},
		{"delete: zero id", me, "DELETE", "/api/posts/0", nil, 400, "VALIDATION_FAILED"},
		{"delete: not the author", other, "DELETE", "/api/posts/" + pid, nil, 403, "POST_FORBIDDEN"},
		{"like: negative id", me, "POST", "/api/posts/-1/like", nil, 400, "VALIDATION_FAILED"},
		{"like: unknown post", me, "POST", "/api/posts/999999/like", nil, 404, "POST_NOT_FOUND"},
		{"unlike: not liked", me, "DELETE", "/api/posts/" + pid + "/like", nil, 404, "LIKE_NOT_FOUND"},
		{"comment: postId missing", me, "POST", "/api/comments", map[string]any{"content": "x"}, 400, "VALIDATION_FAILED"},
		{"comment: postId not numeric", me, "POST", "/api/comments", map[string]any{"postId": "abc", "content": "x"}, 400, "VALIDATION_FAILED"},
		{"comment: content missing", me, "POST", "/api/comments", map[string]any{"postId": post.ID}, 400, "VALIDATION_FAILED"},
		{"comment: 1001 chars", me, "POST", "/api/comments", map[string]any{"postId": post.ID, "content": long(1001)}, 400, "VALIDATION_FAILED"},
		{"comment: unknown post", me, "POST", "/api/comments", map[string]any{"postId": 999999, "content": "x"}, 404, "POST_NOT_FOUND"},
		{"reply: parentId missing", me, "POST", "/api/comments/replies", map[string]any{"postId": post.ID, "content": "x"}, 400, "VALIDATION_FAILED"},
		{"reply: unknown parent", me, "POST", "/api/comments/replies", map[string]any{"postId": post.ID, "parentId": 999999, "content": "x"}, 404, "COMMENT_NOT_FOUND"},
		{"reply: parent on another post", me, "POST", "/api/comments/replies", map[string]any{"postId": otherPost.ID, "parentId": top.ID, "content": "x"}, 400, "REPLY_POST_MISMATCH"},
		{"reply: fourth level", me, "POST", "/api/comments/replies", map[string]any{"postId": post.ID, "parentId": r2.ID, "content": "x"}, 400, "REPLY_DEPTH_EXCEEDED"},
		{"reply: 1001 chars", me, "POST", "/api/comments/replies", map[string]any{"postId": post.ID, "parentId": top.ID, "content": long(1001)}, 400, "VALIDATION_FAILED"},
		{"update comment: blank", me, "PUT", "/api/comments/" + cid, map[string]any{"content": "  "}, 400, "VALIDATION_FAILED"},
		{"update comment: not the author", me, "PUT", "/api/comments/" + id(theirs.ID), map[string]any{"content": "x"}, 403, "COMMENT_FORBIDDEN"},
		{"update comment: unknown", me, "PUT", "/api/comments/999999", map[string]any{"content": "x"}, 404, "COMMENT_NOT_FOUND"},
		{"delete comment: not the author", other, "DELETE", "/api/comments/" + cid, nil, 403, "COMMENT_FORBIDDEN"},
		{"delete comment: non-numeric", me, "DELETE", "/api/comments/x1", nil, 400, "VALIDATION_FAILED"},
		{"like comment: unknown", me, "POST", "/api/comments/999999/like", nil, 404, "COMMENT_NOT_FOUND"},
		{"unlike comment: not liked", me, "DELETE", "/api/comments/" + cid + "/like", nil, 404, "LIKE_NOT_FOUND"},
		{"follow: self", me, "POST", "/api/members/follow/" + id(me.ID), nil, 400, "CANNOT_FOLLOW_SELF"},
		{"follow: unknown member", me, "POST", "/api/members/follow/999999", nil, 404, "MEMBER_NOT_FOUND"},
		{"follow: non-numeric", me, "POST", "/api/members/follow/kim", nil, 400, "VALIDATION_FAILED"},
		{"unfollow: not following", me, "DELETE", "/api/members/follow/" + id(other.ID), nil, 404, "FOLLOW_NOT_FOUND"},
	}
	state := func() string {
		return fmt.Sprint(
			e.Int(`SELECT count(*) FROM posts`), e.Int(`SELECT count(*) FROM posts WHERE deleted_at IS NULL`),
			e.Int(`SELECT count(*) FROM comments`), e.Int(`SELECT count(*) FROM comments WHERE deleted_at IS NULL`),
			e.Int(`SELECT count(*) FROM post_likes`), e.Int(`SELECT count(*) FROM comment_likes`), e.Int(`SELECT count(*) FROM follows`),
			e.Int(`SELECT sum(like_count + comment_count) FROM posts`), e.Int(`SELECT sum(like_count + reply_count) FROM comments`),
			e.Int(`SELECT sum(followers_count + following_count) FROM members`),
			e.Int(`SELECT count(*) FROM posts WHERE updated_at <> created_at`),
			e.Int(`SELECT count(*) FROM comments WHERE updated_at <> created_at`),
		)
	}
	was, before := state(), e.LastOutboxID()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.Do(tc.as, tc.method, tc.path, tc.body)
			contenttest.Want(t, res, tc.status, tc.code)
			if res.Message == "" || !bytes.Contains(res.Body, []byte(`"path":`)) {
				t.Errorf("error body without message or path: %s", res.Body)
			}
		})
	}
	if now := state(); now != was {
		t.Errorf("bad requests changed the data: %s → %s", was, now)
	}
	noEvent(t, e, before)
}

// TestLimitsAreInclusive: the longest valid texts are accepted, counted in
// characters, not bytes; an id may come as a numeric string.
func TestLimitsAreInclusive(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	me := e.Member()
	res := e.Do(me, "POST", "/api/posts", map[string]any{"content": strings.Repeat("가", 5000), "title": strings.Repeat("é", 200)})
	contenttest.Want(t, res, http.StatusCreated, "")
	var p content.Post
	res.Decode(t, &p)
	res = e.Do(me, "POST", "/api/comments", map[string]any{"postId": id(p.ID), "content": strings.Repeat("😀", 1000)})
	contenttest.Want(t, res, http.StatusCreated, "")
	var c content.Comment
	res.Decode(t, &c)
	if c.PostID != p.ID || c.Depth != 0 || c.ParentID != nil {
		t.Errorf("comment %+v", c)
	}
}

func TestCommentsRepliesAndCascade(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	author, commenter, replier := e.Member(), e.Member(), e.Member()
	post := e.Post(author, "post")

	// A comment: depth 0, COMMENT_CREATE keyed by the comment, aimed at the
	// post's author, its dedup key with the comment id.
	before := e.LastOutboxID()
	top := e.Comment(commenter, post.ID, "top")
	if top.Depth != 0 || top.ParentID != nil || top.AuthorID != commenter.ID || top.PostID != post.ID {
		t.Errorf("comment %+v", top)
	}
	ev := oneEvent(t, e, before, "dailyfeed.comment.created.v1", "create-comment", id(top.ID))
	if want := fmt.Sprintf("%sCOMMENT_CREATE###%d###%d", dedup, top.ID, commenter.ID); ev.DedupKey != want {
		t.Errorf("dedup key %q, want %q", ev.DedupKey, want)
	}
	if d := ev.Data; d.MemberID != commenter.ID || d.PostID != post.ID || d.CommentID != top.ID || d.TargetMemberID != author.ID {
		t.Errorf("payload %+v", d)
	}

	// Replies to depth 2, each aimed at its parent's author.
	before = e.LastOutboxID()
	r1 := e.Reply(replier, post.ID, top.ID, "r1")
	ev = oneEvent(t, e, before, "dailyfeed.comment.created.v1", "create-reply", id(r1.ID))
	if ev.Data.TargetMemberID != commenter.ID {
		t.Errorf("reply event aimed at %d, want the parent's author %d", ev.Data.TargetMemberID, commenter.ID)
	}
	r2 := e.Reply(commenter, post.ID, r1.ID, "r2")
	sibling := e.Reply(author, post.ID, top.ID, "sibling")
	if r1.Depth != 1 || *r1.ParentID != top.ID || r2.Depth != 2 || *r2.ParentID != r1.ID {
		t.Errorf("depths %d %d", r1.Depth, r2.Depth)
	}
	counts := func() (postComments, topReplies, r1Replies int64) {
		return e.Int(`SELECT comment_count FROM posts WHERE id = $1`, post.ID),
			e.Int(`SELECT reply_count FROM comments WHERE id = $1`, top.ID),
			e.Int(`SELECT reply_count FROM comments WHERE id = $1`, r1.ID)
	}
	if pc, tr, rr := counts(); pc != 4 || tr != 2 || rr != 1 {
		t.Errorf("counts %d %d %d, want 4 2 1", pc, tr, rr)
	}

	// Update by the owner.
	before = e.LastOutboxID()
	res := e.Do(replier, "PUT", "/api/comments/"+id(r1.ID), map[string]any{"content": "r1 edited"})
	contenttest.Want(t, res, http.StatusOK, "")
	var u content.Comment
	res.Decode(t, &u)
	if u.Content != "r1 edited" || u.Depth != 1 || u.ReplyCount != 1 {
		t.Errorf("updated %+v", u)
	}
	ev = oneEvent(t, e, before, "dailyfeed.comment.updated.v1", "update-comment", id(r1.ID))
	if prefix := fmt.Sprintf("%sCOMMENT_UPDATE###%d###%d###", dedup, r1.ID, replier.ID); !strings.HasPrefix(ev.DedupKey, prefix) {
		t.Errorf("dedup key %q", ev.DedupKey)
	}

	// Deleting r1 takes r2 with it; the counts follow.
	before = e.LastOutboxID()
	res = e.Do(replier, "DELETE", "/api/comments/"+id(r1.ID), nil)
	contenttest.Want(t, res, http.StatusOK, "")
	var d content.CommentDeleted
	res.Decode(t, &d)
	if d.ID != r1.ID || d.DeletedComments != 2 {
		t.Errorf("delete answered %s", res.Body)
	}
	oneEvent(t, e, before, "dailyfeed.comment.deleted.v1", "delete-comment", id(r1.ID))
	if pc, tr, _ := counts(); pc != 2 || tr != 1 {
		t.Errorf("after delete: post comments %d, top replies %d; want 2, 1", pc, tr)
	}
	before = e.LastOutboxID()
	for _, c := range []struct {
		as           contenttest.Member
		method, path string
		body         any
	}{
		{commenter, "PUT", "/api/comments/" + id(r2.ID), map[string]any{"content": "x"}},
		{commenter, "DELETE", "/api/comments/" + id(r2.ID), nil},
		{author, "POST", "/api/comments/" + id(r2.ID) + "/like", nil},
		{author, "POST", "/api/comments/replies", map[string]any{"postId": post.ID, "parentId": r1.ID, "content": "x"}},
	} {
		contenttest.Want(t, e.Do(c.as, c.method, c.path, c.body), http.StatusNotFound, "COMMENT_NOT_FOUND")
	}
	noEvent(t, e, before)

	// Deleting the post hides its remaining comments too.
	contenttest.Want(t, e.Do(author, "DELETE", "/api/posts/"+id(post.ID), nil), http.StatusOK, "")
	if n := e.Int(`SELECT count(*) FROM comments WHERE post_id = $1 AND deleted_at IS NULL`, post.ID); n != 0 {
		t.Errorf("%d live comments of a deleted post", n)
	}
	contenttest.Want(t, e.Do(author, "PUT", "/api/comments/"+id(sibling.ID), map[string]any{"content": "x"}), http.StatusNotFound, "COMMENT_NOT_FOUND")
}

func TestLikes(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	author, liker := e.Member(), e.Member()
	post := e.Post(author, "post")
	c := e.Comment(author, post.ID, "comment")
	count := func(res membertest.Response) int64 {
		t.Helper()
		var n int64
		res.Decode(t, &n)
		return n
	}
	pp, cp := "/api/posts/"+id(post.ID)+"/like", "/api/comments/"+id(c.ID)+"/like"

	for _, tc := range []struct {
		path, likeType, cancelType, likeFn, cancelFn, entity, key string
		commentID                                                 int64
	}{
		{pp, "dailyfeed.post.liked.v1", "dailyfeed.post.unliked.v1", "like-post", "unlike-post", "LIKE_POST", id(post.ID), 0},
		{cp, "dailyfeed.comment.liked.v1", "dailyfeed.comment.unliked.v1", "like-comment", "unlike-comment", "LIKE_COMMENT", id(c.ID), c.ID},
	} {
		before := e.LastOutboxID()
		res := e.Do(liker, "POST", tc.path, nil)
		contenttest.Want(t, res, http.StatusOK, "")
		if n := count(res); n != 1 {
			t.Errorf("%s answered %d, want the new count 1", tc.likeFn, n)
		}
		ev := oneEvent(t, e, before, tc.likeType, tc.likeFn, tc.key)
		// memberId is the liker (the original sent the comment id).
		if want := fmt.Sprintf("%s%s###%s###%d", dedup, tc.entity, tc.key, liker.ID); ev.DedupKey != want {
			t.Errorf("dedup key %q, want %q", ev.DedupKey, want)
		}
		if d := ev.Data; d.MemberID != liker.ID || d.TargetMemberID != author.ID || d.PostID != post.ID || d.CommentID != tc.commentID {
			t.Errorf("payload %+v", d)
		}

		before = e.LastOutboxID()
		contenttest.Want(t, e.Do(liker, "POST", tc.path, nil), http.StatusConflict, "ALREADY_LIKED")
		noEvent(t, e, before)

		res = e.Do(liker, "DELETE", tc.path, nil)
		contenttest.Want(t, res, http.StatusOK, "")
		if n := count(res); n != 0 {
			t.Errorf("%s answered %d, want 0", tc.cancelFn, n)
		}
		ev = oneEvent(t, e, before, tc.cancelType, tc.cancelFn, tc.key)
		if ev.Data.MemberID != liker.ID {
			t.Errorf("cancel by %d", ev.Data.MemberID)
		}
		before = e.LastOutboxID()
		contenttest.Want(t, e.Do(liker, "DELETE", tc.path, nil), http.StatusNotFound, "LIKE_NOT_FOUND")
		noEvent(t, e, before)
	}
}

// TestConcurrentLikesAreCounted: 20 members like one post and one comment
// at once, one of them twice; the counts are exactly 20, the duplicate is
// 409, and there are 20 events of each.
func TestConcurrentLikesAreCounted(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	author := e.Member()
	post := e.Post(author, "popular")
	c := e.Comment(author, post.ID, "popular comment")
	const n = 20
	likers := make([]contenttest.Member, n)
	for i := range likers {
		likers[i] = e.Member()
	}
	before := e.LastOutboxID()
	paths := []string{"/api/posts/" + id(post.ID) + "/like", "/api/comments/" + id(c.ID) + "/like"}
	statuses := make(chan int, 2*(n+1))
	var wg sync.WaitGroup
	for _, path := range paths {
		for i := range n + 1 {
			who := likers[i%n] // likers[0] twice
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- e.Do(who, "POST", path, nil).Status
			}()
		}
	}
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	if got[http.StatusOK] != 2*n || got[http.StatusConflict] != 2 {
		t.Errorf("statuses %v, want %d×200 and 2×409", got, 2*n)
	}
	if pl, cl := e.Int(`SELECT like_count FROM posts WHERE id = $1`, post.ID), e.Int(`SELECT like_count FROM comments WHERE id = $1`, c.ID); pl != n || cl != n {
		t.Errorf("like counts %d, %d; want %d", pl, cl, n)
	}
	evs := e.Outbox(before)
	if len(evs) != 2*n {
		t.Errorf("%d events, want %d", len(evs), 2*n)
	}

	// And all of them unlike at once.
	for _, path := range paths {
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if res := e.Do(likers[i], "DELETE", path, nil); res.Status != http.StatusOK {
					t.Errorf("unlike: %d %s", res.Status, res.Body)
				}
			}()
		}
	}
	wg.Wait()
	if pl, cl := e.Int(`SELECT like_count FROM posts WHERE id = $1`, post.ID), e.Int(`SELECT like_count FROM comments WHERE id = $1`, c.ID); pl != 0 || cl != 0 {
		t.Errorf("like counts after unlikes %d, %d; want 0", pl, cl)
	}
}

func TestFollow(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	a, b := e.Member(), e.Member()
	path := "/api/members/follow/" + id(b.ID)

	before := e.LastOutboxID()
	res := e.Do(a, "POST", path, nil)
	contenttest.Want(t, res, http.StatusCreated, "")
	var r follow.Result
	res.Decode(t, &r)
	if r != (follow.Result{FollowerID: a.ID, FollowingID: b.ID, Following: true, FollowersCount: 1, FollowingCount: 1}) {
		t.Errorf("follow answered %+v", r)
	}
	ev := oneEvent(t, e, before, "dailyfeed.member.followed.v1", "follow-member", id(b.ID))
	if prefix := fmt.Sprintf("%sMEMBER_FOLLOW###%d###%d###", dedup, b.ID, a.ID); !strings.HasPrefix(ev.DedupKey, prefix) {
		t.Errorf("dedup key %q", ev.DedupKey)
	}
	if ev.Data.MemberID != a.ID || ev.Data.TargetMemberID != b.ID {
		t.Errorf("payload %+v", ev.Data)
	}

	before = e.LastOutboxID()
	contenttest.Want(t, e.Do(a, "POST", path, nil), http.StatusConflict, "ALREADY_FOLLOWING")
	noEvent(t, e, before)

	res = e.Do(a, "DELETE", path, nil)
	contenttest.Want(t, res, http.StatusOK, "")
	res.Decode(t, &r)
	if r.Following || r.FollowersCount != 0 || r.FollowingCount != 0 {
		t.Errorf("unfollow answered %+v", r)
	}
	oneEvent(t, e, before, "dailyfeed.member.unfollowed.v1", "unfollow-member", id(b.ID))
	contenttest.Want(t, e.Do(a, "DELETE", path, nil), http.StatusNotFound, "FOLLOW_NOT_FOUND")

	// A deactivated member cannot be followed.
	contenttest.Want(t, e.Do(b, "POST", "/api/members/follow/"+id(a.ID), nil), http.StatusCreated, "")
	if _, err := e.S.DB.Exec(t.Context(), `UPDATE members SET status = 'DEACTIVATED' WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	contenttest.Want(t, e.Do(a, "POST", path, nil), http.StatusNotFound, "MEMBER_NOT_FOUND")
}

// TestCrossFollowsDoNotDeadlock: members following each other at the same
// moment lock their rows in one order.
func TestCrossFollowsDoNotDeadlock(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	ms := make([]contenttest.Member, 6)
	for i := range ms {
		ms[i] = e.Member()
	}
	var wg sync.WaitGroup
	for i := range ms {
		for j := range ms {
			if i == j {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if res := e.Do(ms[i], "POST", "/api/members/follow/"+id(ms[j].ID), nil); res.Status != http.StatusCreated {
					t.Errorf("%d follows %d: %d %s", i, j, res.Status, res.Body)
				}
			}()
		}
	}
	wg.Wait()
	for _, m := range ms {
		if got := e.Int(`SELECT followers_count + following_count FROM members WHERE id = $1`, m.ID); got != 2*int64(len(ms)-1) {
			t.Errorf("member %d: counts sum to %d, want %d", m.ID, got, 2*(len(ms)-1))
		}
	}
}

func TestFollowLimit(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	me, next := e.Member(), e.Member()
	// me already follows MaxFollowings members.
	if _, err := e.S.DB.Exec(t.Context(), `
		WITH m AS (
			INSERT INTO members (email, password_hash, member_name, handle)
			SELECT 'bulk' || g || '@example.com', 'x', 'bulk', 'bulk_' || g FROM generate_series(1, $2) g
			RETURNING id)
		INSERT INTO follows (follower_id, followee_id, created_at) SELECT $1, id, now() FROM m`, me.ID, follow.MaxFollowings); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S.DB.Exec(t.Context(), `UPDATE members SET
		following_count = CASE WHEN id = $1 THEN $2 ELSE following_count END,
		followers_count = CASE WHEN id = $1 THEN followers_count ELSE 1 END
		WHERE id = $1 OR id IN (SELECT followee_id FROM follows WHERE follower_id = $1)`, me.ID, follow.MaxFollowings); err != nil {
		t.Fatal(err)
	}
	before := e.LastOutboxID()
	contenttest.Want(t, e.Do(me, "POST", "/api/members/follow/"+id(next.ID), nil), http.StatusConflict, "FOLLOW_LIMIT_EXCEEDED")
	noEvent(t, e, before)
	if n := e.Int(`SELECT followers_count FROM members WHERE id = $1`, next.ID); n != 0 {
		t.Errorf("refused follow counted: %d", n)
	}
	// One unfollow makes room.
	someone := e.Int(`SELECT followee_id FROM follows WHERE follower_id = $1 LIMIT 1`, me.ID)
	contenttest.Want(t, e.Do(me, "DELETE", "/api/members/follow/"+id(someone), nil), http.StatusOK, "")
	contenttest.Want(t, e.Do(me, "POST", "/api/members/follow/"+id(next.ID), nil), http.StatusCreated, "")
}
