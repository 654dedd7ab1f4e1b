// Package search is dailyfeed's search over posts and comments
// (search-posts, search-comments), in PostgreSQL only (migrations/0013).
//
// # Matching
//
// Posts and comments carry search_terms, a tsvector of the terms of their
// text made by internal/search/terms (CJK bigrams and characters, the
// lower-cased words of other scripts), with a GIN index. A keyword is
// turned into the same terms: each white-space separated part must match
// (&), and the terms of one part at their distances (phrase operators). So
// a Korean, Chinese or Japanese keyword of any length, one character
// included, matches where it occurs as text inside a run of those scripts
// (공부 finds 공부를 and 한국어공부, 밥 finds 볶음밥), and a word of another
// script matches as a whole word, case-insensitively (golang finds
// "GoLang을" but go does not find golang). Deleted posts and comments never
// match (and are not in the indexes).
//
// # Ranking and cost
//
// Every hit contains the whole keyword, so hits are ranked by recency:
// newest first, then by id, so pages are stable. A keyword matching more
// than MaxHits rows reaches the newest MaxHits of them (totalElements says
// how many, up to MaxHits). The page never needs every match of a common
// keyword: the matches are read in windows of creation time, newest first
// (the newest RecentScan rows, then each window WindowGrowth times longer
// than the one before), until MaxHits are found (store.go). A window costs
// its matches or its rows, whichever the planner finds cheaper, so a
// keyword common among the newest rows is answered from the first window,
// one that was common long ago from the windows reaching its matches, and
// a rare one from its few matches in the GIN index.
//
// # Results
//
// Each hit is the read side's shape (timeline.Post for posts, with the
// author's summary, true counts and liked for the reader; content.Comment
// for comments) plus a snippet: the text around the first match, HTML
// escaped, with the matches in <em>…</em>. Pages carry totalElements and
// totalPages.
package search

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/search/terms"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// Keyword limits, in characters (runes).
const (
	MinKeyword = 1
	MaxKeyword = 100
	// MaxWords bounds the white-space separated parts of a keyword.
	MaxWords = 10
	// MaxHits bounds the hits of a search: the newest MaxHits matches are
	// reachable by paging (totalElements says how many).
	MaxHits = 200
	// RecentScan is how many of the newest rows the first window of a
	// search holds (internal/search/store.go): a keyword in more than
	// MaxHits/RecentScan of them (10%) is answered from them alone.
	RecentScan = 2000
	// DefaultSize is the page size when the request has none.
	DefaultSize = 20
)

// Keyword is a validated search keyword.
type Keyword struct {
	// Text is the keyword with its white space runs made one space.
	Text string
	// Words are the distinct parts of the keyword that have terms, as
	// typed (for the snippets).
	Words []string
	// Query is the tsquery of the keyword (terms.Query).
	Query string
}

func invalid(format string, args ...any) error {
	return errcode.Errorf(errcode.ValidationFailed, "keyword: "+format, args...)
}

// ParseKeyword validates the keyword query parameter: required, 1–100
// characters after trimming, at most MaxWords parts, and at least one
// letter or digit (a keyword of only punctuation or emoji has nothing to
// search for).
func ParseKeyword(raw string) (Keyword, error) {
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, 0) {
		return Keyword{}, invalid("must be valid UTF-8 text")
	}
	fields := strings.Fields(raw)
	text := strings.Join(fields, " ")
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return Keyword{}, invalid("is required")
	case n < MinKeyword || n > MaxKeyword:
		return Keyword{}, invalid("must be %d to %d characters (got %d)", MinKeyword, MaxKeyword, n)
	}
	if len(fields) > MaxWords {
		return Keyword{}, invalid("must have at most %d words", MaxWords)
	}
	parts, _ := terms.Parts(text, MaxWords)
	if len(parts) == 0 {
		return Keyword{}, invalid("must contain a letter or a digit")
	}
	kw := Keyword{Text: text, Query: terms.Query(parts)}
	// The words a snippet highlights: each once, at most MaxWords of them
	// (a part such as "a!b" reads as two; found by FuzzParseKeyword).
	for _, f := range fields {
		if p, _ := terms.Parts(f, 1); len(p) > 0 {
			for _, w := range terms.Surfaces(f) {
				if len(kw.Words) < MaxWords && !slices.Contains(kw.Words, w) {
					kw.Words = append(kw.Words, w)
				}
			}
		}
	}
	return kw, nil
}

// highlights returns what a snippet highlights: the whole keyword and the
// runs of its words.
func (k Keyword) highlights() []string {
	return append([]string{k.Text}, k.Words...)
}

// PostHit is a post that matched, in the read side's shape, with its
// snippet.
type PostHit struct {
	timeline.Post
	Snippet string `json:"snippet"`
}

// CommentHit is a comment that matched, with its snippet.
type CommentHit struct {
	content.Comment
	Snippet string `json:"snippet"`
}
