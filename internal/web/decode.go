package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// MaxJSONBody bounds every JSON request body.
const MaxJSONBody = 1 << 20

// Decode reads a JSON request body into v. Malformed JSON, trailing data or a
// body above MaxJSONBody is a coded 4xx error.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, MaxJSONBody)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooLarge):
			return errcode.Errorf(errcode.PayloadTooLarge, "request body exceeds %d bytes", MaxJSONBody)
		case errors.Is(err, io.EOF):
			return errcode.New(errcode.MalformedJSON, "request body is empty")
		case errors.As(err, &typeErr):
			return errcode.Errorf(errcode.ValidationFailed, "field %q must be of type %s", typeErr.Field, typeErr.Type)
		default:
			return errcode.New(errcode.MalformedJSON, "request body is not valid JSON")
		}
	}
	if dec.More() {
		return errcode.New(errcode.MalformedJSON, "request body holds more than one JSON value")
	}
	return nil
}

// PathID reads the positive integer path parameter name.
func PathID(r *http.Request, name string) (int64, error) {
	return positiveID(name, r.PathValue(name))
}

func positiveID(name, raw string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, errcode.Errorf(errcode.ValidationFailed, "%s must be a positive integer", name)
	}
	return id, nil
}

// Page is a page request: page (0-based) and size.
type Page struct {
	Page int
	Size int
}

// Offset returns the number of rows before the page.
func (p Page) Offset() int { return p.Page * p.Size }

// MaxPageSize bounds every page.
const MaxPageSize = 100

// PageOf reads page and size query parameters; size defaults to def.
func PageOf(r *http.Request, def int) (Page, error) {
	p := Page{Size: def}
	q := r.URL.Query()
	if raw := q.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 1_000_000 {
			return p, errcode.New(errcode.ValidationFailed, "page must be a non-negative integer")
		}
		p.Page = n
	}
	if raw := q.Get("size"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxPageSize {
			return p, errcode.New(errcode.ValidationFailed, fmt.Sprintf("size must be between 1 and %d", MaxPageSize))
		}
		p.Size = n
	}
	return p, nil
}

// Slice is a page of results in the API's shape.
type Slice[T any] struct {
	Content       []T    `json:"content"`
	Page          int    `json:"page"`
	Size          int    `json:"size"`
	HasNext       bool   `json:"hasNext"`
	TotalElements *int64 `json:"totalElements,omitempty"`
	TotalPages    *int64 `json:"totalPages,omitempty"`
	NextCursor    string `json:"nextCursor,omitempty"`
}

// SliceOf builds a page from rows fetched with one extra row beyond the page
// size (the extra row only tells whether there is a next page).
func SliceOf[T any](p Page, rows []T) Slice[T] {
	s := Slice[T]{Page: p.Page, Size: p.Size, Content: rows}
	if len(rows) > p.Size {
		s.Content, s.HasNext = rows[:p.Size], true
	}
	if s.Content == nil {
		s.Content = []T{}
	}
	return s
}

// WithTotal sets the total count of a page.
func (s Slice[T]) WithTotal(total int64) Slice[T] {
	pages := int64(0)
	if s.Size > 0 {
		pages = (total + int64(s.Size) - 1) / int64(s.Size)
	}
	s.TotalElements, s.TotalPages = &total, &pages
	return s
}
