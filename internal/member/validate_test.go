package member

import (
	"strings"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

func TestPasswordRules(t *testing.T) {
	t.Parallel()
	for pw, ok := range map[string]bool{
		"Secret-pass1":                   true,
		"Aa1!aaaa":                       true,
		"Aa1!aaa":                        false, // 7 characters
		"Aa1!" + strings.Repeat("a", 46): true,  // 50
		"Aa1!" + strings.Repeat("a", 47): false, // 51
		"secret-pass1":                   false,
		"SECRET-PASS1":                   false,
		"Secret-pass":                    false,
		"Secretpass1":                    false,
		"Secret pass1":                   false,
		"S\u00e9cret-pass1":              false,
		"":                               false,
	} {
		if err := checkPassword(pw); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", pw, err, ok)
		}
	}
}

func TestSignupNormalizes(t *testing.T) {
	t.Parallel()
	blank := "  "
	in := Signup{Email: " a@b.co ", Password: "Secret-pass1", MemberName: " Al ", Handle: "al_1",
		Gender: "prefer_not_to_say", CountryCode: "kr", DisplayName: &blank}
	if err := in.Validate(time.Now()); err != nil {
		t.Fatal(err)
	}
	if in.Email != "a@b.co" || in.MemberName != "Al" || in.Gender != "PREFER_NOT_TO_SAY" || in.CountryCode != "KR" ||
		in.Timezone != "UTC" || in.LanguageCode != "en" || in.PrivacyLevel != "PUBLIC" || in.DisplayName != nil {
		t.Errorf("normalized %+v", in)
	}
}

func TestParseRef(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]Ref{"42": {ID: 42}, "@alice_1": {Handle: "alice_1"}} {
		if got, err := ParseRef(raw); err != nil || got != want {
			t.Errorf("%q: %+v %v", raw, got, err)
		}
	}
	for _, raw := range []string{"0", "-1", "abc", "@", "@a", "@no-dash"} {
		if _, err := ParseRef(raw); !errcode.Is(err, errcode.ValidationFailed) {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

func TestQueryLimit(t *testing.T) {
	t.Parallel()
	if err := (&Query{IDs: make([]int64, MaxQueryIDs+1)}).Validate(); !errcode.Is(err, errcode.ValidationFailed) {
		t.Errorf("1001 ids: %v", err)
	}
	if err := (&Query{IDs: []int64{1, 2}}).Validate(); err != nil {
		t.Error(err)
	}
}
