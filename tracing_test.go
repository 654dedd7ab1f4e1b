package dailyfeed_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
)

var (
	spansOnce sync.Once
	spans     *tracetest.InMemoryExporter
)

// recorded installs, once per test process, a provider recording every
// span in memory (the global provider takes one provider per process).
func recorded() *tracetest.InMemoryExporter {
	spansOnce.Do(func() {
		spans = tracetest.NewInMemoryExporter()
		tracing.Install(sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans), sdktrace.WithSampler(tracing.Sampler)))
	})
	return spans
}

// TestOneTraceFromCreatePostToEverySink: a create-post through the
// all-in-one handler is one trace: the request's span, its SQL spans, the
// outbox publish, and, across Kafka (the record's ce_traceparent, the
// emulator's delivery), the work of record-activity, fanout-feed and
// update-stats.
//
// Not parallel: it runs before the package's parallel tests, so its
// delivery does not queue behind theirs (seen: over 60 s under the whole
// suite, under 1 s alone; RELIABILITY.md, Open).
func TestOneTraceFromCreatePostToEverySink(t *testing.T) {
	exp := recorded()
	cfg := testenv.Config(t)
	cfg.TopicPartitions = 1
	s := testenv.StackWith(t, cfg, stack.Postgres|stack.Redis|stack.Kafka)
	start(t, delivery(t, s))
	env := contenttest.Over(t, s, dailyfeed.Functions())
	env.C.Handler = http.HandlerFunc(dailyfeed.NewShared(s).Handle)
	author := env.Member()
	post := env.Post(author, "followed to every sink")

	// This post's publish (other tests create posts too): its message key
	// is the post id.
	var traceID trace.TraceID
	testenv.Eventually(t, "the post's event published", func() bool {
		for _, sp := range exp.GetSpans().Snapshots() {
			if sp.Name() == "outbox publish" && attr(sp, "messaging.kafka.message.key") == strconv.FormatInt(post.ID, 10) {
				traceID = sp.SpanContext().TraceID()
				return true
			}
		}
		return false
	})
	// The request's span.
	var root sdktrace.ReadOnlySpan
	for _, sp := range exp.GetSpans().Snapshots() {
		if sp.SpanContext().TraceID() == traceID && sp.Name() == "POST /api/posts" && sp.SpanKind() == trace.SpanKindServer {
			root = sp
		}
	}
	if root == nil || root.Parent().IsValid() {
		t.Fatalf("the trace of the post's publish has no root span POST /api/posts (%v)", root)
	}
	sinks := []string{"record-activity process", "fanout-feed process", "update-stats process"}
	// A span reaches the exporter when it ends, and a parent may end after
	// its child (the sink's server span after the work it wraps, the
	// delivery after the server answered): wait for the whole chain.
	var chain []string
	for _, sp := range sinks {
		sink := strings.TrimSuffix(sp, " process")
		chain = append(chain, sp, "POST /"+sink, "deliver "+sink)
	}
	var inTrace []sdktrace.ReadOnlySpan
	deadline := time.Now().Add(60 * time.Second) // generous: only a hang reaches it
	for {
		inTrace = inTrace[:0]
		for _, sp := range exp.GetSpans().Snapshots() {
			if sp.SpanContext().TraceID() == root.SpanContext().TraceID() {
				inTrace = append(inTrace, sp)
			}
		}
		if all(inTrace, chain) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("post %d: trace %s holds %v, want the spans of %v", post.ID, root.SpanContext().TraceID(), names(inTrace), chain)
		}
		time.Sleep(50 * time.Millisecond)
	}

	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, sp := range inTrace {
		byID[sp.SpanContext().SpanID()] = sp
	}
	// ancestors returns the names of sp's parents, nearest first, up to the
	// trace's root.
	ancestors := func(sp sdktrace.ReadOnlySpan) []string {
		var out []string
		for p, ok := byID[sp.Parent().SpanID()]; ok; p, ok = byID[p.Parent().SpanID()] {
			out = append(out, p.Name())
		}
		return out
	}
	var sql, publish int
	for _, sp := range inTrace {
		switch {
		case sp.InstrumentationScope().Name == "github.com/exaring/otelpgx" && slices.Contains(ancestors(sp), root.Name()):
			sql++
		case sp.Name() == "outbox publish":
			publish++
			if sp.SpanKind() != trace.SpanKindProducer || !slices.Contains(ancestors(sp), root.Name()) {
				t.Errorf("outbox publish: kind %v, ancestors %v, want a producer under the request", sp.SpanKind(), ancestors(sp))
			}
		}
	}
	if sql == 0 {
		t.Errorf("no SQL span under the request among %v", names(inTrace))
	}
	if publish != 1 {
		t.Errorf("%d outbox publish spans, want 1: %v", publish, names(inTrace))
	}
	for _, sp := range inTrace {
		if !slices.Contains(sinks, sp.Name()) {
			continue
		}
		// Linked across Kafka: the sink's request continues the delivery,
		// which continues the publish, which is under the create-post.
		sink := strings.TrimSuffix(sp.Name(), " process")
		want := []string{"POST /" + sink, "deliver " + sink, "outbox publish", root.Name()}
		if got := ancestors(sp); !isSubsequence(want, got) {
			t.Errorf("%s: ancestors %v, want %v among them in order", sp.Name(), got, want)
		}
	}
}

func attr(sp sdktrace.ReadOnlySpan, key string) string {
	for _, a := range sp.Attributes() {
		if string(a.Key) == key {
			return a.Value.String()
		}
	}
	return ""
}

func names(sps []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, sp := range sps {
		out = append(out, sp.Name())
	}
	return out
}

func all(sps []sdktrace.ReadOnlySpan, want []string) bool {
	got := names(sps)
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

// isSubsequence reports whether want appears in got in order.
func isSubsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
