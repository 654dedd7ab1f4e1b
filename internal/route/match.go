package route

import "net/http"

// Match is a matched route: the function that serves it and the values of
// its path wildcards.
type Match struct {
	Function string
	Route    Route
	Params   map[string]string
}

// Mux matches requests against a set of functions' routes. Unlike
// http.ServeMux it accepts overlapping patterns (/members/profile/{ref} and
// /members/{id}/profile) and picks the most specific: the one whose first
// differing segment is a literal.
type Mux struct {
	entries []entry
}

type entry struct {
	function string
	route    Route
	segs     []string
}

// NewMux builds a matcher over the routes of fns.
func NewMux(fns ...Function) *Mux {
	m := &Mux{}
	for _, f := range fns {
		for _, r := range f.Routes {
			m.entries = append(m.entries, entry{function: f.Name, route: r, segs: segments(r.Path)})
		}
	}
	return m
}

// Find returns the route serving method and path. found reports whether any
// route matches the path; ok whether one also matches the method.
func (m *Mux) Find(method, path string) (match Match, found, ok bool) {
	segs := segments(path)
	var best *entry
	for i := range m.entries {
		e := &m.entries[i]
		if !matches(e.segs, segs) {
			continue
		}
		found = true
		if e.route.Method != method && !(method == http.MethodHead && e.route.Method == http.MethodGet) {
			continue
		}
		if best == nil || moreSpecific(e.segs, best.segs) {
			best = e
		}
	}
	if best == nil {
		return Match{}, found, false
	}
	params := map[string]string{}
	for i, s := range best.segs {
		if name, ok := wildcard(s); ok {
			params[name] = segs[i]
		}
	}
	return Match{Function: best.function, Route: best.route, Params: params}, true, true
}

func matches(pattern, segs []string) bool {
	if len(pattern) != len(segs) {
		return false
	}
	for i, p := range pattern {
		if _, ok := wildcard(p); !ok && p != segs[i] {
			return false
		}
	}
	return true
}

// moreSpecific reports whether a beats b at their first differing segment.
func moreSpecific(a, b []string) bool {
	for i := range a {
		_, aw := wildcard(a[i])
		_, bw := wildcard(b[i])
		if aw != bw {
			return !aw
		}
	}
	return false
}

func wildcard(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}
