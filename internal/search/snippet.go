package search

import (
	"html"
	"slices"
	"strings"
	"unicode"
)

// SnippetContext is how many characters (runes) of context a snippet
// keeps on each side of the first match.
const SnippetContext = 40

// span is a match: runes [start, end) of the text.
type span struct{ start, end int }

// Snippet returns the part of text around the first occurrence of any of
// patterns (matched case-insensitively, rune by rune), with SnippetContext
// runes of context on each side and "…" where text was cut. The text is
// HTML-escaped and every occurrence of a pattern inside the snippet is
// wrapped in <em>…</em>, so the snippet is safe to render as HTML. White
// space runs become one space. ok is false when no pattern occurs in text;
// the snippet is then the beginning of text.
func Snippet(text string, patterns []string) (snippet string, ok bool) {
	runes := []rune(strings.Join(strings.Fields(text), " "))
	matches := find(runes, patterns)
	n := len(runes)
	start, end := 0, min(n, 2*SnippetContext)
	if len(matches) > 0 {
		first := matches[0]
		start, end = max(0, first.start-SnippetContext), min(n, first.end+SnippetContext)
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	at := start
	for _, m := range matches {
		if m.start < start {
			continue
		}
		if m.start >= end {
			break
		}
		end = max(end, m.end) // never cut a match in two
		b.WriteString(html.EscapeString(string(runes[at:m.start])))
		b.WriteString("<em>")
		b.WriteString(html.EscapeString(string(runes[m.start:m.end])))
		b.WriteString("</em>")
		at = m.end
	}
	b.WriteString(html.EscapeString(string(runes[at:end])))
	if end < n {
		b.WriteString("…")
	}
	return b.String(), len(matches) > 0
}

// find returns the non-overlapping occurrences of patterns in text, left
// to right, preferring the longest pattern at each position. Matching folds
// case rune by rune (unicode.ToLower maps one rune to one rune, so offsets
// in the folded text are offsets in text).
func find(text []rune, patterns []string) []span {
	lower := func(rs []rune) []rune {
		out := make([]rune, len(rs))
		for i, r := range rs {
			out[i] = unicode.ToLower(r)
		}
		return out
	}
	var pats [][]rune
	for _, p := range patterns {
		if p != "" {
			pats = append(pats, lower([]rune(p)))
		}
	}
	slices.SortStableFunc(pats, func(a, b []rune) int { return len(b) - len(a) })
	folded := lower(text)
	var out []span
	for i := 0; i < len(folded); {
		matched := 0
		for _, p := range pats {
			if len(p) <= len(folded)-i && slices.Equal(folded[i:i+len(p)], p) {
				matched = len(p)
				break
			}
		}
		if matched == 0 {
			i++
			continue
		}
		out = append(out, span{i, i + matched})
		i += matched
	}
	return out
}
