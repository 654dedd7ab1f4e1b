package searchposts_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/search"
	"github.com/dailyfeed/dailyfeed/internal/search/searchtest"
)

func wantIDs(t *testing.T, keyword string, got paging.Slice[search.PostHit], want ...int64) {
	t.Helper()
	searchtest.WantIDs(t, keyword, searchtest.PostIDs(got.Content), want...)
}

func TestKoreanSubstrings(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author, reader := e.Member(), e.Member()
	// Searchable as soon as create-post returns: search_terms is set in
	// the write's transaction.
	p := e.Post(author, "오늘 한국어 공부를 했어요")
	e.Post(author, "내일은 영어 수업")
	e.Post(author, "한국사 시험")

	got := e.Posts(reader, "한국어", -1, -1)
	wantIDs(t, "한국어", got, p.ID)
	if s := got.Content[0].Snippet; s != "오늘 <em>한국어</em> 공부를 했어요" {
		t.Errorf("snippet = %q", s)
	}
	// Two characters, inside 공부를.
	got = e.Posts(reader, "공부", -1, -1)
	wantIDs(t, "공부", got, p.ID)
	if s := got.Content[0].Snippet; s != "오늘 한국어 <em>공부</em>를 했어요" {
		t.Errorf("snippet = %q", s)
	}
	wantIDs(t, "부를", e.Posts(reader, "부를", -1, -1), p.ID)
	wantIDs(t, "국어공", e.Posts(reader, "국어공", -1, -1))       // not across a space
	wantIDs(t, "어 공", e.Posts(reader, "어 공", -1, -1), p.ID) // two one-character words
	wantIDs(t, "중국어", e.Posts(reader, "중국어", -1, -1))
	wantIDs(t, "한국", e.Posts(reader, "한국", -1, -1), 3, p.ID) // 한국사 too
	// Words of a keyword each match, in any order.
	wantIDs(t, "공부 한국어", e.Posts(reader, "공부 한국어", -1, -1), p.ID)
	wantIDs(t, "공부 영어", e.Posts(reader, "공부 영어", -1, -1))
	// The characters of a word must follow each other, in order.
	wantIDs(t, "어국한", e.Posts(reader, "어국한", -1, -1))
}

// TestShortKoreanWords: one- and two-syllable words, the common case,
// found wherever they occur as text (alone, with a particle, at the end
// of a compound), and not where only part of them occurs.
func TestShortKoreanWords(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author, reader := e.Member(), e.Member()
	rice := e.Post(author, "밥")                  // 1
	riceParticle := e.Post(author, "아침에 밥을 먹었다") // 2
	friedRice := e.Post(author, "점심은 볶음밥")       // 3
	book := e.Post(author, "책 한 권을 읽었다")         // 4
	coffee := e.Post(author, "커피를 마셨다")          // 5
	coffeeShop := e.Post(author, "커피숍에서 공부했다")   // 6
	korean := e.Post(author, "한국어는 어렵다")         // 7
	e.Post(author, "바비큐와 책상")                    // 8: neither 밥 nor 책 alone (책상 has 책)
	for _, tc := range []struct {
		keyword string
		want    []int64
	}{
		{"밥", []int64{friedRice.ID, riceParticle.ID, rice.ID}},
		{"책", []int64{8, book.ID}},
		{"공부", []int64{coffeeShop.ID}},
		{"커피", []int64{coffeeShop.ID, coffee.ID}},
		{"한국어", []int64{korean.ID}},
		{"밥을", []int64{riceParticle.ID}},
		{"음밥", []int64{friedRice.ID}},
		{"피숍", []int64{coffeeShop.ID}},
		{"라면", nil},
	} {
		wantIDs(t, tc.keyword, e.Posts(reader, tc.keyword, -1, -1), tc.want...)
	}
}

