package timeline_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// FuzzCursor: an opaque cursor is one EncodeCursor made (it decodes to a
// position that re-encodes and decodes to itself), or a 400.
func FuzzCursor(f *testing.F) {
	f.Add(timeline.EncodeCursor(timeline.Key{At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ID: 42}))
	f.Add(timeline.EncodeCursor(timeline.Key{}))
	for _, s := range []string{"", "djEuMS4y", "v1.1.2", "djEuLTEuLTI", "djIuMS4y", "%%%", "djEuOTIyMzM3MjAzNjg1NDc3NTgwOC4x", "djEuMS4yLjM"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := timeline.DecodeCursor(s)
		if err != nil {
			if errcode.Of(err) != errcode.ValidationFailed || errcode.HTTPStatus(err) != http.StatusBadRequest {
				t.Fatalf("%q: %v, want 400 VALIDATION_FAILED", s, err)
			}
			return
		}
		if k.ID < 0 {
			t.Fatalf("%q: negative id %d", s, k.ID)
		}
		again, err := timeline.DecodeCursor(timeline.EncodeCursor(k))
		if err != nil || !again.At.Equal(k.At) || again.ID != k.ID {
			t.Fatalf("%q: %+v re-encodes to %+v, %v", s, k, again, err)
		}
	})
}
