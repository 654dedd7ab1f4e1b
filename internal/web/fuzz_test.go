package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// requestTypes are the JSON bodies of every route that reads one, each
// with its validation (nil: the handler checks nothing more before use).
// The bodies local to a function (delete-images, query-posts,
// refresh-token) have their shapes here.
var requestTypes = map[string]struct {
	new      func() any
	validate func(any) error
}{
	"signup":         {func() any { return new(member.Signup) }, func(v any) error { return v.(*member.Signup).Validate(time.Now()) }},
	"login":          {func() any { return new(member.Credentials) }, nil},
	"update-profile": {func() any { return new(member.ProfileUpdate) }, func(v any) error { return v.(*member.ProfileUpdate).Validate(time.Now()) }},
	"change-handle":  {func() any { return new(member.HandleChange) }, func(v any) error { return v.(*member.HandleChange).Validate() }},
	"query-members":  {func() any { return new(member.Query) }, func(v any) error { return v.(*member.Query).Validate() }},
	"create-post":    {func() any { return new(content.NewPost) }, func(v any) error { _, err := v.(*content.NewPost).Validate(); return err }},
	"update-post":    {func() any { return new(content.PostUpdate) }, func(v any) error { _, err := v.(*content.PostUpdate).Validate(); return err }},
	"create-comment": {func() any { return new(content.NewComment) }, func(v any) error { _, err := v.(*content.NewComment).Validate(); return err }},
	"create-reply":   {func() any { return new(content.NewReply) }, func(v any) error { _, err := v.(*content.NewReply).Validate(); return err }},
	"update-comment": {func() any { return new(content.CommentUpdate) }, func(v any) error { _, err := v.(*content.CommentUpdate).Validate(); return err }},
	"query-posts": {func() any {
		return new(struct {
			IDs []content.ID `json:"ids"`
		})
	}, nil},
	"delete-images": {func() any {
		return new(struct {
			ImageURLs []string `json:"imageUrls"`
		})
	}, nil},
	"refresh-token": {func() any {
		return new(struct {
			RefreshToken string `json:"refreshToken"`
		})
	}, nil},
}

func decode(body []byte, v any) error {
	r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	return web.Decode(httptest.NewRecorder(), r, v)
}

// coded4xx fails unless err is a coded client error.
func coded4xx(t *testing.T, what string, err error) {
	t.Helper()
	if code := errcode.Of(err); code == errcode.Internal || code == "" {
		t.Fatalf("%s: uncoded error %v", what, err)
	}
	if s := errcode.HTTPStatus(err); s < 400 || s > 499 {
		t.Fatalf("%s: status %d for %v, want 4xx", what, s, err)
	}
}

// badText returns the first string reachable from v that PostgreSQL
// would refuse (invalid UTF-8 or NUL), and whether one is.
func badText(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return badText(v.Elem())
	case reflect.String:
		s := v.String()
		return s, !utf8.ValidString(s) || strings.ContainsRune(s, 0)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				if s, bad := badText(v.Field(i)); bad {
					return s, true
				}
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if s, bad := badText(v.Index(i)); bad {
				return s, true
			}
		}
	}
	return "", false
}

// FuzzDecodeRequest drives the shared JSON decoder over every request
// body: it answers a coded 4xx, or a value that, once validated, holds no
// text PostgreSQL refuses and re-encodes to itself.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"email":"a@example.com","password":"Secret-pass1!","memberName":"Ann","handle":"ann_1","gender":"FEMALE","countryCode":"KR","bio":"hi"}`,
		`{"email":"a\u0000b@example.com","password":"x"}`,
		`{"bio":"ab\u0000cd","displayName":"\ud800"}`,
		`{"newHandle":"new_handle"}`, `{"handle":"x y"}`,
		`{"ids":[1,2,"3",-1,1e3]}`, `{"ids":[9223372036854775808]}`,
		`{"title":"t","content":"c"}`, `{"content":"` + strings.Repeat("가", 10) + `"}`,
		`{"postId":1,"parentId":"2","content":"r"}`, `{"postId":null}`,
		`{"imageUrls":["/api/images/view/AAAAAAAAAAAAAAAAAAAAAA"]}`, `{"refreshToken":"abc"}`,
		`{"content":"a"} {"content":"b"}`, `{"content":`, ``, `null`, `[]`, "\xff\xfe", `{"content":"\xff"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		nul := ""
		for name, rt := range requestTypes {
			v := rt.new()
			if err := decode(body, v); err != nil {
				coded4xx(t, name+" decode", err)
				continue
			}
			if rt.validate != nil {
				if err := rt.validate(v); err != nil {
					coded4xx(t, name+" validate", err)
					continue
				}
			}
			if s, bad := badText(reflect.ValueOf(v)); bad {
				if utf8.ValidString(s) && strings.ContainsRune(s, 0) {
					nul = name // checked after the other types
					continue
				}
				t.Fatalf("%s: %q reaches the store", name, s)
			}
			raw, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: re-encode %+v: %v", name, v, err)
			}
			again := rt.new()
			if err := decode(raw, again); err != nil {
				t.Fatalf("%s: decode of the re-encoding %s: %v", name, raw, err)
			}
			if !reflect.DeepEqual(v, again) {
				t.Fatalf("%s: %s re-encodes as %s, which decodes to %+v, not %+v", name, body, raw, again, v)
			}
		}
		if nul != "" {
			t.Fatalf("%s: decoded and validated a value holding a NUL: PostgreSQL refuses it", nul)
		}
	})
}

// FuzzPathID: a path id is a positive integer that reads back as itself,
// or a 400 VALIDATION_FAILED.
func FuzzPathID(f *testing.F) {
	for _, s := range []string{"1", "42", "0", "-1", "+7", "007", "9223372036854775807", "9223372036854775808", "1e3", " 1", "1/2", "%31", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetPathValue("postId", raw)
		id, err := web.PathID(r, "postId")
		if err != nil {
			if errcode.Of(err) != errcode.ValidationFailed {
				t.Fatalf("%q: %v, want VALIDATION_FAILED", raw, err)
			}
			return
		}
		if id <= 0 {
			t.Fatalf("%q: id %d", raw, id)
		}
		r.SetPathValue("postId", strconv.FormatInt(id, 10))
		if again, err := web.PathID(r, "postId"); err != nil || again != id {
			t.Fatalf("%q: %d reads back as %d, %v", raw, id, again, err)
		}
	})
}

// FuzzPageOf: page and size are within bounds, or a 400.
func FuzzPageOf(f *testing.F) {
	for _, s := range []string{"", "page=0&size=10", "page=-1", "size=0", "size=101", "page=1000001", "page=1&page=2", "size=%00", "page=+3&size=07", "size=1e2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := &http.Request{Method: "GET", URL: mustURL(query)}
		if r.URL == nil {
			return
		}
		p, err := web.PageOf(r, 20)
		if err != nil {
			if errcode.Of(err) != errcode.ValidationFailed {
				t.Fatalf("%q: %v, want VALIDATION_FAILED", query, err)
			}
			return
		}
		if p.Page < 0 || p.Page > 1_000_000 || p.Size < 1 || p.Size > paging.MaxSize || p.Offset() < 0 {
			t.Fatalf("%q: page %+v out of bounds", query, p)
		}
	})
}

func mustURL(query string) *url.URL {
	u, err := url.Parse("/x?" + query)
	if err != nil {
		return nil
	}
	return u
}
