package dailyfeed_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/openapi"
)

// TestServesOpenAPI: the all-in-one function answers GET /openapi.json
// with the generated description (no stack needed), which validates.
func TestServesOpenAPI(t *testing.T) {
	c := &membertest.Client{T: t, Handler: http.HandlerFunc(dailyfeed.New().Handle)}
	res := c.Do("GET", "/openapi.json", nil)
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %q", res.Status, res.Header.Get("Content-Type"))
	}
	want, err := openapi.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Body, want) {
		t.Error("served description differs from the generator (run `make manifests`)")
	}
	if _, err := openapi.NewValidator(res.Body); err != nil {
		t.Errorf("served description does not validate: %v", err)
	}
}
