package fn

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/activity"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/search"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Input reads a request's parameters and body for a handler that parses
// several of them, keeping the first error: once a read has failed, the
// later ones do nothing and return zero values, so the handler checks Err
// once after its reads and a client is told of the first bad input in the
// order they are read, as with a check after each.
//
//	in := fn.Read(w, r)
//	id := in.PathID("postId")
//	q := in.Timeline(20)
//	if err := in.Err(); err != nil {
//		return nil, err
//	}
type Input struct {
	w   http.ResponseWriter
	r   *http.Request
	err error
}

// Read returns an Input over r; w bounds the body Decode reads.
func Read(w http.ResponseWriter, r *http.Request) *Input { return &Input{w: w, r: r} }

// Err returns the error of the first read that failed, or nil.
func (in *Input) Err() error { return in.err }

// PathID reads the positive integer path parameter name (web.PathID).
func (in *Input) PathID(name string) int64 {
	if in.err != nil {
		return 0
	}
	var id int64
	id, in.err = web.PathID(in.r, name)
	return id
}

// Timeline reads page, size (default def) and cursor (TimelineRequest).
func (in *Input) Timeline(def int) timeline.Request {
	if in.err != nil {
		return timeline.Request{}
	}
	var q timeline.Request
	q, in.err = TimelineRequest(in.r, def)
	return q
}

// Decode reads the JSON body into v (web.Decode).
func (in *Input) Decode(v any) {
	if in.err == nil {
		in.err = web.Decode(in.w, in.r, v)
	}
}

// The query parameters of the read routes, parsed here so that the domain
// never sees a request.

// TimelineRequest reads page, size (default def) and cursor.
func TimelineRequest(r *http.Request, def int) (timeline.Request, error) {
	p, err := web.PageOf(r, def)
	if err != nil {
		return timeline.Request{}, err
	}
	return timeline.NewRequest(p, r.URL.Query().Get("cursor"))
}

// ActivityQuery reads page, size (default activity.DefaultPageSize) and
// cursor.
func ActivityQuery(r *http.Request) (activity.Query, error) {
	p, err := web.PageOf(r, activity.DefaultPageSize)
	if err != nil {
		return activity.Query{}, err
	}
	return activity.NewQuery(p, r.URL.Query().Get("cursor"))
}

// SearchRequest reads the keyword (search.ParseKeyword) and the page
// (page, size; search.DefaultSize).
func SearchRequest(r *http.Request) (search.Keyword, paging.Page, error) {
	kw, err := search.ParseKeyword(r.URL.Query().Get("keyword"))
	if err != nil {
		return search.Keyword{}, paging.Page{}, err
	}
	page, err := web.PageOf(r, search.DefaultSize)
	return kw, page, err
}
