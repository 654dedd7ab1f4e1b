package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/paging"
)

func TestErrorEnvelope(t *testing.T) {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/api/posts/9", nil)
	Error(rec, r, errcode.New(errcode.NotFound, "post 9 not found"))
	var got Failure
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	got.Timestamp = ""
	want := Failure{StatusCode: 404, ResultCode: "FAIL", Code: "NOT_FOUND", Message: "post 9 not found", Path: "/api/posts/9"}
	if rec.Code != 404 || cmp.Diff(want, got) != "" {
		t.Errorf("status %d, -want +got\n%s", rec.Code, cmp.Diff(want, got))
	}
}

func TestInternalErrorsHideTheirDetail(t *testing.T) {
	rec := httptest.NewRecorder()
	Error(rec, httptest.NewRequest("GET", "/x", nil), errInternal("password=hunter2"))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "hunter2") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

type errInternal string

func (e errInternal) Error() string { return string(e) }

func TestRetryAfter(t *testing.T) {
	rec := httptest.NewRecorder()
	Error(rec, httptest.NewRequest("GET", "/x", nil), &errcode.RetryAfterError{Err: errcode.New(errcode.RateLimited, "slow down"), After: 1500_000_000})
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "3" {
		t.Errorf("%d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestSuccessEnvelope(t *testing.T) {
	rec := httptest.NewRecorder()
	created := Created(map[string]int{"id": 1})
	Write(rec, created.Code, created.Data)
	if rec.Code != 201 || strings.TrimSpace(rec.Body.String()) != `{"status":201,"result":"SUCCESS","data":{"id":1}}` {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

func TestDecode(t *testing.T) {
	type body struct {
		Content string `json:"content"`
		Count   int    `json:"count"`
	}
	tests := []struct {
		name, in string
		code     errcode.Code
	}{
		{"ok", `{"content":"hi","count":2,"extra":true}`, ""},
		{"empty", ``, errcode.MalformedJSON},
		{"malformed", `{"content":`, errcode.MalformedJSON},
		{"two values", `{} {}`, errcode.MalformedJSON},
		{"wrong type", `{"count":"two"}`, errcode.ValidationFailed},
		{"too large", `{"content":"` + strings.Repeat("a", MaxJSONBody) + `"}`, errcode.PayloadTooLarge},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tt.in))
		var b body
		err := Decode(httptest.NewRecorder(), r, &b)
		if (tt.code == "" && err != nil) || (tt.code != "" && errcode.Of(err) != tt.code) {
			t.Errorf("%s: err %v, want code %q", tt.name, err, tt.code)
		}
	}
}

func TestPageOf(t *testing.T) {
	tests := []struct {
		query string
		want  paging.Page
		fails bool
	}{
		{"", paging.Page{Page: 0, Size: 20}, false},
		{"page=2&size=5", paging.Page{Page: 2, Size: 5}, false},
		{"size=101", paging.Page{}, true},
		{"size=0", paging.Page{}, true},
		{"page=-1", paging.Page{}, true},
		{"page=x", paging.Page{}, true},
	}
	for _, tt := range tests {
		got, err := PageOf(httptest.NewRequest("GET", "/?"+tt.query, nil), 20)
		if (err != nil) != tt.fails || (!tt.fails && got != tt.want) {
			t.Errorf("%q: %+v, %v", tt.query, got, err)
		}
	}
}

func TestPathID(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for raw, ok := range map[string]bool{"12": true, "0": false, "-3": false, "x": false, "": false} {
		r.SetPathValue("postId", raw)
		if _, err := PathID(r, "postId"); (err == nil) != ok {
			t.Errorf("PathID(%q) err %v", raw, err)
		}
	}
}
