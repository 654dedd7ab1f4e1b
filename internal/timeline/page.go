package timeline

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/paging"
)

// Request is a page request: page and size, or an opaque cursor (the
// nextCursor of the previous page), which wins over page. Cursor pages are
// keyset pages over (time, id): they stay stable while new posts arrive and
// a deep page costs what the first does.
type Request struct {
	paging.Page
	Cursor *Key
}

// offset is the number of rows to skip: none with a cursor.
func (q Request) offset() int {
	if q.Cursor != nil {
		return 0
	}
	return q.Offset()
}

// after returns the keyset position rows must come after: the cursor, or
// def (the start of the order) on page paging.
func (q Request) after(def Key) Key {
	if q.Cursor != nil {
		return *q.Cursor
	}
	return def
}

// NewRequest is the request of page p from cursor ("" for none: page
// paging); a cursor this API did not return is a 400.
func NewRequest(p paging.Page, cursor string) (Request, error) {
	q := Request{Page: p}
	if raw := cursor; raw != "" {
		k, err := DecodeCursor(raw)
		if err != nil {
			return Request{}, err
		}
		q.Cursor = &k
	}
	return q, nil
}

var errCursor = errcode.New(errcode.ValidationFailed, "cursor: is not a cursor this API returned")

// EncodeCursor returns the opaque cursor of the position k.
func EncodeCursor(k Key) string {
	raw := "v1." + strconv.FormatInt(k.At.UnixMicro(), 10) + "." + strconv.FormatInt(k.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCursor reads a cursor of EncodeCursor.
func DecodeCursor(s string) (Key, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Key{}, errCursor
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return Key{}, errCursor
	}
	us, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || id < 0 {
		return Key{}, errCursor
	}
	return Key{At: time.UnixMicro(us).UTC(), ID: id}, nil
}

// sliceOf builds the page of rows (fetched with one extra row), with the
// cursor of the next page when there is one.
func sliceOf[T any](q Request, rows []T, key func(T) Key) paging.Slice[T] {
	s := paging.SliceOf(q.Page, rows)
	if s.HasNext && len(s.Content) > 0 {
		s.NextCursor = EncodeCursor(key(s.Content[len(s.Content)-1]))
	}
	return s
}

func postKey(p Post) Key { return Key{At: p.CreatedAt, ID: p.ID} }
