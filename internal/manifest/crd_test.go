package manifest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"

	"github.com/dailyfeed/dailyfeed/internal/manifest"
)

// crdModules are the pinned Knative modules whose CRDs describe the
// resources knative/ holds.
var crdModules = []string{"knative.dev/serving", "knative.dev/eventing", "knative.dev/eventing-kafka-broker"}

// crdSchemas reads every CustomResourceDefinition the pinned modules ship
// (config/**.yaml in the module cache) and compiles its openAPIV3Schema per
// apiVersion and kind, as kubeconform does: strict (additionalProperties
// false wherever properties are listed and unknown fields are not
// preserved), x-kubernetes-int-or-string as integer or string, nullable as
// a null type.
func crdSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	args := append([]string{"list", "-m", "-f", "{{.Dir}}"}, crdModules...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list -m: %v (run `go mod download`)", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	schemas := map[string]*jsonschema.Schema{}
	for _, dir := range strings.Fields(string(out)) {
		err := filepath.WalkDir(filepath.Join(dir, ""), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") || strings.Contains(path, "/vendor/") || strings.Contains(path, "/test/") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil || !bytes.Contains(b, []byte("kind: CustomResourceDefinition")) {
				return err
			}
			for _, doc := range documents(t, b) {
				var crd struct {
					Kind string `json:"kind"`
					Spec struct {
						Group string `json:"group"`
						Names struct {
							Kind string `json:"kind"`
						} `json:"names"`
						Versions []struct {
							Name   string `json:"name"`
							Schema struct {
								OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
							} `json:"schema"`
						} `json:"versions"`
					} `json:"spec"`
				}
				if json.Unmarshal(doc, &crd) != nil || crd.Kind != "CustomResourceDefinition" {
					continue
				}
				for _, v := range crd.Spec.Versions {
					if v.Schema.OpenAPIV3Schema == nil {
						continue
					}
					key := crd.Spec.Group + "/" + v.Name + " " + crd.Spec.Names.Kind
					if _, ok := schemas[key]; ok {
						continue
					}
					// Every object has apiVersion, kind and metadata, whether
					// or not the CRD's root lists them (PingSource's does not).
					root := v.Schema.OpenAPIV3Schema
					props, _ := root["properties"].(map[string]any)
					if props == nil {
						props = map[string]any{}
						root["properties"] = props
					}
					for name, typ := range map[string]string{"apiVersion": "string", "kind": "string", "metadata": "object"} {
						if _, ok := props[name]; !ok {
							props[name] = map[string]any{"type": typ}
						}
					}
					url := "crd:///" + strings.ReplaceAll(key, " ", "/")
					if err := c.AddResource(url, strict(v.Schema.OpenAPIV3Schema)); err != nil {
						t.Fatalf("%s: %v", key, err)
					}
					s, err := c.Compile(url)
					if err != nil {
						t.Fatalf("compile %s (%s): %v", key, path, err)
					}
					schemas[key] = s
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return schemas
}

// strict converts a CRD structural schema into the JSON Schema kubeconform
// checks with -strict.
func strict(v any) any {
	switch s := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range s {
			switch k {
			case "x-kubernetes-int-or-string", "nullable":
			default:
				if strings.HasPrefix(k, "x-kubernetes-") {
					continue
				}
				if k == "properties" || k == "definitions" || k == "patternProperties" {
					props := map[string]any{}
					for name, p := range val.(map[string]any) {
						props[name] = strict(p)
					}
					out[k] = props
					continue
				}
				out[k] = strict(val)
			}
		}
		if s["x-kubernetes-int-or-string"] == true {
			delete(out, "type")
			out["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
		}
		if s["nullable"] == true {
			if typ, ok := out["type"].(string); ok {
				out["type"] = []any{typ, "null"}
			}
		}
		if _, has := s["properties"]; has && s["x-kubernetes-preserve-unknown-fields"] != true {
			if _, set := s["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
		return out
	case []any:
		out := make([]any, len(s))
		for i, e := range s {
			out[i] = strict(e)
		}
		return out
	}
	return v
}

// documents splits a YAML stream into JSON documents.
func documents(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var docs [][]byte
	dec := yamlv3.NewDecoder(bytes.NewReader(b))
	for {
		var node yamlv3.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			return docs // not every yaml of a module is one we read
		}
		raw, err := yamlv3.Marshal(&node)
		if err != nil {
			t.Fatal(err)
		}
		j, err := yaml.YAMLToJSON(raw)
		if err != nil || string(j) == "null" {
			continue
		}
		docs = append(docs, j)
	}
}

// knativeGroups are the API groups whose resources must have a CRD schema.
var knativeGroups = []string{"serving.knative.dev/", "sources.knative.dev/", "eventing.knative.dev/", "messaging.knative.dev/"}

// TestManifestsMatchKnativeCRDs validates every generated Knative resource
// against the OpenAPI schema of its CRD in the pinned Knative modules.
func TestManifestsMatchKnativeCRDs(t *testing.T) {
	schemas := crdSchemas(t)
	files, err := manifest.Files()
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]int{}
	for _, path := range manifest.Paths(files) {
		if !strings.HasPrefix(path, "knative/") {
			continue
		}
		for i, doc := range documents(t, files[path]) {
			key, s := schemaOf(t, schemas, doc)
			if key == "" {
				continue
			}
			if s == nil {
				t.Errorf("%s #%d: no CRD schema for %s in %v", path, i, key, crdModules)
				continue
			}
			if err := validate(s, doc); err != nil {
				t.Errorf("%s #%d (%s): %v", path, i, key, err)
			}
			checked[key]++
		}
	}
	for _, kind := range []string{"serving.knative.dev/v1 Service", "sources.knative.dev/v1 KafkaSource", "sources.knative.dev/v1 PingSource"} {
		if checked[kind] == 0 {
			t.Errorf("no %s was checked (checked: %v)", kind, checked)
		}
	}
	t.Logf("checked against the CRDs: %v", checked)
}

// TestCRDValidationCatchesWrongField plants fields the CRDs do not have (or
// of the wrong type) in generated resources and expects each to fail.
func TestCRDValidationCatchesWrongField(t *testing.T) {
	schemas := crdSchemas(t)
	files, err := manifest.Files()
	if err != nil {
		t.Fatal(err)
	}
	plant := func(path string, edit func(m map[string]any)) {
		t.Helper()
		doc := documents(t, files[path])[0]
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		key, s := schemaOf(t, schemas, b)
		if s == nil {
			t.Fatalf("%s: no schema for %s", path, key)
		}
		if err := validate(s, b); err == nil {
			t.Errorf("%s with a planted wrong field validated", path)
		} else {
			t.Logf("%s rejected as expected: %.300v", path, err)
		}
	}
	spec := func(m map[string]any) map[string]any { return m["spec"].(map[string]any) }
	plant("knative/services/create-post.yaml", func(m map[string]any) {
		tmpl := spec(m)["template"].(map[string]any)
		c := tmpl["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
		c["imagePullPolicyy"] = "Always" // misspelt
	})
	plant("knative/services/create-post.yaml", func(m map[string]any) {
		tmpl := spec(m)["template"].(map[string]any)
		tmpl["spec"].(map[string]any)["timeoutSeconds"] = "thirty" // wrong type
	})
	plant("knative/eventing/kafkasource-fanout-feed.yaml", func(m map[string]any) {
		spec(m)["consumerGroups"] = "dailyfeed" // not a KafkaSource field
	})
	plant("knative/eventing/pingsource-rotate-keys.yaml", func(m map[string]any) {
		spec(m)["cron"] = "* * * * *" // v1 calls it schedule
	})
}

func schemaOf(t *testing.T, schemas map[string]*jsonschema.Schema, doc []byte) (string, *jsonschema.Schema) {
	t.Helper()
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		t.Fatal(err)
	}
	for _, g := range knativeGroups {
		if strings.HasPrefix(head.APIVersion, g) {
			key := head.APIVersion + " " + head.Kind
			return key, schemas[key]
		}
	}
	return "", nil
}

func validate(s *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return s.Validate(v)
}
