package openapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/openapi"
)

// TestValidatorRejectsWrongShapes shows what the integration tests' check
// catches: each case is one response the description rejects.
func TestValidatorRejectsWrongShapes(t *testing.T) {
	v, err := openapi.Shared()
	if err != nil {
		t.Fatal(err)
	}
	json := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	stats := `{"status":200,"result":"SUCCESS","data":{"postId":1,"commentCount":2,"likeCount":3,"viewCount":4}}`
	failure := `{"statusCode":404,"resultCode":"FAIL","code":"POST_NOT_FOUND","message":"no post 1","path":"/api/timeline/statistics/posts/1","timestamp":"2026-12-02T10:00:00Z"}`
	tests := []struct {
		name   string
		path   string
		status int
		header http.Header
		body   string
		valid  bool
	}{
		{"valid", "/api/timeline/statistics/posts/1", 200, json, stats, true},
		{"valid error", "/api/timeline/statistics/posts/1", 404, json, failure, true},
		{"unknown path, error envelope", "/api/nowhere", 404, json, strings.ReplaceAll(failure, "POST_NOT_FOUND", "NOT_FOUND"), true},
		{"extra field", "/api/timeline/statistics/posts/1", 200, json, strings.Replace(stats, `"viewCount":4`, `"viewCount":4,"shares":1`, 1), false},
		{"missing field", "/api/timeline/statistics/posts/1", 200, json, strings.Replace(stats, `,"viewCount":4`, ``, 1), false},
		{"wrong type", "/api/timeline/statistics/posts/1", 200, json, strings.Replace(stats, `"likeCount":3`, `"likeCount":"3"`, 1), false},
		{"no envelope", "/api/timeline/statistics/posts/1", 200, json, `{"postId":1,"commentCount":2,"likeCount":3,"viewCount":4}`, false},
		{"envelope status differs", "/api/timeline/statistics/posts/1", 200, json, strings.Replace(stats, `"status":200`, `"status":201`, 1), false},
		{"undocumented success status", "/api/timeline/statistics/posts/1", 201, json, strings.Replace(stats, `"status":200`, `"status":201`, 1), false},
		{"error without envelope", "/api/timeline/statistics/posts/1", 500, json, `{"error":"boom"}`, false},
		{"wrong content type", "/api/timeline/statistics/posts/1", 200, http.Header{"Content-Type": {"text/plain"}}, stats, false},
		{"success on an unknown path", "/api/nowhere", 200, json, stats, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			err := v.Validate(req, tt.status, tt.header, []byte(tt.body))
			if (err == nil) != tt.valid {
				t.Errorf("valid = %v, want %v (err: %v)", err == nil, tt.valid, err)
			}
		})
	}
	// Login must send the access token in the Authorization header.
	login := `{"status":200,"result":"SUCCESS","data":{}}`
	req := httptest.NewRequest(http.MethodPost, "/api/authentication/login", nil)
	if err := v.Validate(req, 200, json, []byte(login)); err == nil || !strings.Contains(err.Error(), "Authorization") {
		t.Errorf("login without Authorization header: %v, want a missing header", err)
	}
}
