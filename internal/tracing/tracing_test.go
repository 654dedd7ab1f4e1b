package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/dailyfeed/dailyfeed"
	createpost "github.com/dailyfeed/dailyfeed/functions/create-post"
	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/internal/tracing"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

// TestIncomingTraceparentReachesTheTopic: with export off (no OTLP
// endpoint), a create-post whose request carries a W3C traceparent header
// publishes its event in that trace: the outbox row keeps the context and
// the record on the topic has it in its ce_traceparent header. Nothing is
// recorded (the provider stays the no-op one): the span id passes through.
func TestIncomingTraceparentReachesTheTopic(t *testing.T) {
	t.Parallel()
	end, err := tracing.Setup(context.Background(), map[string]string{}, "create-post")
	if err != nil {
		t.Fatal(err)
	}
	defer end(context.Background())
	if _, span := otel.Tracer("test").Start(context.Background(), "probe"); span.IsRecording() {
		t.Fatal("export is off, yet spans are recorded")
	}

	s := testenv.Stack(t, contenttest.Needs)
	e := contenttest.Over(t, s, dailyfeed.Functions())
	c := e.Client(createpost.New())
	m := e.Member()
	const (
		traceID     = "4bf92f3577b34da6a3ce929d0e0e4736"
		traceparent = "00-" + traceID + "-00f067aa0ba902b7-01"
	)
	res := c.Do("POST", "/api/posts", map[string]any{"content": "traced from outside"}, membertest.Bearer(m.Token),
		func(r *http.Request) { r.Header.Set("traceparent", traceparent) })
	contenttest.Want(t, res, http.StatusCreated, "")
	var p content.Post
	res.Decode(t, &p)

	if got := e.Int(`SELECT count(*) FROM outbox WHERE traceparent = $1`, traceparent); got != 1 {
		t.Errorf("%d outbox rows keep the request's traceparent, want 1", got)
	}
	topic := s.Publisher.Topics().Today()
	var header string
	testenv.Eventually(t, "the event on the topic", func() bool {
		for _, r := range kafkatest.Records(t, s.Config.KafkaBrokers, topic) {
			if string(r.Key) == strconv.FormatInt(p.ID, 10) {
				header = kafkatest.Header(r, "ce_traceparent")
				return true
			}
		}
		return false
	})
	if header != traceparent {
		t.Errorf("ce_traceparent %q, want the request's %q (trace %s)", header, traceparent, traceID)
	}
}

// TestLogLinesCarryTheTrace: a line logged with a context holding a span
// has its trace_id and span_id; one without has neither.
func TestLogLinesCarryTheTrace(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(tracing.LogHandler(slog.NewJSONHandler(&buf, nil))).With("function", "test")
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	log.InfoContext(ctx, "inside")
	log.InfoContext(context.Background(), "outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), buf.String())
	}
	var in, out map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &in); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &out); err != nil {
		t.Fatal(err)
	}
	if in["trace_id"] != tid.String() || in["span_id"] != sid.String() || in["function"] != "test" {
		t.Errorf("line inside a span: %v", in)
	}
	if _, ok := out["trace_id"]; ok {
		t.Errorf("line outside a span has a trace id: %v", out)
	}
}
