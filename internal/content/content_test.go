package content

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

func ptr(s string) *string { return &s }

func TestValidate(t *testing.T) {
	long := func(n int) *string { return ptr(strings.Repeat("가", n)) }
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{"post", second(NewPost{Content: ptr("x")}.Validate()), true},
		{"post 5000 chars", second(NewPost{Content: long(5000)}.Validate()), true},
		{"post 5001 chars", second(NewPost{Content: long(5001)}.Validate()), false},
		{"post no content", second(NewPost{Title: ptr("t")}.Validate()), false},
		{"post blank", second(NewPost{Content: ptr(" \u3000\n")}.Validate()), false},
		{"post NUL", second(NewPost{Content: ptr("a\x00b")}.Validate()), false},
		{"post invalid UTF-8", second(NewPost{Content: ptr("a\xffb")}.Validate()), false},
		{"title 200", second(NewPost{Content: ptr("x"), Title: long(200)}.Validate()), true},
		{"title 201", second(NewPost{Content: ptr("x"), Title: long(201)}.Validate()), false},
		{"update nothing", second(PostUpdate{}.Validate()), false},
		{"update title only", second(PostUpdate{Title: ptr("")}.Validate()), true},
		{"update blank content", second(PostUpdate{Content: ptr(" ")}.Validate()), false},
		{"comment", second(NewComment{PostID: 1, Content: ptr("x")}.Validate()), true},
		{"comment 1000", second(NewComment{PostID: 1, Content: long(1000)}.Validate()), true},
		{"comment 1001", second(NewComment{PostID: 1, Content: long(1001)}.Validate()), false},
		{"comment no post", second(NewComment{Content: ptr("x")}.Validate()), false},
		{"reply", second(NewReply{PostID: 1, ParentID: 2, Content: ptr("x")}.Validate()), true},
		{"reply no parent", second(NewReply{PostID: 1, Content: ptr("x")}.Validate()), false},
		{"reply negative parent", second(NewReply{PostID: 1, ParentID: -2, Content: ptr("x")}.Validate()), false},
		{"comment update missing", second(CommentUpdate{}.Validate()), false},
	}
	for _, tc := range tests {
		if tc.ok && tc.err != nil {
			t.Errorf("%s: %v", tc.name, tc.err)
		}
		if !tc.ok && !errcode.Is(tc.err, errcode.ValidationFailed) {
			t.Errorf("%s: got %v, want VALIDATION_FAILED", tc.name, tc.err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestValidateNormalises(t *testing.T) {
	in, err := NewPost{Title: ptr("  "), Content: ptr("  hi \n")}.Validate()
	if err != nil || in.Title != nil || *in.Content != "hi" {
		t.Errorf("got %+v, %v", in, err)
	}
}

func TestIDAcceptsNumbersAndNumericStrings(t *testing.T) {
	for raw, want := range map[string]ID{`{"postId": 12}`: 12, `{"postId": "12"}`: 12, `{"postId": null}`: 0, `{}`: 0} {
		var in NewComment
		if err := json.Unmarshal([]byte(raw), &in); err != nil || in.PostID != want {
			t.Errorf("%s: %d, %v", raw, in.PostID, err)
		}
	}
	for _, raw := range []string{`{"postId": "abc"}`, `{"postId": 1.5}`, `{"postId": true}`, `{"postId": "99999999999999999999"}`} {
		var in NewComment
		err := json.Unmarshal([]byte(raw), &in)
		var te *json.UnmarshalTypeError
		if err == nil || !errors.As(err, &te) {
			t.Errorf("%s: %v, want a type error", raw, err)
		}
	}
}
