package layers_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/layers"
)

// TestModuleKeepsItsLayers checks the module's real import graph (go list,
// non-test imports) against the rule of package layers.
func TestModuleKeepsItsLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, layers.Module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	graph := map[string][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		graph[f[0]] = f[1:]
	}
	if len(graph) < 50 {
		t.Fatalf("go list gave %d packages; want the whole module", len(graph))
	}
	for _, p := range layers.Check(graph) {
		t.Error(p)
	}
}

// TestCheckFindsPlantedViolations is the test of the test: a graph with one
// violation of each kind gives exactly those.
func TestCheckFindsPlantedViolations(t *testing.T) {
	m := func(rel string) string { return layers.Module + "/" + rel }
	graph := map[string][]string{
		m("internal/content"):             {m("internal/stack"), m("internal/errcode"), "context"},
		m("internal/timeline"):            {m("internal/web"), m("internal/content"), "net/http"},
		m("internal/image"):               {"net/http"},
		m("internal/postgres"):            {m("internal/member")},
		m("internal/errcode"):             {m("internal/config")},
		m("internal/config"):              {m("kafka")},
		m("internal/fn"):                  {m("internal/testenv"), m("functions/create-post")},
		m("internal/image/imagetest"):     {m("functions/upload-image")},
		m("internal/member/membertest"):   {m("functions/login")},
		m("internal/content/contenttest"): {m("internal/content")},
		m("internal/newthing"):            {},
		m("functions/create-post"):        {m("internal/fn"), m("internal/content")},
		m(""):                             {m("functions/create-post"), m("internal/deadletter")},
		m("internal/openapi"):             {m("functions/query-posts")},
	}
	want := []string{
		m("internal/config") + " (base) imports " + m("kafka") + " (adapters): a layer imports only its own and the layers below it",
		m("internal/content") + " (domain) imports " + m("internal/stack") + " (edge): a layer imports only its own and the layers below it",
		m("internal/timeline") + " (domain) imports net/http",
		m("internal/fn") + " (edge) imports " + m("functions/create-post") + " (functions): nothing below the functions imports them",
		m("internal/fn") + " (edge) imports " + m("internal/testenv") + " (tools): only tools and functions use tools",
		m("internal/image/imagetest") + " (tools) imports " + m("functions/upload-image") + " (functions): a test kit drives functions it is given, it does not import them",
		m("internal/newthing") + " has no layer (add it to layers.Of)",
		m("internal/postgres") + " (adapters) imports " + m("internal/member") + " (domain): a layer imports only its own and the layers below it",
		m("internal/timeline") + " (domain) imports " + m("internal/web") + " (edge): a layer imports only its own and the layers below it",
		"internal/content/contenttest imports no function any more: remove it from layers.KitsDrivingFunctions",
	}
	slices.Sort(want)
	// The ratchet of the planted graph: one kit still driving functions,
	// one that no longer does.
	kits := map[string]string{
		"internal/member/membertest":   "serves the member and session routes",
		"internal/content/contenttest": "serves the content and follow writes",
	}
	got := layers.CheckWith(graph, kits)
	if !slices.Equal(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