func TestEnglishWordsAndCase(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author, reader := e.Member(), e.Member()
	golang := e.Post(author, "Learning GoLang on a rainy day")
	java := e.Post(author, "JAVA and Kotlin notes")
	for _, tc := range []struct {
		keyword string
		want    []int64
	}{
		{"golang", []int64{golang.ID}},
		{"GOLANG", []int64{golang.ID}},
		{"rainy day", []int64{golang.ID}},
		{"java", []int64{java.ID}},
		{"notes kotlin", []int64{java.ID}},
		{"a", []int64{golang.ID}}, // one letter: the word a
		{"lang", nil},             // other scripts match whole words
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

// TestMixedPunctuationEmoji: Korean particles on English words, digits,
// punctuation and emoji between words.
func TestMixedPunctuationEmoji(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author, reader := e.Member(), e.Member()
	mixed := e.Post(author, "오늘 golang을 배웠다, 2024년에!")
	emoji := e.Post(author, "커피☕와 케이크🍰 최고")
	punct := e.Post(author, "e-mail: hello@example.com (급함)")
	for _, tc := range []struct {
		keyword string
		want    []int64
	}{
		{"golang", []int64{mixed.ID}},
		{"golang을", []int64{mixed.ID}},
		{"Golang 배웠다", []int64{mixed.ID}},
		{"2024", []int64{mixed.ID}},
		{"2024년", []int64{mixed.ID}},
		{"배웠다!", []int64{mixed.ID}}, // punctuation in the keyword is ignored
		{"커피", []int64{emoji.ID}},
		{"커피☕", []int64{emoji.ID}},
		{"케이크", []int64{emoji.ID}},
		{"와", []int64{emoji.ID}},
		{"e-mail", []int64{punct.ID}},
		{"example.com", []int64{punct.ID}},
		{"급함", []int64{punct.ID}},
		{"(급함)", []int64{punct.ID}},
		{"mail e", []int64{punct.ID}},
		{"java-golang", nil},
	} {
		wantIDs(t, tc.keyword, e.Posts(reader, tc.keyword, -1, -1), tc.want...)
	}
	if s := e.Posts(reader, "커피", -1, -1).Content[0].Snippet; s != "<em>커피</em>☕와 케이크🍰 최고" {
		t.Errorf("snippet = %q", s)
	}
	// A keyword of only emoji or punctuation has nothing to search for.
	for _, kw := range []string{"☕", "!!!", "🍰 ☕", "%%"} {
		contenttest.Want(t, e.Search(reader, "posts", kw, -1, -1), http.StatusBadRequest, "VALIDATION_FAILED")
	}
}

func TestDeletedPostDisappears(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author, reader := e.Member(), e.Member()
	gone := e.Post(author, "사라질 게시물 vanishing")
	kept := e.Post(author, "남을 게시물 vanishing")
	wantIDs(t, "게시물", e.Posts(reader, "게시물", -1, -1), kept.ID, gone.ID)

	res := e.Do(author, "DELETE", fmt.Sprintf("/api/posts/%d", gone.ID), nil)
	contenttest.Want(t, res, http.StatusOK, "")
	for _, kw := range []string{"게시물", "사라질", "vanishing", "사", "질"} {
		got := e.Posts(reader, kw, -1, -1)
		for _, id := range searchtest.PostIDs(got.Content) {
			if id == gone.ID {
				t.Errorf("search %q still finds the deleted post", kw)
			}
		}
		if kw == "사라질" && (*got.TotalElements != 0 || len(got.Content) != 0) {
			t.Errorf("search %q = %d hits, want none", kw, *got.TotalElements)
		}
	}
}

// TestNewestFirst: every hit contains the keyword, so hits come newest
// first (then by id).
func TestNewestFirst(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
	author, reader := e.Member(), e.Member()
	strong := e.Post(author, "한국어 한국어 한국어 배우기")
	whole := e.Post(author, "오늘 한국어 공부를 했어요")
	weak := e.Post(author, "나는 한국어공부가 좋아")
	wantIDs(t, "한국어", e.Posts(reader, "한국어", -1, -1), weak.ID, whole.ID, strong.ID)
	a := e.Post(author, "same text twin")
	b := e.Post(author, "same text twin")
	wantIDs(t, "twin", e.Posts(reader, "twin", -1, -1), b.ID, a.ID)
}

func TestSnippetEscapesHTML(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
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
	e := searchtest.New(t, dailyfeed.Functions())
	reader := e.Member()
	for _, path := range []string{
		"/api/search/posts",
		"/api/search/posts?keyword=",
		"/api/search/posts?keyword=%20%20",
		"/api/search/posts?keyword=%E2%98%95", // ☕
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
	contenttest.Want(t, e.Search(reader, "posts", "가", -1, -1), http.StatusOK, "") // one character
	contenttest.Want(t, e.Search(reader, "posts", " a ", -1, -1), http.StatusOK, "")
}

func TestPagingIsStable(t *testing.T) {
	t.Parallel()
	e := searchtest.New(t, dailyfeed.Functions())
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
		got = append(got, searchtest.PostIDs(s.Content)...)
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
	e := searchtest.New(t, dailyfeed.Functions())
	author, reader := e.Member(), e.Member()
	p := e.Post(author, "hydrated 게시물")
	e.LikePost(reader, p.ID)
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
