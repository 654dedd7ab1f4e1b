package search

import (
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

func TestParseKeyword(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		text  string
		words []string
	}{
		{raw: "공부", text: "공부", words: []string{"공부"}},
		{raw: "  한국어 \t 공부  ", text: "한국어 공부", words: []string{"한국어", "공부"}},
		{raw: "go", text: "go", words: []string{"go"}},
		{raw: "a go", text: "a go", words: []string{"go"}}, // one-letter words are left out
		{raw: "Go go GO", text: "Go go GO", words: []string{"Go"}},
		{raw: " a  b ", text: "a b", words: []string{"a b"}}, // only one-letter words: one phrase
		{raw: strings.Repeat("가", MaxKeyword), text: strings.Repeat("가", MaxKeyword), words: []string{strings.Repeat("가", MaxKeyword)}},
	} {
		kw, err := ParseKeyword(tc.raw)
		if err != nil {
			t.Errorf("ParseKeyword(%q): %v", tc.raw, err)
			continue
		}
		if kw.Text != tc.text || strings.Join(kw.Words, "|") != strings.Join(tc.words, "|") {
			t.Errorf("ParseKeyword(%q) = %q %q, want %q %q", tc.raw, kw.Text, kw.Words, tc.text, tc.words)
		}
	}
	for _, raw := range []string{
		"", "   ", "a", "가", " 가 ", // too short
		strings.Repeat("가", MaxKeyword+1),
		"aa bb cc dd ee ff gg hh ii jj kk", // 11 words
		"bad\xffutf8", "nul\x00",
	} {
		if _, err := ParseKeyword(raw); !errcode.Is(err, errcode.ValidationFailed) {
			t.Errorf("ParseKeyword(%q) = %v, want VALIDATION_FAILED", raw, err)
		}
	}
}

func TestPatternsAreLiteral(t *testing.T) {
	kw, err := ParseKeyword(`100%_off\ x`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kw.patterns()[0], `%100\%\_off\\%`; got != want {
		t.Errorf("pattern = %q, want %q", got, want)
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
