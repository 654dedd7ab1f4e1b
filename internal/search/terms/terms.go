// Package terms turns text into search terms, the way Lucene's
// CJKBigramFilter (Elasticsearch's cjk_bigram token filter, with
// output_unigrams) does after a standard tokenizer, for both sides of a
// search: the lexemes stored in a post's or comment's tsvector, and the
// tsquery of a keyword. One tokenizer for both sides is what makes a match
// exact: PostgreSQL never splits the text itself (to_tsvector would
// re-split it by its own rules).
//
// # Tokens
//
// The text is NFKC-normalized (full-width Latin becomes ASCII, composed
// and decomposed Hangul become the same syllables), then cut into runs:
//
//   - A run of Hangul, Han, Hiragana or Katakana characters (CJK) becomes
//     its overlapping bigrams — 한국어공부 → 한국 국어 어공 공부 — plus every
//     character alone (한 국 어 공 부), so that a one-character keyword
//     such as 밥 finds 밥을 and 볶음밥. Character i of the run and bigram
//     (i, i+1) share position p+i; the run takes as many positions as it
//     has characters.
//   - A run of other letters, digits and combining marks is one word,
//     lower-cased (Golang → golang), at one position.
//   - Anything else (white space, punctuation, symbols, emoji) separates
//     runs and is not indexed. A CJK run and a word next to each other
//     (golang을, 2024년) are two runs.
//
// # Queries
//
// A keyword is split at white space; each part is tokenized the same way
// but a CJK run of two characters or more gives only its bigrams (a run of
// one character gives that character). The tokens of one part must occur
// at the same distances as in the part (tsquery phrase operators `<N>`), so
// 한국어공부 matches only where those characters follow each other; parts
// are joined by `&`. A CJK keyword therefore matches exactly where it
// occurs as a substring of a CJK run, and any other word where it occurs as
// a whole word.
package terms

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxPos is the largest tsvector position; later tokens are stored at it
// (they still match as terms, not as phrases).
const MaxPos = 16383

// MaxLexemeBytes bounds a word: a longer one is not indexed nor searched
// (tsvector lexemes must be shorter than 2 KiB; nobody searches such words).
const MaxLexemeBytes = 255

// Token is one term at its position (1-based, as in a tsvector).
type Token struct {
	Text string
	Pos  int
}

// isCJK reports whether r belongs to a run that is cut into bigrams.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Hangul, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		r == 'ー' // the prolonged sound mark is Common, but Katakana in use
}

// isWord reports whether r belongs to a word of another script.
func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

type runKind int

const (
	sep runKind = iota
	cjk
	word
)

func kindOf(r rune) runKind {
	switch {
	case isCJK(r):
		return cjk
	case isWord(r):
		return word
	}
	return sep
}

// run is a maximal run of one kind: for cjk its characters (each with
// any combining marks after it), for word the lower-cased word.
type run struct {
	kind  runKind
	chars []string
	word  string
}

// runs cuts text into runs.
func runs(text string) []run {
	text = norm.NFKC.String(text)
	var out []run
	var cur *run
	var b strings.Builder
	flush := func() {
		if cur != nil && cur.kind == word {
			cur.word = strings.ToLower(b.String())
			b.Reset()
		}
		cur = nil
	}
	for _, r := range text {
		k := kindOf(r)
		if k == word && unicode.IsMark(r) && cur != nil && cur.kind == cjk {
			cur.chars[len(cur.chars)-1] += string(r) // a mark stays with its character
			continue
		}
		if cur == nil || cur.kind != k {
			flush()
			if k == sep {
				continue
			}
			out = append(out, run{kind: k})
			cur = &out[len(out)-1]
		}
		if k == cjk {
			cur.chars = append(cur.chars, string(r))
		} else {
			b.WriteRune(r)
		}
	}
	flush()
	return out
}

