package terms

import (
	"fmt"
	"strings"
	"testing"
)

func show(toks []Token) string {
	s := make([]string, len(toks))
	for i, t := range toks {
		s[i] = fmt.Sprintf("%s:%d", t.Text, t.Pos)
	}
	return strings.Join(s, " ")
}

func TestIndex(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"밥", "밥:1"},
		{"공부", "공부:1 공:1 부:2"},
		{"한국어", "한국:1 한:1 국어:2 국:2 어:3"},
		{"밥을 먹었다", "밥을:1 밥:1 을:2 먹었:3 먹:3 었다:4 었:4 다:5"},
		{"Learning GoLang!", "learning:1 golang:2"},
		{"golang을 배웠다", "golang:1 을:2 배웠:3 배:3 웠다:4 웠:4 다:5"},
		{"2024년", "2024:1 년:2"},
		{"커피☕좋아", "커피:1 커:1 피:2 좋아:3 좋:3 아:4"},
		{"e-mail, e.mail", "e:1 mail:2 e:3 mail:4"},
		{"東京タワー", "東京:1 東:1 京タ:2 京:2 タワ:3 タ:3 ワー:4 ワ:4 ー:5"},
		{"ＡＢＣ café", "abc:1 café:2"},                          // NFKC: full width, composed é
		{"cafe\u0301", "café:1"},                              // decomposed é becomes composed
		{"\u1100\u1161\u11a8", "각:1"},                         // conjoining jamo become the syllable
		{"!!! ... 🎉", ""},                                     // nothing to index
		{strings.Repeat("a", MaxLexemeBytes+1) + " b", "b:2"}, // too long a word takes its position
	} {
		if got := show(Index(tc.text)); got != tc.want {
			t.Errorf("Index(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
	// Title and content: positions continue, no bigram across them.
	if got, want := show(Index("제목", "본문")), "제목:1 제:1 목:2 본문:3 본:3 문:4"; got != want {
		t.Errorf("Index(title, content) = %q, want %q", got, want)
	}
}

func TestVector(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"공부 공부", "'공':1,3 '공부':1,3 '부':2,4"},
		{"Go go GO", "'go':1,2,3"},
		{"", ""},
	} {
		if got := Vector(tc.text); got != tc.want {
			t.Errorf("Vector(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
	long := strings.Repeat("x ", MaxPos+10)
	if got := Vector(long); !strings.HasSuffix(got, ",16383") || strings.Contains(got, "16384") {
		t.Errorf("Vector of a long text does not stop at %d: …%s", MaxPos, got[len(got)-30:])
	}
}

func TestQuery(t *testing.T) {
	for _, tc := range []struct{ keyword, want string }{
		{"밥", "'밥'"},
		{"공부", "'공부'"},
		{"한국어", "'한국' <1> '국어'"},
		{"한국어공부", "'한국' <1> '국어' <1> '어공' <1> '공부'"},
		{"Golang", "'golang'"},
		{"커피 golang", "'커피' & 'golang'"},
		{"golang을", "'golang' <1> '을'"},
		{"한국어 공부", "('한국' <1> '국어') & '공부'"},
		{"공부를 했다", "('공부' <1> '부를') & '했다'"},
		{"공부를했다", "'공부' <1> '부를' <1> '를했' <1> '했다'"},
		{"커피☕", "'커피'"},
		{"☕ 커피 커피 KOFFIE koffie", "'커피' & 'koffie'"},
		{"x-ray", "'x' <1> 'ray'"},
		{"東京タワー", "'東京' <1> '京タ' <1> 'タワ' <1> 'ワー'"},
		{"🎉 !!!", ""},
	} {
		parts, ok := Parts(tc.keyword, 10)
		if !ok {
			t.Errorf("Parts(%q): too many", tc.keyword)
		}
		if got := Query(parts); got != tc.want {
			t.Errorf("Query(%q) = %q, want %q", tc.keyword, got, tc.want)
		}
	}
	if parts, ok := Parts("a b c d", 3); ok || len(parts) != 3 {
		t.Errorf("Parts of 4 words, max 3 = %d parts, ok %v; want 3, false", len(parts), ok)
	}
}

// TestQueryMatchesSubstrings checks the claim of the package doc on the
// index side alone: every substring of a CJK run, of one character or
// more, finds its query's lexemes at the query's distances.
func TestQueryMatchesSubstrings(t *testing.T) {
	text := "오늘은 한국어공부를 했다 東京タワー"
	at := map[string][]int{}
	for _, tok := range Index(text) {
		at[tok.Text] = append(at[tok.Text], tok.Pos)
	}
	has := func(lex string, pos int) bool {
		for _, p := range at[lex] {
			if p == pos {
				return true
			}
		}
		return false
	}
	for _, field := range strings.Fields(text) {
		rs := []rune(field)
		for i := range rs {
			for j := i + 1; j <= len(rs); j++ {
				parts, _ := Parts(string(rs[i:j]), 1)
				p := parts[0]
				found := false
				for _, start := range at[p[0].Text] {
					ok := true
					for _, tok := range p[1:] {
						ok = ok && has(tok.Text, start+tok.Pos-p[0].Pos)
					}
					found = found || ok
				}
				if !found {
					t.Errorf("substring %q of %q: query %s not in the index", string(rs[i:j]), field, p)
				}
			}
		}
	}
}
