// Package paging is the API's page of results, free of HTTP: a page
// request (page and size), and the page of rows answered in the API's
// shape. internal/web reads a Page from a request's query; the domain
// pages its queries with it.
package paging

// Page is a page request: page (0-based) and size.
type Page struct {
	Page int
	Size int
}

// Offset returns the number of rows before the page.
func (p Page) Offset() int { return p.Page * p.Size }

// MaxSize bounds every page.
const MaxSize = 100

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
