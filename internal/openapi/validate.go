package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/dailyfeed/dailyfeed/internal/route"
)

// Validator checks responses against the description with kin-openapi:
// the status must be one the operation declares (or an error, which the
// default failure response covers), the content type one of its media
// types, the declared required headers present and the body valid against
// the schema (envelope included).
type Validator struct {
	doc *openapi3.T
	mux *route.Mux
}

func init() {
	// view-image answers raw image bytes: validated as a binary string.
	for _, ct := range ImageTypes {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("application/jwk-set+json", openapi3filter.JSONBodyDecoder)
}

var (
	shared     *Validator
	sharedErr  error
	sharedOnce sync.Once
)

// Shared returns one validator over the generated description, built on
// first use.
func Shared() (*Validator, error) {
	sharedOnce.Do(func() {
		b, err := JSON()
		if err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = NewValidator(b)
	})
	return shared, sharedErr
}

// NewValidator loads and validates the description b.
func NewValidator(b []byte) (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("load openapi: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi description: %w", err)
	}
	var fns []route.Function
	for path, item := range doc.Paths.Map() {
		f := route.Function{Name: path}
		for method := range item.Operations() {
			f.Routes = append(f.Routes, route.Route{Method: method, Path: path})
		}
		fns = append(fns, f)
	}
	return &Validator{doc: doc, mux: route.NewMux(fns...)}, nil
}

// Validate checks one response to req. A path the description does not
// know is only valid as an error in the failure envelope (the router's 404
// and 405).
func (v *Validator) Validate(req *http.Request, status int, header http.Header, body []byte) error {
	m, found, ok := v.mux.Find(req.Method, req.URL.Path)
	if !ok {
		if status < 400 {
			return fmt.Errorf("%s %s: %d for a route the description does not have (found path: %v)", req.Method, req.URL.Path, status, found)
		}
		return v.failure(status, header, body)
	}
	method := m.Route.Method
	if req.Method == http.MethodHead {
		return nil
	}
	item := v.doc.Paths.Value(m.Route.Path)
	rt := &routers.Route{Spec: v.doc, Path: m.Route.Path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: m.Params, Route: rt},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s (%s) %d: %w", req.Method, req.URL.Path, m.Route.Path, status, err)
	}
	if status < 400 && rt.Operation.Responses.Status(status) == nil {
		return fmt.Errorf("%s %s: status %d is not a documented success", req.Method, req.URL.Path, status)
	}
	return nil
}

// failure validates an error outside any documented route.
func (v *Validator) failure(status int, header http.Header, body []byte) error {
	ct := header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("error %d with content type %q, want application/json", status, ct)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("error %d: %w", status, err)
	}
	schema := v.doc.Components.Schemas["Failure"].Value
	if err := schema.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("error %d body: %w", status, err)
	}
	return nil
}
