package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

// reflector turns Go types into JSON Schemas (the OpenAPI 3.1 dialect,
// JSON Schema 2020-12) the way encoding/json marshals them. Named struct
// types become components under #/components/schemas; everything else is
// inlined.
//
// A response schema is strict: every field encoding/json always writes is
// required and no other property is allowed, so a response that gains,
// loses or retypes a field fails validation. A request schema only types
// the fields: the functions accept missing fields (they answer a coded
// 400) and ignore unknown ones.
type reflector struct {
	schemas openapi3.Schemas
	// names maps a type to its component name; owner the reverse, to
	// catch two types that would share a name.
	names map[reflect.Type]string
	owner map[string]reflect.Type
}

func newReflector() *reflector {
	return &reflector{schemas: openapi3.Schemas{}, names: map[reflect.Type]string{}, owner: map[string]reflect.Type{}}
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	rawType     = reflect.TypeFor[json.RawMessage]()
	bytesType   = reflect.TypeFor[[]byte]()
	unmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// ref returns the schema of t; request says it describes a request body.
func (g *reflector) ref(t reflect.Type, request bool) *openapi3.SchemaRef {
	switch {
	case t == nil:
		return openapi3.NewSchemaRef("", &openapi3.Schema{})
	case t == timeType:
		return openapi3.NewSchemaRef("", openapi3.NewDateTimeSchema())
	case t == rawType:
		return openapi3.NewSchemaRef("", &openapi3.Schema{})
	case t == bytesType:
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}, ContentEncoding: "base64"})
	}
	if request && t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshaler) && t.Kind() != reflect.Struct {
		// A scalar with its own decoding (content.ID: a number or a
		// numeric string).
		return openapi3.NewSchemaRef("", &openapi3.Schema{AnyOf: openapi3.SchemaRefs{
			openapi3.NewSchemaRef("", openapi3.NewInt64Schema()),
			openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: "^[0-9]+$"}),
		}})
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.ref(t.Elem(), request))
	case reflect.Bool:
		return openapi3.NewSchemaRef("", openapi3.NewBoolSchema())
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64:
		return openapi3.NewSchemaRef("", openapi3.NewInt64Schema())
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return openapi3.NewSchemaRef("", openapi3.NewInt32Schema())
	case reflect.Float32, reflect.Float64:
		return openapi3.NewSchemaRef("", openapi3.NewFloat64Schema())
	case reflect.String:
		return openapi3.NewSchemaRef("", openapi3.NewStringSchema())
	case reflect.Slice, reflect.Array:
		s := openapi3.NewArraySchema()
		s.Items = g.ref(t.Elem(), request)
		return openapi3.NewSchemaRef("", s)
	case reflect.Map:
		s := openapi3.NewObjectSchema()
		s.AdditionalProperties = openapi3.AdditionalProperties{Schema: g.ref(t.Elem(), request)}
		return openapi3.NewSchemaRef("", s)
	case reflect.Interface:
		return openapi3.NewSchemaRef("", &openapi3.Schema{})
	case reflect.Struct:
		if t.Name() == "" {
			return openapi3.NewSchemaRef("", g.object(t, request))
		}
		name := g.name(t)
		if _, done := g.schemas[name]; !done {
			g.schemas[name] = nil // a recursive type refers to itself
			g.schemas[name] = openapi3.NewSchemaRef("", g.object(t, request))
		}
		return openapi3.NewSchemaRef("#/components/schemas/"+name, g.schemas[name].Value)
	}
	panic(fmt.Sprintf("openapi: no schema for %s", t))
}

// object is the schema of a struct's JSON object.
func (g *reflector) object(t reflect.Type, request bool) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	s.Properties = openapi3.Schemas{}
	g.fields(s, t, request)
	if !request {
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: new(false)}
	}
	return s
}

// fields adds t's JSON fields to s, flattening embedded structs as
// encoding/json does.
func (g *reflector) fields(s *openapi3.Schema, t reflect.Type, request bool) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(s, ft, request)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		prop := g.ref(f.Type, request)
		if strings.Contains(","+opts+",", ",string,") {
			prop = openapi3.NewSchemaRef("", openapi3.NewStringSchema())
		}
		s.Properties[name] = prop
		if !request && !strings.Contains(","+opts+",", ",omitempty,") && !strings.Contains(","+opts+",", ",omitzero,") {
			s.Required = append(s.Required, name)
		}
	}
}

// name is a type's component name: its package and type name in
// UpperCamelCase (timeline.Post is TimelinePost), with a generic's type
// arguments appended (paging.Slice[member.Summary] is PagingSliceMemberSummary).
func (g *reflector) name(t reflect.Type) string {
	base, args, _ := strings.Cut(t.Name(), "[")
	name := upper(lastSegment(t.PkgPath())) + upper(base)
	for _, arg := range strings.Split(strings.TrimSuffix(args, "]"), ",") {
		if arg == "" {
			continue
		}
		pkg, typ := arg, ""
		if i := strings.LastIndex(arg, "."); i >= 0 {
			pkg, typ = arg[:i], arg[i+1:]
		}
		name += upper(lastSegment(pkg)) + upper(typ)
	}
	if other, ok := g.owner[name]; ok && other != t {
		panic(fmt.Sprintf("openapi: %s and %s would both be schema %s", other, t, name))
	}
	g.owner[name], g.names[t] = t, name
	return name
}

func lastSegment(path string) string {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		path = path[i+1:]
	}
	return strings.NewReplacer("-", "", "_", "", "*", "").Replace(path)
}

func upper(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// nullable allows null besides s: a type array for an inline schema, an
// anyOf for a reference (3.1 has no nullable keyword).
func nullable(s *openapi3.SchemaRef) *openapi3.SchemaRef {
	if s.Ref == "" && s.Value.Type != nil && len(s.Value.AnyOf) == 0 {
		v := *s.Value
		types := append(openapi3.Types{}, *v.Type...)
		if !types.Includes("null") {
			types = append(types, "null")
		}
		v.Type = &types
		return openapi3.NewSchemaRef("", &v)
	}
	return openapi3.NewSchemaRef("", &openapi3.Schema{AnyOf: openapi3.SchemaRefs{s,
		openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"null"}})}})
}
