package fn

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/activity"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/search"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

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
