package manifest

import "github.com/dailyfeed/dailyfeed/internal/route"

// The func.yaml schema of knative/func v0.44.0 (specVersion 0.36.0), only
// the fields dailyfeed sets.
type funcFile struct {
	SpecVersion string     `json:"specVersion"`
	Name        string     `json:"name"`
	Runtime     string     `json:"runtime"`
	Created     string     `json:"created"`
	Invoke      string     `json:"invoke,omitempty"`
	Build       funcBuild  `json:"build"`
	Run         funcRun    `json:"run"`
	Deploy      funcDeploy `json:"deploy"`
}

type funcBuild struct {
	Builder string `json:"builder"`
}

type funcRun struct {
	Envs []funcEnv `json:"envs,omitempty"`
}

type funcEnv struct {
	Name  string `json:"name,omitempty"`
	Value string `json:"value"`
}

type funcDeploy struct {
	Annotations     map[string]string `json:"annotations,omitempty"`
	Options         funcOptions       `json:"options"`
	HealthEndpoints funcHealth        `json:"healthEndpoints"`
}

type funcOptions struct {
	Scale funcScale `json:"scale"`
}

type funcScale struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

type funcHealth struct {
	Liveness  string `json:"liveness"`
	Readiness string `json:"readiness"`
}

// created is fixed so generation is reproducible.
const created = "2026-11-25T00:00:00Z"

// ConfigMap and Secret hold the configuration of every function on a
// cluster (README.md lists the keys).
const (
	ConfigMap = "dailyfeed-config"
	Secret    = "dailyfeed-secrets"
)

// envs imports every key of the ConfigMap and the Secret as environment
// variables (func's {{ configMap:name }} form).
var envs = []funcEnv{
	{Value: "{{ configMap:" + ConfigMap + " }}"},
	{Value: "{{ secret:" + Secret + " }}"},
}

// funcYAML is the func.yaml of f. Every function, CloudEvent ones
// included, is `invoke: http`: func then scaffolds it with func-go's http
// service, whose Handle(http.ResponseWriter, *http.Request) a CloudEvent
// function implements with fn.Receiver. func-go's cloudevents service
// (`invoke: cloudevent`) serves through the sdk's NewHTTPReceiveHandler,
// which can leave a request's message without a taker and then stall every
// later request (cloudevents/sdk-go#1224).
func funcYAML(f route.Function) funcFile {
	scale := route.Scales[f.Group]
	return newFuncFile(f.Name, invokeHTTP, scale)
}

// invokeHTTP is func's invoke value for func-go's http service.
const invokeHTTP = "http"

// allInOneYAML is the root function: every route on one Service, for small
// installs.
func allInOneYAML() funcFile {
	return newFuncFile("dailyfeed", invokeHTTP, route.Scale{Min: 0, Max: 3})
}

func newFuncFile(name, invoke string, scale route.Scale) funcFile {
	return funcFile{
		SpecVersion: "0.36.0",
		Name:        name,
		Runtime:     "go",
		Created:     created,
		Invoke:      invoke,
		Build:       funcBuild{Builder: "host"},
		Run:         funcRun{Envs: envs},
		Deploy: funcDeploy{
			Options:         funcOptions{Scale: funcScale{Min: scale.Min, Max: scale.Max}},
			HealthEndpoints: funcHealth{Liveness: "/health/liveness", Readiness: "/health/readiness"},
		},
	}
}
