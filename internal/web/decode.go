package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/paging"
)

// MaxJSONBody bounds every JSON request body.
const MaxJSONBody = 1 << 20

// Decode reads a JSON request body into v. Malformed JSON, trailing data or a
// body above MaxJSONBody is a coded 4xx error, and so is text PostgreSQL
// cannot store: a body that is not UTF-8 or a string holding a NUL (\u0000).
// No request type can let such text through, whatever its fields.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errcode.Errorf(errcode.PayloadTooLarge, "request body exceeds %d bytes", MaxJSONBody)
		}
		return errcode.Wrap(errcode.MalformedJSON, "request body could not be read", err)
	}
	return DecodeBytes(raw, v)
}

// DecodeBytes decodes one JSON value from raw into v, with Decode's rules.
func DecodeBytes(raw []byte, v any) error {
	if err := CheckJSONText(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return errcode.New(errcode.MalformedJSON, "request body is empty")
		case errors.As(err, &typeErr):
			return errcode.Errorf(errcode.ValidationFailed, "field %q must be of type %s", typeErr.Field, typeErr.Type)
		default:
			return errcode.New(errcode.MalformedJSON, "request body is not valid JSON")
		}
	}
	if dec.More() {
		return errcode.New(errcode.MalformedJSON, "request body holds more than one JSON value")
	}
	return nil
}

// CheckJSONText refuses JSON text PostgreSQL could not store: bytes that are
// not UTF-8 (encoding/json would silently replace them) and the escape
// \u0000 inside any string, key or value (text columns cannot hold a NUL).
// Both are 400 VALIDATION_FAILED. It only scans: malformed JSON is left to
// the decoder.
func CheckJSONText(raw []byte) error {
	if !utf8.Valid(raw) {
		return errcode.New(errcode.ValidationFailed, "request body is not valid UTF-8")
	}
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case !inString:
			inString = c == '"'
		case c == '"':
			inString = false
		case c == '\\' && i+1 < len(raw):
			if raw[i+1] == 'u' && i+5 < len(raw) && string(raw[i+2:i+6]) == "0000" {
				return errcode.New(errcode.ValidationFailed, "a string in the request body contains a NUL character (\\u0000)")
			}
			i++ // skip the escaped character
		case c == 0:
			return errcode.New(errcode.ValidationFailed, "a string in the request body contains a NUL character")
		}
	}
	return nil
}

// CheckText refuses a request text (path or query parameter) that
// PostgreSQL could not store: not UTF-8, or holding a NUL.
func CheckText(name, s string) error {
	if !utf8.ValidString(s) {
		return errcode.Errorf(errcode.ValidationFailed, "%s is not valid UTF-8", name)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errcode.Errorf(errcode.ValidationFailed, "%s contains a NUL character", name)
	}
	return nil
}

// CheckURL applies CheckText to the decoded path and to every query
// parameter name and value of r, so no handler sees such text.
func CheckURL(r *http.Request) error {
	if err := CheckText("path", r.URL.Path); err != nil {
		return err
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errcode.New(errcode.ValidationFailed, "query string is malformed")
	}
	for k, vs := range q {
		if err := CheckText("query parameter name", k); err != nil {
			return err
		}
		for _, v := range vs {
			if err := CheckText("query parameter "+strconv.Quote(k), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// PathID reads the positive integer path parameter name.
func PathID(r *http.Request, name string) (int64, error) {
	return positiveID(name, r.PathValue(name))
}

func positiveID(name, raw string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, errcode.Errorf(errcode.ValidationFailed, "%s must be a positive integer", name)
	}
	return id, nil
}

// PageOf reads page and size query parameters; size defaults to def.
func PageOf(r *http.Request, def int) (paging.Page, error) {
	p := paging.Page{Size: def}
	q := r.URL.Query()
	if raw := q.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 1_000_000 {
			return p, errcode.New(errcode.ValidationFailed, "page must be a non-negative integer")
		}
		p.Page = n
	}
	if raw := q.Get("size"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > paging.MaxSize {
			return p, errcode.New(errcode.ValidationFailed, fmt.Sprintf("size must be between 1 and %d", paging.MaxSize))
		}
		p.Size = n
	}
	return p, nil
}
