package searchposts_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/search"
	"github.com/dailyfeed/dailyfeed/internal/search/searchtest"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// ids returns the post ids of a page, in order.
func ids(s web.Slice[search.PostHit]) []int64 {
	out := []int64{}
	for _, h := range s.Content {
		out = append(out, h.ID)
	}
	return out
}

func wantIDs(t *testing.T, keyword string, got web.Slice[search.PostHit], want ...int64) {
	t.Helper()
	if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
		t.Errorf("search %q = %v, want %v", keyword, ids(got), want)
	}
}

func TestKoreanSubstrings(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	author, reader := e.Member(), e.Member()
	// Searchable as soon as create-post returns: the trigram index and the
	// tsvector are on posts itself, updated in the write's transaction.
	p := e.Post(author, "오늘 한국어 공부를 했어요")
	e.Post(author, "내일은 영어 수업")
	e.Post(author, "한국사 시험")

	got := e.Posts(reader, "한국어", -1, -1)
	wantIDs(t, "한국어", got, p.ID)
	if s := got.Content[0].Snippet; s != "오늘 <em>한국어</em> 공부를 했어요" {
		t.Errorf("snippet = %q", s)
	}
	// Two characters: no trigram, still found (inside 공부를).
	got = e.Posts(reader, "공부", -1, -1)
	wantIDs(t, "공부", got, p.ID)
	if s := got.Content[0].Snippet; s != "오늘 한국어 <em>공부</em>를 했어요" {
		t.Errorf("snippet = %q", s)
	}
	wantIDs(t, "어 공", e.Posts(reader, "어 공", -1, -1), p.ID) // one-character words: one phrase
	wantIDs(t, "공 어", e.Posts(reader, "공 어", -1, -1))
	wantIDs(t, "중국어", e.Posts(reader, "중국어", -1, -1))
	// Words of a keyword each match, in any order.
	wantIDs(t, "공부 한국어", e.Posts(reader, "공부 한국어", -1, -1), p.ID)
	wantIDs(t, "공부 영어", e.Posts(reader, "공부 영어", -1, -1))
}

func TestEnglishWordsSubstringsAndCase(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	author, reader := e.Member(), e.Member()
	golang := e.Post(author, "Learning GoLang on a rainy day")
	java := e.Post(author, "JAVA and Kotlin notes")
	for _, tc := range []struct {
		keyword string
		want    []int64
	}{
		{"golang", []int64{golang.ID}},
		{"GOLANG", []int64{golang.ID}},
		{"lang", []int64{golang.ID}},
		{"rainy day", []int64{golang.ID}},
		{"java", []int64{java.ID}},
		{"otli", []int64{java.ID}},
		{"notes kotlin", []int64{java.ID}},
		{"python", nil},
	} {
		wantIDs(t, tc.keyword, e.Posts(reader, tc.keyword, -1, -1), tc.want...)
	}
	// A title matches too; the snippet is then the title's.
	res := e.Do(author, "POST", "/api/posts", map[string]any{"title": "Weekly digest", "content": "nothing to see"})
	contenttest.Want(t, res, http.StatusCreated, "")
	got := e.Posts(reader, "digest", -1, -1)
	if len(got.Content) != 1 || got.Content[0].Snippet != "Weekly <em>digest</em>" {
		t.Errorf("title search = %+v", got.Content)
	}
}

func TestDeletedPostDisappears(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	author, reader := e.Member(), e.Member()
	gone := e.Post(author, "사라질 게시물 vanishing")
	kept := e.Post(author, "남을 게시물 vanishing")
	wantIDs(t, "게시물", e.Posts(reader, "게시물", -1, -1), kept.ID, gone.ID)

	res := e.Do(author, "DELETE", fmt.Sprintf("/api/posts/%d", gone.ID), nil)
	contenttest.Want(t, res, http.StatusOK, "")
	for _, kw := range []string{"게시물", "사라질", "vanishing", "van"} {
		got := e.Posts(reader, kw, -1, -1)
		for _, id := range ids(got) {
			if id == gone.ID {
				t.Errorf("search %q still finds the deleted post", kw)
			}
		}
		if kw == "사라질" && (*got.TotalElements != 0 || len(got.Content) != 0) {
			t.Errorf("search %q = %d hits, want none", kw, *got.TotalElements)
		}
	}
}

func TestRankingBetterMatchFirst(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	author, reader := e.Member(), e.Member()
	// Oldest first, so that newest-first alone would give the reverse.
	strong := e.Post(author, "한국어 한국어 한국어 배우기")
	whole := e.Post(author, "오늘 한국어 공부를 했어요")
	weak := e.Post(author, "나는 한국어공부가 좋아")
	wantIDs(t, "한국어", e.Posts(reader, "한국어", -1, -1), strong.ID, whole.ID, weak.ID)

	goes := e.Post(author, "I love Go. Go go go!")
	once := e.Post(author, "Go is fun")
	gopher := e.Post(author, "golang gopher going")
	wantIDs(t, "go", e.Posts(reader, "go", -1, -1), goes.ID, once.ID, gopher.ID)

	// A keyword of several words: the contiguous phrase first.
	phrase := e.Post(author, "공부 일지: 한국어 공부")
	apart := e.Post(author, "공부는 내일, 한국어는 오늘")
	got := ids(e.Posts(reader, "한국어 공부", -1, -1))
	if len(got) < 2 || got[0] != phrase.ID || !contains(got, apart.ID) {
		t.Errorf("search %q = %v, want %d first and %d in", "한국어 공부", got, phrase.ID, apart.ID)
	}

	// Equal scores: newest first.
	a := e.Post(author, "same text twin")
	b := e.Post(author, "same text twin")
	wantIDs(t, "twin", e.Posts(reader, "twin", -1, -1), b.ID, a.ID)
}

