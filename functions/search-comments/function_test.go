package searchcomments_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/search"
	"github.com/dailyfeed/dailyfeed/internal/search/searchtest"
)

func wantIDs(t *testing.T, keyword string, got paging.Slice[search.CommentHit], want ...int64) {
	t.Helper()
	searchtest.WantIDs(t, keyword, searchtest.CommentIDs(got.Content), want...)
}

func TestSearchComments(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author, reader := e.Member(), e.Member()
	post := e.Post(author, "오늘 한국어 공부를 했어요") // posts are not comments
	c := e.Comment(reader, post.ID, "저도 한국어 공부를 해요 <3")
	reply := e.Reply(author, post.ID, c.ID, "Keep STUDYING 한국어!")
	e.Comment(author, post.ID, "좋아요")

	// Searchable as soon as create-comment returns.
	got := e.Comments(reader, "한국어", -1, -1)
	wantIDs(t, "한국어", got, reply.ID, c.ID) // equal whole-word matches: newest first
	if s := got.Content[1].Snippet; s != "저도 <em>한국어</em> 공부를 해요 &lt;3" {
		t.Errorf("snippet = %q", s)
	}
	wantIDs(t, "공부", e.Comments(reader, "공부", -1, -1), c.ID)
	wantIDs(t, "studying", e.Comments(reader, "studying", -1, -1), reply.ID)
	wantIDs(t, "udy", e.Comments(reader, "udy", -1, -1)) // whole words outside CJK
	wantIDs(t, "<3", e.Comments(reader, "<3", -1, -1), c.ID)
	wantIDs(t, "했어요", e.Comments(reader, "했어요", -1, -1))

	// The comment shape, liked for the reader.
	e.LikeComment(author, c.ID)
	h := e.Comments(author, "공부", -1, -1).Content[0]
	if h.PostID != post.ID || h.AuthorID != reader.ID || h.ReplyCount != 1 || h.LikeCount != 1 || !h.Liked || h.ParentID != nil {
		t.Errorf("hit = %+v", h)
	}
	if h := e.Comments(reader, "studying", -1, -1).Content[0]; h.ParentID == nil || *h.ParentID != c.ID || h.Depth != 1 {
		t.Errorf("reply hit = %+v", h)
	}

	// A deleted comment takes its replies with it; both disappear.
	e.DeleteComment(reader, c.ID)
	wantIDs(t, "한국어", e.Comments(reader, "한국어", -1, -1))
}

func TestCommentsOfADeletedPostDisappear(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author := e.Member()
	post := e.Post(author, "곧 지울 글")
	other := e.Post(author, "남는 글")
	e.Comment(author, post.ID, "사라질 댓글")
	kept := e.Comment(author, other.ID, "남을 댓글")
	if got := e.Comments(author, "댓글", -1, -1); len(got.Content) != 2 {
		t.Fatalf("hits = %v, want 2", searchtest.CommentIDs(got.Content))
	}
	e.DeletePost(author, post.ID)
	got := e.Comments(author, "댓글", -1, -1)
	wantIDs(t, "댓글", got, kept.ID)
	if *got.TotalElements != 1 {
		t.Errorf("total = %d, want 1", *got.TotalElements)
	}
}

func TestCommentsPagingAndValidation(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author := e.Member()
	post := e.Post(author, "post")
	var want []int64
	for range 7 {
		want = append([]int64{e.Comment(author, post.ID, "50% 할인 쿠폰").ID}, want...)
	}
	e.Comment(author, post.ID, "500 할인")
	var got []int64
	for page := range 3 {
		s := e.Comments(author, "쿠폰", page, 3)
		if *s.TotalElements != 7 || *s.TotalPages != 3 || s.HasNext != (page < 2) {
			t.Errorf("page %d: total %d pages %d hasNext %v", page, *s.TotalElements, *s.TotalPages, s.HasNext)
		}
		got = append(got, searchtest.CommentIDs(s.Content)...)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
	for _, kw := range []string{"", " ", "☕", "%"} {
		contenttest.Want(t, e.Search(author, "comments", kw, -1, -1), http.StatusBadRequest, "VALIDATION_FAILED")
	}
	contenttest.Want(t, e.Do(contenttest.Member{}, "GET", "/api/search/comments?keyword=할인", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
