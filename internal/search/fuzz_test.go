package search_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/search"
)

// FuzzParseKeyword: the search query tokenizer answers a 400 or a keyword
// of valid text without NUL, within the bounds, whose words are its own
// and which parses again to itself.
func FuzzParseKeyword(f *testing.F) {
	for _, s := range []string{"go", "한국어 검색", "a b", "  spaced   out  ", "100%_\\", "x", "", "\x00ab", "\xffab", strings.Repeat("w ", 60), "Go go GO", "\u3000전각\u3000공백"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		k, err := search.ParseKeyword(raw)
		if err != nil {
			if errcode.Of(err) != errcode.ValidationFailed {
				t.Fatalf("%q: %v, want VALIDATION_FAILED", raw, err)
			}
			return
		}
		// Words read as the keyword does once NFKC-normalized and
		// lower-cased (terms.Surfaces; found: "0A" gives the word "0a").
		reads := strings.ToLower(norm.NFKC.String(k.Text))
		for _, s := range append([]string{k.Text}, k.Words...) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || s == "" {
				t.Fatalf("%q: %q reaches the store", raw, s)
			}
			if s != k.Text && !strings.Contains(reads, s) {
				t.Fatalf("%q: word %q is not in the keyword %q as it reads (%q)", raw, s, k.Text, reads)
			}
		}
		if n := utf8.RuneCountInString(k.Text); n < search.MinKeyword || n > search.MaxKeyword || len(k.Words) == 0 || len(k.Words) > search.MaxWords {
			t.Fatalf("%q: keyword %+v out of bounds", raw, k)
		}
		again, err := search.ParseKeyword(k.Text)
		if err != nil || again.Text != k.Text || strings.Join(again.Words, "\x00") != strings.Join(k.Words, "\x00") {
			t.Fatalf("%q: %+v parses again as %+v, %v", raw, k, again, err)
		}
	})
}
