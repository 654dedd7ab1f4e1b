package search

import (
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

func TestParseKeyword(t *testing.T) {
	for _, tc := range []struct {
		raw, text, query string
		words            []string
	}{
		{raw: "밥", text: "밥", query: "'밥'", words: []string{"밥"}},
		{raw: "공부", text: "공부", query: "'공부'", words: []string{"공부"}},
		{raw: "  한국어 \t 공부  ", text: "한국어 공부", query: "('한국' <1> '국어') & '공부'", words: []string{"한국어", "공부"}},
		{raw: "Go", text: "Go", query: "'go'", words: []string{"go"}},
		{raw: "a go", text: "a go", query: "'a' & 'go'", words: []string{"a", "go"}},
		{raw: "Go go GO", text: "Go go GO", query: "'go'", words: []string{"go"}},
		{raw: "0 0 0 0 0 0 0 0!0 0 a!b!c!d!e!f!g!h!i!j!k", text: "0 0 0 0 0 0 0 0!0 0 a!b!c!d!e!f!g!h!i!j!k", query: "'0' & ('0' <1> '0') & ('a' <1> 'b' <1> 'c' <1> 'd' <1> 'e' <1> 'f' <1> 'g' <1> 'h' <1> 'i' <1> 'j' <1> 'k')", words: []string{"0", "a", "b", "c", "d", "e", "f", "g", "h", "i"}}, // highlights: each once, at most MaxWords
		{raw: "커피☕ !!", text: "커피☕ !!", query: "'커피'", words: []string{"커피"}},
		{raw: strings.Repeat("가", MaxKeyword), text: strings.Repeat("가", MaxKeyword), query: "'가가'" + strings.Repeat(" <1> '가가'", MaxKeyword-2), words: []string{strings.Repeat("가", MaxKeyword)}},
	} {
		kw, err := ParseKeyword(tc.raw)
		if err != nil {
			t.Errorf("ParseKeyword(%q): %v", tc.raw, err)
			continue
		}
		if kw.Text != tc.text || kw.Query != tc.query || strings.Join(kw.Words, "|") != strings.Join(tc.words, "|") {
			t.Errorf("ParseKeyword(%q) = %q %q %q, want %q %q %q", tc.raw, kw.Text, kw.Query, kw.Words, tc.text, tc.query, tc.words)
		}
	}
	for _, raw := range []string{
		"", "   ", // empty
		"☕", "!!! ...", "🎉 🎉", // nothing to search for
		strings.Repeat("가", MaxKeyword+1),
		"aa bb cc dd ee ff gg hh ii jj kk", // 11 words
		"bad\xffutf8", "nul\x00",
	} {
		if _, err := ParseKeyword(raw); !errcode.Is(err, errcode.ValidationFailed) {
			t.Errorf("ParseKeyword(%q) = %v, want VALIDATION_FAILED", raw, err)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("가", 60) + " 키워드 " + strings.Repeat("b", 60)
	for _, tc := range []struct {
		name, text string
		patterns   []string
		want       string
		ok         bool
	}{
		{"korean", "오늘 한국어 공부를 했어요", []string{"한국어"}, "오늘 <em>한국어</em> 공부를 했어요", true},
		{"inside a word", "오늘 한국어 공부를 했어요", []string{"공부"}, "오늘 한국어 <em>공부</em>를 했어요", true},
		{"case-insensitive", "Learning GoLang and GOLANG", []string{"golang"}, "Learning <em>GoLang</em> and <em>GOLANG</em>", true},
		{"html escaped", `<script>alert("go")</script> go`, []string{"go"},
			`&lt;script&gt;alert(&#34;<em>go</em>&#34;)&lt;/script&gt; <em>go</em>`, true},
		{"html in the keyword", `a <b> tag`, []string{"<b>"}, `a <em>&lt;b&gt;</em> tag`, true},
		{"longest pattern first", "한국어 공부 한국어", []string{"한국어 공부", "한국어", "공부"}, "<em>한국어 공부</em> <em>한국어</em>", true},
		{"white space collapsed", "a\n\n  b  go", []string{"go"}, "a b <em>go</em>", true},
		{"window", long, []string{"키워드"},
			"…" + strings.Repeat("가", 39) + " <em>키워드</em> " + strings.Repeat("b", 39) + "…", true},
		{"no match", strings.Repeat("x", 100), []string{"zz"}, strings.Repeat("x", 2*SnippetContext) + "…", false},
	} {
		got, ok := Snippet(tc.text, tc.patterns)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: Snippet = %q, %v\nwant %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