// tokens appends the tokens of text from position pos on and returns the
// position after them. unigrams adds every CJK character of a run of two
// or more (the index side).
func tokens(out []Token, text string, pos int, unigrams bool) ([]Token, int) {
	for _, r := range runs(text) {
		switch {
		case r.kind == word:
			if len(r.word) <= MaxLexemeBytes {
				out = append(out, Token{r.word, pos})
			}
			pos++
		case len(r.chars) == 1:
			out = append(out, Token{r.chars[0], pos})
			pos++
		default:
			for i, c := range r.chars {
				if i+1 < len(r.chars) {
					out = append(out, Token{c + r.chars[i+1], pos})
				}
				if unigrams {
					out = append(out, Token{c, pos})
				}
				pos++
			}
		}
	}
	return out, pos
}

// Index returns the tokens of texts (a post's title and content) as
// stored: positions continue from one text to the next.
func Index(texts ...string) []Token {
	var out []Token
	pos := 1
	for _, t := range texts {
		out, pos = tokens(out, t, pos, true)
	}
	return out
}

// Vector returns the tsvector of texts in PostgreSQL's input form
// ('lexeme':1,4 'other':2), to be cast with ::tsvector. Positions past
// MaxPos are stored at MaxPos; PostgreSQL keeps the first 256 positions of
// a lexeme.
func Vector(texts ...string) string {
	toks := Index(texts...)
	pos := map[string][]int{}
	var order []string
	for _, t := range toks {
		if _, ok := pos[t.Text]; !ok {
			order = append(order, t.Text)
		}
		p := min(t.Pos, MaxPos)
		if ps := pos[t.Text]; len(ps) == 0 || ps[len(ps)-1] != p {
			pos[t.Text] = append(ps, p)
		}
	}
	slices.Sort(order) // one canonical form (PostgreSQL sorts anyway)
	var b strings.Builder
	for i, lex := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(lex))
		b.WriteByte(':')
		for j, p := range pos[lex] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

// Part is what one white-space separated part of a keyword must match:
// its tokens at their relative positions.
type Part []Token

// Parts returns the parts of a keyword that have terms, at most max of
// them (more is reported by ok false); parts with the same terms count
// once. A keyword of only punctuation or emoji has no parts.
func Parts(keyword string, max int) (parts []Part, ok bool) {
	seen := map[string]bool{}
	for _, f := range strings.Fields(keyword) {
		toks, _ := tokens(nil, f, 1, false)
		if len(toks) == 0 {
			continue
		}
		key := Part(toks).String()
		if seen[key] {
			continue
		}
		seen[key] = true
		if len(parts) == max {
			return parts, false
		}
		parts = append(parts, toks)
	}
	return parts, true
}

// String returns the part as a tsquery: its lexemes joined by phrase
// operators with their distances ('한국' <-> '국어', 'golang' <2> '을').
func (p Part) String() string {
	var b strings.Builder
	for i, t := range p {
		if i > 0 {
			b.WriteString(" <" + strconv.Itoa(t.Pos-p[i-1].Pos) + "> ")
		}
		b.WriteString(quote(t.Text))
	}
	return b.String()
}

// Query returns the tsquery (input form, to be cast with ::tsquery) of
// parts: every part must match.
func Query(parts []Part) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.String()
		if len(parts) > 1 && len(p) > 1 {
			s[i] = "(" + s[i] + ")"
		}
	}
	return strings.Join(s, " & ")
}

// quote quotes a lexeme for tsvector and tsquery input: in single quotes,
// a quote doubled and a backslash escaped. (Tokens hold only letters,
// digits and marks, so this is for safety.)
func quote(lex string) string {
	if !utf8.ValidString(lex) {
		lex = strings.ToValidUTF8(lex, "")
	}
	lex = strings.ReplaceAll(lex, `\`, `\\`)
	return "'" + strings.ReplaceAll(lex, `'`, `''`) + "'"
}

// Surfaces returns the runs of text as they read (NFKC-normalized, words
// lower-cased): 커피☕좋아 → 커피, 좋아. A snippet highlights them.
func Surfaces(text string) []string {
	var out []string
	for _, r := range runs(text) {
		if r.kind == word {
			out = append(out, r.word)
		} else {
			out = append(out, strings.Join(r.chars, ""))
		}
	}
	return out
}
