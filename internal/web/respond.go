// Package web holds the HTTP conventions every dailyfeed function shares:
// the JSON envelope, error responses, request decoding and paging.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// Success is the envelope of every successful response.
type Success struct {
	Status int    `json:"status"`
	Result string `json:"result"`
	Data   any    `json:"data"`
}

// Failure is the envelope of every error response.
type Failure struct {
	StatusCode int    `json:"statusCode"`
	ResultCode string `json:"resultCode"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	Path       string `json:"path"`
	Timestamp  string `json:"timestamp"`
}

// OK writes data with status 200.
func OK(w http.ResponseWriter, data any) { Write(w, http.StatusOK, data) }

// Status is the data of a successful answer whose status is not 200
// (Created). An HTTP function's handler returns it for fn.HTTP to write
// (Write).
type Status struct {
	Code int
	Data any
}

// Created is data to answer with status 201.
func Created(data any) Status { return Status{Code: http.StatusCreated, Data: data} }

// Write writes data in the success envelope with the given status.
func Write(w http.ResponseWriter, status int, data any) {
	writeJSON(w, status, Success{Status: status, Result: "SUCCESS", Data: data})
}

// Error writes err in the failure envelope with the status its code maps to.
// Internal errors are logged with their detail; the client sees only the
// coded message.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	status := errcode.HTTPStatus(err)
	code := errcode.Of(err)
	Note(r.Context(), code)
	if status >= 500 {
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	var limited *errcode.RetryAfterError
	if errors.As(err, &limited) {
		w.Header().Set("Retry-After", strconv.Itoa(int(limited.After.Round(time.Second)/time.Second)+1))
	}
	writeJSON(w, status, Failure{
		StatusCode: status,
		ResultCode: "FAIL",
		Code:       string(code),
		Message:    errcode.MessageOf(err),
		Path:       r.URL.Path,
		Timestamp:  time.Now().Format(time.RFC3339),
	})
}

// CodeNote is where Error notes the code of the answer it writes, for the
// request metrics (internal/metrics): a request that carries one (NoteCode)
// has it set to the failure's code; it stays "" for a success.
type CodeNote struct{ Code string }

type codeNoteKey struct{}

// Note sets the CodeNote that ctx carries (NoteCode) to code: the code of a
// failure answered other than by Error (a CloudEvent function's result).
// Without a note it does nothing.
func Note(ctx context.Context, code errcode.Code) {
	if n, ok := ctx.Value(codeNoteKey{}).(*CodeNote); ok {
		n.Code = string(code)
	}
}

// NoteCode returns r carrying a fresh CodeNote, and the note.
func NoteCode(r *http.Request) (*http.Request, *CodeNote) {
	n := &CodeNote{}
	return r.WithContext(context.WithValue(r.Context(), codeNoteKey{}, n)), n
}

// buffers hold responses while they are encoded: a response is written
// with its length in one write, not in the 4 KiB pieces of the server's
// buffer (each a system call: a fifth of a warm feed page's CPU before).
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled keeps the buffers of unusually large responses out of the pool.
const maxPooled = 1 << 20

// encodeFailure is the answer when a response cannot be encoded.
var encodeFailure = []byte(`{"statusCode":500,"resultCode":"FAIL","code":"INTERNAL_ERROR","message":"the response could not be encoded"}` + "\n")

func writeJSON(w http.ResponseWriter, status int, body any) {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooled {
			buffers.Put(buf)
		}
	}()
	out := buf
	if err := json.NewEncoder(buf).Encode(body); err != nil {
		slog.Error("encode response", "err", err)
		status, out = http.StatusInternalServerError, bytes.NewBuffer(encodeFailure)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(out.Len()))
	w.WriteHeader(status)
	if _, err := w.Write(out.Bytes()); err != nil {
		slog.Debug("write response", "err", err)
	}
}
