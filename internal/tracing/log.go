package tracing

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"go.opentelemetry.io/otel/trace"
)

// The attributes a log line written inside a span carries.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// LogHandler wraps h so that every record logged with a context that
// carries a span (a request's, a delivery's) has trace_id and span_id: a
// line leads to its trace.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(logHandler); ok {
		return h
	}
	return logHandler{h}
}

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String(TraceIDKey, sc.TraceID().String()), slog.String(SpanIDKey, sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}
func (h logHandler) WithGroup(name string) slog.Handler { return logHandler{h.Handler.WithGroup(name)} }

// installLogs makes the default logger's lines carry the trace and span
// ids. A process whose main set no logger (a function run by func-go's
// main) gets JSON lines on stderr; one that set its own handler keeps it,
// wrapped.
func installLogs() {
	logsOnce.Do(func() {
		h := slog.Default().Handler()
		if _, ok := h.(logHandler); ok {
			return
		}
		if fmt.Sprintf("%T", h) == "*slog.defaultHandler" {
			// slog's initial handler writes through the log package, which
			// SetDefault points back at the new handler: never wrap it.
			h = slog.NewJSONHandler(os.Stderr, nil)
		}
		slog.SetDefault(slog.New(LogHandler(h)))
	})
}

var logsOnce sync.Once