func contains(s []int64, id int64) bool {
	for _, v := range s {
		if v == id {
			return true
		}
	}
	return false
}

func TestLikeWildcardsAreLiteral(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	author, reader := e.Member(), e.Member()
	percent := e.Post(author, "오늘만 100% 환불")
	e.Post(author, "1000 환불")
	under := e.Post(author, "snake_case name")
	e.Post(author, "snakeXcase name")
	backslash := e.Post(author, `path C:\temp`)
	e.Post(author, `path C:/temp`)
	wantIDs(t, "0%", e.Posts(reader, "0%", -1, -1), percent.ID)
	wantIDs(t, "%%", e.Posts(reader, "%%", -1, -1))
	wantIDs(t, "e_c", e.Posts(reader, "e_c", -1, -1), under.ID)
	wantIDs(t, `:\t`, e.Posts(reader, `:\t`, -1, -1), backslash.ID)
}

func TestSnippetEscapesHTML(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	author, reader := e.Member(), e.Member()
	e.Post(author, `<script>alert("xss")</script> 검색어 <b>bold</b>`)
	got := e.Posts(reader, "검색어", -1, -1)
	if len(got.Content) != 1 {
		t.Fatalf("hits = %d, want 1", len(got.Content))
	}
	want := `&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt; <em>검색어</em> &lt;b&gt;bold&lt;/b&gt;`
	if s := got.Content[0].Snippet; s != want {
		t.Errorf("snippet = %q\nwant %q", s, want)
	}
	// The content itself stays as written (clients escape it).
	if c := got.Content[0].Content; !strings.HasPrefix(c, "<script>") {
		t.Errorf("content = %q", c)
	}
	got = e.Posts(reader, "<b>", -1, -1)
	if len(got.Content) != 1 || !strings.Contains(got.Content[0].Snippet, "<em>&lt;b&gt;</em>") {
		t.Errorf("search <b> = %+v", got.Content)
	}
}

func TestValidationAndAuth(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	reader := e.Member()
	for _, path := range []string{
		"/api/search/posts",
		"/api/search/posts?keyword=",
		"/api/search/posts?keyword=a",
		"/api/search/posts?keyword=%EA%B0%80",       // 가
		"/api/search/posts?keyword=%20%EA%B0%80%20", // " 가 "
		"/api/search/posts?keyword=" + strings.Repeat("x", search.MaxKeyword+1),
		"/api/search/posts?keyword=go&size=0",
		"/api/search/posts?keyword=go&size=101",
		"/api/search/posts?keyword=go&page=-1",
	} {
		contenttest.Want(t, e.Do(reader, "GET", path, nil), http.StatusBadRequest, "VALIDATION_FAILED")
	}
	contenttest.Want(t, e.Do(contenttest.Member{}, "GET", "/api/search/posts?keyword=go", nil), http.StatusUnauthorized, "TOKEN_MISSING")
	contenttest.Want(t, e.Do(reader, "POST", "/api/search/posts?keyword=go", nil), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
	contenttest.Want(t, e.Search(reader, "posts", strings.Repeat("가", search.MaxKeyword), -1, -1), http.StatusOK, "")
}

func TestPagingIsStable(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	author, reader := e.Member(), e.Member()
	var want []int64
	for i := range 23 {
		p := e.Post(author, fmt.Sprintf("paging 페이지 post %d", i))
		want = append([]int64{p.ID}, want...) // equal scores: newest first
	}
	e.Post(author, "unrelated")
	var got []int64
	for page := range 3 {
		s := e.Posts(reader, "페이지", page, 10)
		if *s.TotalElements != 23 || *s.TotalPages != 3 || s.Page != page || s.Size != 10 || s.HasNext != (page < 2) {
			t.Errorf("page %d: total %d pages %d hasNext %v", page, *s.TotalElements, *s.TotalPages, s.HasNext)
		}
		got = append(got, ids(s)...)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages = %v\nwant %v", got, want)
	}
	// Past the end: empty, with the total.
	s := e.Posts(reader, "페이지", 5, 10)
	if len(s.Content) != 0 || *s.TotalElements != 23 || s.HasNext {
		t.Errorf("past the end = %+v", s)
	}
	// The default page size.
	if s := e.Posts(reader, "페이지", -1, -1); s.Size != search.DefaultSize || len(s.Content) != search.DefaultSize {
		t.Errorf("default page: size %d, %d hits", s.Size, len(s.Content))
	}
}

func TestHitIsTheTimelinePost(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t)
	author, reader := e.Member(), e.Member()
	p := e.Post(author, "hydrated 게시물")
	contenttest.Want(t, e.Do(reader, "POST", fmt.Sprintf("/api/posts/%d/like", p.ID), nil), http.StatusOK, "")
	e.Comment(reader, p.ID, "nice")
	e.Comment(author, p.ID, "thanks")

	h := e.Posts(reader, "hydrated", -1, -1).Content[0]
	if h.ID != p.ID || h.AuthorID != author.ID || h.Author.MemberID != author.ID || h.AuthorHandle == "" ||
		h.Author.Handle != h.AuthorHandle || h.LikeCount != 1 || h.CommentCount != 2 || !h.Liked {
		t.Errorf("hit = %+v", h)
	}
	if h := e.Posts(author, "hydrated", -1, -1).Content[0]; h.Liked {
		t.Errorf("the author does not like the post, got liked")
	}
}
