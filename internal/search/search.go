// Package search is dailyfeed's search over posts and comments
// (search-posts, search-comments), in PostgreSQL only (migrations/0006).
//
// # Matching
//
// The keyword is split into words at white space; a hit contains every word
// of two characters or more (or, when there is none, the whole keyword) as
// a substring, case-insensitively:
// `text ILIKE '%word%'` for each word, with %, _ and \ in the keyword
// matched literally. Substrings, not words, because Korean attaches
// particles to words: 공부 must find 공부를, which word-based full-text
// search cannot. Deleted posts and comments never match (and are not in
// the indexes).
//
// A pg_trgm GIN index serves the ILIKE for words of three characters or
// more. A two-character word has no trigram to look up: its ILIKE scans the
// live rows (a sequential scan, linear in the table; BENCHMARKS.md has the
// figures). A keyword with a longer word next to it is served by the index.
// pg_bigm (bigram GIN) would index two-character words too, if that cost
// ever matters.
//
// # Ranking
//
// Every hit is scored, so the score is cheap: the stored `simple` tsvector
// and ILIKE, not pg_trgm's similarity functions (which make the trigrams of
// the whole text of every hit, five times the cost on a common keyword).
//
//	score = 1 if the keyword's words occur as whole words         (search_tsv @@ plainto_tsquery('simple', keyword))
//	      + ts_rank_cd(search_tsv, plainto_tsquery('simple', keyword))  (0.1 a whole-word occurrence, more when close together)
//	      + 0.5 if a word starts with the keyword                  (Korean: 공부 in 공부를, not in 한국어공부)
//	      + 0.05 × min(occurrences of the keyword as a substring, 5)
//
// then newest first, then by id, so pages are stable. A keyword matching
// more than MaxHits rows ranks the newest MaxHits of them: recent posts are
// what a feed's search is for, and it bounds the cost of a common keyword. So a whole word
// beats the start of a word, which beats the inside of a word, and more
// occurrences beat fewer.
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
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Keyword limits, in characters (runes).
const (
	MinKeyword = 2
	MaxKeyword = 100
	// MaxWords bounds the words of a keyword (one ILIKE each).
	MaxWords = 10
	// MaxHits bounds the hits of a search: the newest MaxHits matches are
	// ranked and reachable by paging (totalElements says how many). It
	// bounds the work of a common keyword, where scoring every match of a
	// large table would take long.
	MaxHits = 1000
	// DefaultSize is the page size when the request has none.
	DefaultSize = 20
)

// Keyword is a validated search keyword.
type Keyword struct {
	// Text is the keyword with its white space runs made one space.
	Text string
	// Words are the distinct words that must all occur (two characters or
	// more).
	Words []string
}

func invalid(format string, args ...any) error {
	return errcode.Errorf(errcode.ValidationFailed, "keyword: "+format, args...)
}

// RequestOf reads a search request: the keyword (ParseKeyword) and the
// page (page, size; DefaultSize).
func RequestOf(r *http.Request) (Keyword, web.Page, error) {
	kw, err := ParseKeyword(r.URL.Query().Get("keyword"))
	if err != nil {
		return Keyword{}, web.Page{}, err
	}
	page, err := web.PageOf(r, DefaultSize)
	return kw, page, err
}

// ParseKeyword validates the keyword query parameter: required, 2–100
// characters after trimming, at most MaxWords words. One-character words
// are left out of the match (alone they would match nearly everything);
// a keyword of only such words ("a b") is matched as one phrase.
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
	kw := Keyword{Text: text}
	seen := map[string]bool{}
	for _, f := range fields {
		if utf8.RuneCountInString(f) < MinKeyword || seen[strings.ToLower(f)] {
			continue
		}
		seen[strings.ToLower(f)] = true
		kw.Words = append(kw.Words, f)
	}
	if len(kw.Words) == 0 {
		kw.Words = []string{text} // only one-character words: match them as one phrase
	}
	if len(kw.Words) > MaxWords {
		return Keyword{}, invalid("must have at most %d words", MaxWords)
	}
	return kw, nil
}

// patterns returns the ILIKE pattern of each word: %word% with the
// pattern's special characters escaped.
func (k Keyword) patterns() []any {
	out := make([]any, len(k.Words))
	for i, w := range k.Words {
		out[i] = "%" + escapeLike(w) + "%"
	}
	return out
}

// prefixPatterns returns the ILIKE patterns of a text with a word that
// starts with the keyword: at the start of the text, or after a space.
func (k Keyword) prefixPatterns() []any {
	e := escapeLike(k.Text)
	return []any{e + "%", "% " + e + "%"}
}

// highlights returns what a snippet highlights: the whole keyword and each
// of its words.
func (k Keyword) highlights() []string {
	return append([]string{k.Text}, k.Words...)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// escapeLike escapes s for a LIKE pattern with the default escape
// character (backslash).
func escapeLike(s string) string { return likeEscaper.Replace(s) }

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
