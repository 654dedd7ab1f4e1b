// Package layers is the rule of which dailyfeed package may import which,
// as data, and its check over an import graph; its test runs the check on
// the module's real graph (go list). The rule, from the bottom up:
//
//   - base: errors, configuration, paging, the route table, event
//     payloads, the search term splitter, the migrations. It imports only
//     base.
//   - adapters: PostgreSQL, the outbox and its writer, Kafka, MinIO, the
//     dead-letter store, tracing. They import base and adapters.
//   - domain: members, tokens, the login guard, content, follows,
//     timelines, activities, rankings, search, images. It imports base,
//     adapters and domain, never the edge: no stack, no web, no fn, no
//     net/http (auth and image excepted: auth reads a request's bearer
//     token and fetches keys, image reads a multipart upload and sniffs
//     content types).
//   - edge: the wiring (stack, fn), the transports (web, sink) and the
//     instrumentation (metrics). It
//     imports anything below it.
//   - functions: functions/*, the all-in-one (the module root) and cmd/*.
//     Nothing below imports them.
//   - tools: the manifest and OpenAPI generators, the chaos run, the load
//     client, testenv and the test kits. No layer imports them but tools
//     and functions; test kits may not import functions.
package layers

import (
	"fmt"
	"slices"
	"strings"
)

// Layer is one layer of the rule, bottom first.
type Layer int

const (
	Base Layer = iota
	Adapters
	Domain
	Edge
	Functions
	Tools
)

func (l Layer) String() string {
	return [...]string{"base", "adapters", "domain", "edge", "functions", "tools"}[l]
}

// Module is the module path.
const Module = "github.com/dailyfeed/dailyfeed"

// Of is the layer of each package of the module, by path below the module;
// functions/* and cmd/* are Functions, packages ending in "test" Tools.
var Of = map[string]Layer{
	"internal/errcode": Base, "internal/config": Base, "internal/paging": Base,
	"internal/route": Base, "internal/search/terms": Base, "events": Base, "migrations": Base,

	"internal/postgres": Adapters, "internal/outbox": Adapters, "internal/outbox/emit": Adapters,
	"kafka": Adapters, "kafka/rotation": Adapters, "minio": Adapters, "internal/deadletter": Adapters, "internal/tracing": Adapters,

	"internal/member": Domain, "internal/auth": Domain, "internal/ratelimit": Domain,
	"internal/content": Domain, "internal/follow": Domain, "internal/timeline": Domain,
	"internal/activity": Domain, "internal/ranking": Domain, "internal/search": Domain,
	"internal/image": Domain,

	"internal/stack": Edge, "internal/fn": Edge, "internal/web": Edge, "internal/sink": Edge, "internal/metrics": Edge,

	"": Functions,

	"internal/manifest": Tools, "internal/openapi": Tools, "internal/chaos": Tools,
	"internal/loadtest": Tools, "internal/testenv": Tools, "internal/layers": Tools,
}

// HTTPAllowed are the domain packages that may import net/http, and why.
var HTTPAllowed = map[string]string{
	"internal/auth":  "reads a request's bearer token; fetches signing keys",
	"internal/image": "reads a multipart upload; sniffs content types",
}

// KitsDrivingFunctions are the test kits that still build their handler
// from the functions they drive (a ratchet: the check fails on any other
// kit that imports a function, and on a kit listed here that no longer
// does, so the list only shrinks). It is empty: the kits take the
// functions' constructors from their callers (dailyfeed.Functions).
var KitsDrivingFunctions = map[string]string{}

// layerOf returns the layer of rel (a path below the module).
func layerOf(rel string) (Layer, bool) {
	if l, ok := Of[rel]; ok {
		return l, true
	}
	switch {
	case strings.HasPrefix(rel, "functions/"), strings.HasPrefix(rel, "cmd/"):
		return Functions, true
	case isKit(rel):
		return Tools, true
	}
	return 0, false
}

// isKit reports whether rel is a test kit (internal/member/membertest).
func isKit(rel string) bool {
	i := strings.LastIndex(rel, "/")
	return strings.HasSuffix(rel[i+1:], "test")
}

// Check returns every import of graph (import path → its imports) that
// breaks the rule, and every package of the module without a layer.
func Check(graph map[string][]string) []string {
	return CheckWith(graph, KitsDrivingFunctions)
}

// CheckWith is Check with kits as the ratchet of KitsDrivingFunctions.
func CheckWith(graph map[string][]string, kits map[string]string) []string {
	var out []string
	driving := map[string]bool{}
	for pkg, imports := range graph {
		rel, ok := relative(pkg)
		if !ok {
			continue
		}
		from, ok := layerOf(rel)
		if !ok {
			out = append(out, fmt.Sprintf("%s has no layer (add it to layers.Of)", pkg))
			continue
		}
		for _, imp := range imports {
			if imp == "net/http" && from == Domain {
				if _, ok := HTTPAllowed[rel]; !ok {
					out = append(out, fmt.Sprintf("%s (domain) imports net/http", pkg))
				}
				continue
			}
			irel, ok := relative(imp)
			if !ok {
				continue
			}
			to, ok := layerOf(irel)
			if !ok {
				continue // reported as the package itself
			}
			if to == Functions && isKit(rel) {
				if _, ok := kits[rel]; ok {
					driving[rel] = true
					continue
				}
			}
			if problem := allowed(rel, from, irel, to); problem != "" {
				out = append(out, fmt.Sprintf("%s (%s) imports %s (%s): %s", pkg, from, imp, to, problem))
			}
		}
	}
	for rel := range kits {
		if _, listed := graph[Module+"/"+rel]; listed && !driving[rel] {
			out = append(out, fmt.Sprintf("%s imports no function any more: remove it from layers.KitsDrivingFunctions", rel))
		}
	}
	slices.Sort(out)
	return out
}

// allowed says why from may not import to, or "".
func allowed(rel string, from Layer, irel string, to Layer) string {
	switch {
	case to == Tools && from != Tools && from != Functions:
		return "only tools and functions use tools"
	case to == Functions && isKit(rel):
		return "a test kit drives functions it is given, it does not import them"
	case to == Functions && from != Tools && from != Functions:
		return "nothing below the functions imports them"
	case to == Functions, to == Tools:
		return ""
	case from == Tools, from == Functions:
		return ""
	case to > from:
		return "a layer imports only its own and the layers below it"
	}
	return ""
}

// relative returns pkg's path below the module.
func relative(pkg string) (string, bool) {
	if pkg == Module {
		return "", true
	}
	rel, ok := strings.CutPrefix(pkg, Module+"/")
	return rel, ok
}
