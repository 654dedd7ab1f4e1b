package dailyfeed_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	fhttp "knative.dev/func-go/http"

	fanoutfeed "github.com/dailyfeed/dailyfeed/functions/fanout-feed"
	recordactivity "github.com/dailyfeed/dailyfeed/functions/record-activity"
	relayoutbox "github.com/dailyfeed/dailyfeed/functions/relay-outbox"
	replaydeadletters "github.com/dailyfeed/dailyfeed/functions/replay-dead-letters"
	rotatekeys "github.com/dailyfeed/dailyfeed/functions/rotate-keys"
	rotatetopics "github.com/dailyfeed/dailyfeed/functions/rotate-topics"
	storedeadletter "github.com/dailyfeed/dailyfeed/functions/store-dead-letter"
	thumbnailimage "github.com/dailyfeed/dailyfeed/functions/thumbnail-image"
	updatestats "github.com/dailyfeed/dailyfeed/functions/update-stats"
	"github.com/dailyfeed/dailyfeed/internal/route"
)

// TestEventFunctionsServeHTTP: every CloudEvent function of the route
// table is a func-go http instance (they are deployed with invoke: http,
// so func scaffolds them with func-go's http service), whose Handle
// decodes the request as a CloudEvent and answers it: 400 for what is not
// one, a retried 5xx for an event that arrives before Start.
func TestEventFunctionsServeHTTP(t *testing.T) {
	type instance interface {
		fhttp.Handler
		fhttp.Starter
		fhttp.Stopper
		fhttp.ReadinessReporter
		fhttp.LivenessReporter
	}
	fns := map[string]instance{
		"fanout-feed":         fanoutfeed.New(),
		"record-activity":     recordactivity.New(),
		"relay-outbox":        relayoutbox.New(),
		"replay-dead-letters": replaydeadletters.New(),
		"rotate-keys":         rotatekeys.New(),
		"rotate-topics":       rotatetopics.New(),
		"store-dead-letter":   storedeadletter.New(),
		"thumbnail-image":     thumbnailimage.New(),
		"update-stats":        updatestats.New(),
	}
	for _, f := range route.Functions {
		if f.Kind != route.CloudEvent {
			continue
		}
		inst, ok := fns[f.Name]
		if !ok {
			t.Errorf("CloudEvent function %s is missing from this test", f.Name)
			continue
		}
		w := httptest.NewRecorder()
		inst.Handle(w, httptest.NewRequest("POST", "/", strings.NewReader(`{"not":"an event"}`)))
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: a request that is no CloudEvent answered %d, want 400", f.Name, w.Code)
		}
		r := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Ce-Specversion", "1.0")
		r.Header.Set("Ce-Id", "e-1")
		r.Header.Set("Ce-Source", "/test")
		r.Header.Set("Ce-Type", "dev.knative.sources.ping")
		w = httptest.NewRecorder()
		inst.Handle(w, r)
		if w.Code < 500 {
			t.Errorf("%s: an event before Start answered %d, want a retried 5xx", f.Name, w.Code)
		}
	}
}
