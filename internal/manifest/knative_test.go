package manifest_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1alpha3"
	istiov1 "istio.io/client-go/pkg/apis/networking/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	kafkasourcesv1 "knative.dev/eventing-kafka-broker/control-plane/pkg/apis/sources/v1"
	"knative.dev/eventing/pkg/apis/feature"
	sourcesv1 "knative.dev/eventing/pkg/apis/sources/v1"
	"knative.dev/pkg/apis"
	servingconfig "knative.dev/serving/pkg/apis/config"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/yaml"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/manifest"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// root is the repository root, seen from this package.
var root = filepath.Join("..", "..")

// object is one decoded document of a manifest file.
type object struct {
	path string
	kind string
	obj  any
}

type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Resources  []string `json:"resources"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName"`
		NewTag  string `json:"newTag"`
	} `json:"images"`
}

// validationContext is what Knative's admission webhooks validate a new
// object with: the default serving configuration and eventing features.
func validationContext(t testing.TB) context.Context {
	t.Helper()
	ctx := apis.WithinCreate(context.Background())
	ctx = servingconfig.ToContext(ctx, servingconfig.FromContextOrDefaults(ctx))
	flags, err := feature.NewFlagsConfigFromMap(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	return feature.ToContext(ctx, flags)
}

type knativeObject interface {
	SetDefaults(context.Context)
	Validate(context.Context) *apis.FieldError
}

// decode reads every document of a manifest file strictly (an unknown or
// duplicate field is an error) into the Go type of its kind, and runs
// Knative's SetDefaults and Validate on Knative objects, keeping only
// error-level findings.
func decode(ctx context.Context, path string, data []byte) ([]object, error) {
	var objs []object
	var errs []error
	r := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for n := 0; ; n++ {
		doc, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		o, err := decodeDoc(ctx, path, doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s (document %d): %w", path, n, err))
		}
		if o.obj != nil {
			objs = append(objs, o)
		}
	}
	return objs, errors.Join(errs...)
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for line := range bytes.Lines(doc) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, nil)
}

func decodeDoc(ctx context.Context, path string, doc []byte) (object, error) {
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return object{}, err
	}
	o := object{path: path, kind: tm.Kind}
	switch tm.APIVersion + " " + tm.Kind {
	case "serving.knative.dev/v1 Service":
		o.obj = &servingv1.Service{}
	case "sources.knative.dev/v1 KafkaSource":
		o.obj = &kafkasourcesv1.KafkaSource{}
	case "sources.knative.dev/v1 PingSource":
		o.obj = &sourcesv1.PingSource{}
	case "networking.istio.io/v1 Gateway":
		o.obj = &istiov1.Gateway{}
	case "networking.istio.io/v1 VirtualService":
		o.obj = &istiov1.VirtualService{}
	case "networking.istio.io/v1 DestinationRule":
		o.obj = &istiov1.DestinationRule{}
	case "v1 Namespace":
		o.obj = &corev1.Namespace{}
	case "v1 ConfigMap":
		o.obj = &corev1.ConfigMap{}
	case "v1 ServiceAccount":
		o.obj = &corev1.ServiceAccount{}
	case "batch/v1 Job":
		o.obj = &batchv1.Job{}
	case "rbac.authorization.k8s.io/v1 Role":
		o.obj = &rbacv1.Role{}
	case "rbac.authorization.k8s.io/v1 RoleBinding":
		o.obj = &rbacv1.RoleBinding{}
	case "kustomize.config.k8s.io/v1beta1 Kustomization":
		o.obj = &kustomization{}
	case "monitoring.coreos.com/v1 PrometheusRule":
		o.obj = &prometheusRule{}
	case " ":
		if path != manifest.RulesFile {
			return o, fmt.Errorf("no apiVersion and kind")
		}
		o.kind = "RuleFile"
		o.obj = &manifest.RuleFile{}
	default:
		return o, fmt.Errorf("unexpected kind %q %q", tm.APIVersion, tm.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, o.obj); err != nil {
		return o, fmt.Errorf("strict decoding %s: %w", tm.Kind, err)
	}
	// Istio's specs are protobuf messages whose JSON decoder ignores
	// unknown fields: decode the spec again with protojson, strictly.
	switch v := o.obj.(type) {
	case *istiov1.Gateway:
		return o, strictSpec(doc, &v.Spec)
	case *istiov1.VirtualService:
		return o, strictSpec(doc, &v.Spec)
	case *istiov1.DestinationRule:
		return o, strictSpec(doc, &v.Spec)
	case knativeObject:
		v.SetDefaults(ctx)
		err := v.Validate(ctx).Filter(apis.ErrorLevel)
		if ks, ok := v.(*kafkasourcesv1.KafkaSource); ok {
			// KafkaSource.Validate leaves spec.delivery to the dispatcher.
			err = err.Also(ks.Spec.Delivery.Validate(ctx).ViaField("spec.delivery").Filter(apis.ErrorLevel))
		}
		if err != nil {
			return o, fmt.Errorf("%s %s is invalid: %w", tm.Kind, v.(interface{ GetName() string }).GetName(), err)
		}
	}
	return o, nil
}

func strictSpec(doc []byte, spec proto.Message) error {
	var raw struct {
		Spec any `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &raw); err != nil {
		return err
	}
	b, err := yaml.Marshal(raw.Spec)
	if err != nil {
		return err
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return err
	}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(j, spec); err != nil {
		return fmt.Errorf("strict decoding spec: %w", err)
	}
	return nil
}

// decodeFiles decodes every manifest of files under knative/.
func decodeFiles(t *testing.T, files map[string][]byte) []object {
	t.Helper()
	ctx := validationContext(t)
	var all []object
	for _, path := range manifest.Paths(files) {
		if !strings.HasPrefix(path, "knative/") {
			continue
		}
		objs, err := decode(ctx, path, files[path])
		if err != nil {
			t.Error(err)
		}
		all = append(all, objs...)
	}
	return all
}

// committed reads every file under knative/ from disk.
func committed(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(root, "knative"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatalf("%v (run `make manifests`)", err)
	}
	return files
}

// syntheticTable is the route table plus the sinks, jobs and routes the
// generator must handle even before they are in the table.
func syntheticTable() []route.Function {
	fns := slices.Clone(route.Functions)
	extra := []route.Function{
		{Name: "record-activity", Kind: route.CloudEvent, Group: route.Sink},
		{Name: "fanout-feed", Kind: route.CloudEvent, Group: route.Sink},
		{Name: "update-stats", Kind: route.CloudEvent, Group: route.Sink},
		{Name: "store-dead-letter", Kind: route.CloudEvent, Group: route.Sink, DeadLetter: true},
		{Name: "rotate-topics", Kind: route.CloudEvent, Group: route.Job, Schedule: "50 23 * * *", TimeoutSeconds: 120},
		{Name: "relay-outbox", Kind: route.CloudEvent, Group: route.Job, Schedule: "* * * * *"},
		{Name: "test-slow-upload", Kind: route.HTTP, Group: route.Image, TimeoutSeconds: 120,
			Routes: []route.Route{{Method: "POST", Path: "/api/test/upload"}}},
		{Name: "test-post-by-id", Kind: route.HTTP, Group: route.Read,
			Routes: []route.Route{{Method: "GET", Path: "/api/test/posts/{postId}"}, {Method: "GET", Path: "/api/test/posts/{postId}/comments"}}},
		{Name: "test-popular", Kind: route.HTTP, Group: route.Read,
			Routes: []route.Route{{Method: "GET", Path: "/api/test/posts/popular"}, {Method: "GET", Path: "/api/test/posts/popular/{page}"}}},
		{Name: "test-update-post", Kind: route.HTTP, Group: route.Write,
			Routes: []route.Route{{Method: "PUT", Path: "/api/test/posts/{postId}"}, {Method: "DELETE", Path: "/api/test/posts/{postId}"}}},
		{Name: "test-comment", Kind: route.HTTP, Group: route.Write,
			Routes: []route.Route{{Method: "GET", Path: "/api/test/{kind}/comments/{id}"}}},
	}
	for _, f := range extra {
		if _, ok := route.Lookup(f.Name); !ok {
			fns = append(fns, f)
		}
	}
	return fns
}

// TestCommittedKnativeManifestsValidate decodes every committed file under
// knative/ into Knative's, Istio's and Kubernetes' Go types and validates
// them as the admission webhooks would.
func TestCommittedKnativeManifestsValidate(t *testing.T) {
	files := committed(t)
	objs := decodeFiles(t, files)
	checkObjects(t, route.Functions, objs)
}

// TestGeneratorHandlesSinksAndJobs validates what the generator makes of a
// table with every kind of function, sinks and the dead-letter sink
// included.
func TestGeneratorHandlesSinksAndJobs(t *testing.T) {
	fns := syntheticTable()
	files, err := manifest.Knative(fns)
	if err != nil {
		t.Fatal(err)
	}
	objs := decodeFiles(t, files)
	checkObjects(t, fns, objs)

	var sources, ping []string
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *kafkasourcesv1.KafkaSource:
			sources = append(sources, v.Name)
			if v.Spec.ConsumerGroup != "dailyfeed-"+v.Name || v.Spec.InitialOffset != kafkasourcesv1.OffsetEarliest {
				t.Errorf("KafkaSource %s: consumer group %q, initial offset %q", v.Name, v.Spec.ConsumerGroup, v.Spec.InitialOffset)
			}
			if v.Name == "thumbnail-image" { // one undated topic, left alone by rotate-topics
				if !slices.Equal(v.Spec.Topics, []string{route.ImageUploadsTopic}) || v.Labels[kafka.TopicBaseLabel] != "" {
					t.Errorf("KafkaSource %s topics %v, label %q; want [%s] and no topic-base label", v.Name, v.Spec.Topics, v.Labels[kafka.TopicBaseLabel], route.ImageUploadsTopic)
				}
				continue
			}
			want := []string{"member-activity-20261124", "member-activity-20261125", "member-activity-20261126"}
			if !slices.Equal(v.Spec.Topics, want) {
				t.Errorf("KafkaSource %s topics %v, want %v", v.Name, v.Spec.Topics, want)
			}
			if v.Labels[kafka.TopicBaseLabel] != manifest.ActivityTopic {
				t.Errorf("KafkaSource %s has no %s label", v.Name, kafka.TopicBaseLabel)
			}
		case *sourcesv1.PingSource:
			ping = append(ping, v.Name)
		case *servingv1.Service:
			sa := v.Spec.Template.Spec.ServiceAccountName
			if (v.Name == manifest.RotateTopics) != (sa == manifest.RotateTopics) {
				t.Errorf("Service %s runs as %q", v.Name, sa)
			}
			if v.Name == "test-slow-upload" && *v.Spec.Template.Spec.TimeoutSeconds != 120 {
				t.Errorf("test-slow-upload timeout %d, want 120", *v.Spec.Template.Spec.TimeoutSeconds)
			}
		}
	}
	slices.Sort(sources)
	if want := []string{"fanout-feed", "record-activity", "thumbnail-image", "update-stats"}; !slices.Equal(sources, want) {
		t.Errorf("KafkaSources %v, want %v (none for the dead-letter sink)", sources, want)
	}
	if !slices.Contains(ping, "rotate-topics") || !slices.Contains(ping, "relay-outbox") {
		t.Errorf("PingSources %v", ping)
	}
}

// checkObjects checks what the types cannot: labels, annotations only on
// the revision template, a dead-letter sink on every KafkaSource, every
// reference pointing at a generated Service, the Istio routes.
func checkObjects(t *testing.T, fns []route.Function, objs []object) {
	t.Helper()
	services := map[string]*servingv1.Service{}
	for _, o := range objs {
		if s, ok := o.obj.(*servingv1.Service); ok {
			services[s.Name] = s
		}
	}
	for _, f := range append(slices.Clone(fns), route.Function{Name: manifest.AllInOne}) {
		if services[f.Name] == nil {
			t.Errorf("no Service for function %s", f.Name)
		}
	}
	var vs *istiov1.VirtualService
	drs := map[string]bool{}
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *servingv1.Service:
			checkService(t, fns, v)
		case *kafkasourcesv1.KafkaSource:
			d := v.Spec.Delivery
			if d == nil || d.DeadLetterSink == nil || d.DeadLetterSink.Ref == nil {
				t.Errorf("KafkaSource %s has no dead-letter sink", v.Name)
				continue
			}
			if d.Retry == nil || *d.Retry < 1 || d.BackoffPolicy == nil || *d.BackoffPolicy != "exponential" {
				t.Errorf("KafkaSource %s: delivery without exponential retries", v.Name)
			}
			for _, ref := range []string{v.Spec.Sink.Ref.Name, d.DeadLetterSink.Ref.Name} {
				if services[ref] == nil {
					t.Errorf("KafkaSource %s sends to %s, which has no Service", v.Name, ref)
				}
			}
		case *sourcesv1.PingSource:
			if services[v.Spec.Sink.Ref.Name] == nil {
				t.Errorf("PingSource %s sends to %s, which has no Service", v.Name, v.Spec.Sink.Ref.Name)
			}
		case *istiov1.VirtualService:
			vs = v
		case *istiov1.DestinationRule:
			drs[v.Spec.Host] = true
			od := v.Spec.TrafficPolicy.GetOutlierDetection()
			if od.GetConsecutive_5XxErrors().GetValue() != 5 || od.GetInterval().AsDuration().String() != "1m0s" ||
				od.GetBaseEjectionTime().AsDuration().String() != "5m0s" || od.GetMaxEjectionPercent() != 50 {
				t.Errorf("DestinationRule %s: outlier detection %v", v.Name, od)
			}
		case *rbacv1.Role:
			want := []rbacv1.PolicyRule{{APIGroups: []string{"sources.knative.dev"}, Resources: []string{"kafkasources"}, Verbs: []string{"get", "list", "patch"}}}
			if fmt.Sprint(v.Rules) != fmt.Sprint(want) {
				t.Errorf("Role %s grants %v, want %v", v.Name, v.Rules, want)
			}
		}
	}
	if vs == nil {
		t.Fatal("no VirtualService")
	}
	for _, f := range fns {
		if f.Kind == route.HTTP && !drs[manifest.Host(f.Name)] {
			t.Errorf("no DestinationRule for %s", f.Name)
		}
	}
	checkVirtualService(t, fns, vs)
}

func checkService(t *testing.T, fns []route.Function, s *servingv1.Service) {
	t.Helper()
	for k := range s.Annotations {
		if strings.HasPrefix(k, "autoscaling.knative.dev/") {
			t.Errorf("Service %s: annotation %s belongs on spec.template.metadata", s.Name, k)
		}
	}
	a := s.Spec.Template.Annotations
	if a["autoscaling.knative.dev/min-scale"] != "0" {
		t.Errorf("Service %s does not scale to zero", s.Name)
	}
	c := s.Spec.Template.Spec.Containers[0]
	if !slices.Contains(c.Env, corev1.EnvVar{Name: "LISTEN_ADDRESS", Value: "[::]:8080"}) {
		t.Errorf("Service %s: no LISTEN_ADDRESS=[::]:8080", s.Name)
	}
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/health/readiness" ||
		c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/health/liveness" {
		t.Errorf("Service %s: probes not on func-go's health paths", s.Name)
	}
	if len(c.EnvFrom) != 2 || c.EnvFrom[0].ConfigMapRef.Name != manifest.ConfigMap || c.EnvFrom[1].SecretRef.Name != manifest.Secret {
		t.Errorf("Service %s: configuration not from %s and %s", s.Name, manifest.ConfigMap, manifest.Secret)
	}
	if s.Labels["app.kubernetes.io/part-of"] != "dailyfeed" || s.Labels[manifest.GroupLabel] == "" {
		t.Errorf("Service %s: labels %v", s.Name, s.Labels)
	}
	if c.Image != manifest.Image(s.Name) {
		t.Errorf("Service %s: image %s", s.Name, c.Image)
	}
	i := slices.IndexFunc(fns, func(f route.Function) bool { return f.Name == s.Name })
	if i < 0 {
		return // the all-in-one
	}
	f := fns[i]
	if want := fmt.Sprint(route.Scales[f.Group].Max); a["autoscaling.knative.dev/max-scale"] != want {
		t.Errorf("Service %s: max-scale %s, want %s", s.Name, a["autoscaling.knative.dev/max-scale"], want)
	}
	if s.Labels["networking.knative.dev/visibility"] != "cluster-local" {
		t.Errorf("Service %s is not cluster-local", s.Name)
	}
}

// checkVirtualService evaluates the VirtualService's routes in order, as
// Envoy does, against sample requests for every route of fns, and expects
// the function internal/route's matcher picks.
func checkVirtualService(t *testing.T, fns []route.Function, vs *istiov1.VirtualService) {
	t.Helper()
	mux := route.NewMux(fns...)
	var patterns [][]string
	methods := map[string]bool{"HEAD": true}
	for _, f := range fns {
		for _, r := range f.Routes {
			patterns = append(patterns, strings.Split(strings.Trim(r.Path, "/"), "/"))
			methods[r.Method] = true
		}
	}
	for _, f := range fns {
		for _, r := range f.Routes {
			for _, path := range samplePaths(r.Path, patterns) {
				for method := range methods {
					want, _, ok := mux.Find(method, path)
					got, gotOK := routeVirtualService(t, vs, method, path)
					if ok != gotOK || want.Function != got {
						t.Errorf("%s %s: VirtualService routes to %q (%v), internal/route to %q (%v)", method, path, got, gotOK, want.Function, ok)
					}
				}
				if want, _, _ := mux.Find(r.Method, path); want.Function == "" {
					t.Errorf("%s %s: sample of %s matches nothing", r.Method, path, f.Name)
				}
			}
		}
	}
}

// samplePaths makes concrete paths for a pattern: wildcards as "123", and,
// for every other pattern of the same length, wildcards replaced by that
// pattern's literals (where literal and wildcard patterns overlap).
func samplePaths(pattern string, patterns [][]string) []string {
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	fill := func(other []string) string {
		out := make([]string, len(segs))
		for i, s := range segs {
			switch {
			case !isWildcard(s):
				out[i] = s
			case other != nil && !isWildcard(other[i]):
				out[i] = other[i]
			default:
				out[i] = "123"
			}
		}
		return "/" + strings.Join(out, "/")
	}
	paths := []string{fill(nil)}
	for _, o := range patterns {
		if len(o) == len(segs) {
			if p := fill(o); !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	return paths
}

func isWildcard(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }

// routeVirtualService returns the function the first matching route of vs
// sends method and path to.
func routeVirtualService(t *testing.T, vs *istiov1.VirtualService, method, path string) (string, bool) {
	t.Helper()
	for _, h := range vs.Spec.Http {
		if !slices.ContainsFunc(h.Match, func(m *networking.HTTPMatchRequest) bool {
			return stringMatches(t, m.Uri, path) && stringMatches(t, m.Method, method)
		}) {
			continue
		}
		if len(h.Route) != 1 {
			t.Fatalf("route %s has %d destinations", h.Name, len(h.Route))
		}
		host := h.Route[0].Destination.Host
		if h.Rewrite.GetAuthority() != host {
			t.Errorf("route %s: authority %q is not rewritten to %s", h.Name, h.Rewrite.GetAuthority(), host)
		}
		fn, ok := strings.CutSuffix(host, "."+manifest.Namespace+".svc.cluster.local")
		if !ok {
			t.Errorf("route %s: destination %s is not a function's cluster-local host", h.Name, host)
		}
		return fn, true
	}
	return "", false
}

func stringMatches(t *testing.T, m *networking.StringMatch, s string) bool {
	switch m := m.GetMatchType().(type) {
	case nil:
		return true
	case *networking.StringMatch_Exact:
		return m.Exact == s
	case *networking.StringMatch_Prefix:
		return strings.HasPrefix(s, m.Prefix)
	case *networking.StringMatch_Regex:
		// Envoy's safe_regex matches the whole string (RE2).
		re, err := regexp.Compile("^(?:" + m.Regex + ")$")
		if err != nil {
			t.Fatalf("regex %q: %v", m.Regex, err)
		}
		return re.MatchString(s)
	}
	t.Fatalf("unknown match %T", m)
	return false
}

// TestBrokenManifestsFail proves the validation rejects broken manifests.
func TestBrokenManifestsFail(t *testing.T) {
	files, err := manifest.Knative(syntheticTable())
	if err != nil {
		t.Fatal(err)
	}
	ctx := validationContext(t)
	tests := []struct {
		name, path, old, new, want string
	}{
		{"unknown Service field", "knative/services/signup.yaml", "containerConcurrency:", "containerConcurency: 5\n      containerConcurrency:", `unknown field "containerConcurency"`},
		{"negative concurrency", "knative/services/signup.yaml", "containerConcurrency: 20", "containerConcurrency: -1", "spec.template.spec.containerConcurrency"},
		{"timeout above the maximum", "knative/services/signup.yaml", "timeoutSeconds: 30", "timeoutSeconds: 100000", "spec.template.spec.timeoutSeconds"},
		{"bad max-scale", "knative/services/signup.yaml", `max-scale: "2"`, `max-scale: "two"`, "autoscaling.knative.dev/max-scale"},
		{"no image", "knative/services/signup.yaml", "image: dailyfeed/signup", "image: ''", "containers[0].image"},
		{"bad initial offset", "knative/eventing/kafkasource-record-activity.yaml", "initialOffset: earliest", "initialOffset: oldest", "spec.initialOffset"},
		{"no topics", "knative/eventing/kafkasource-record-activity.yaml",
			"  topics:\n  - member-activity-20261124\n  - member-activity-20261125\n  - member-activity-20261126\n", "  topics: []\n", "spec.topics"},
		{"bad backoff", "knative/eventing/kafkasource-record-activity.yaml", "backoffPolicy: exponential", "backoffPolicy: random", "spec.delivery.backoffPolicy"},
		{"bad delivery timeout", "knative/eventing/kafkasource-record-activity.yaml", "timeout: PT30S", "timeout: 30s", "spec.delivery.timeout"},
		{"bad schedule", "knative/eventing/pingsource-rotate-keys.yaml", "schedule: 0 * * * *", "schedule: every hour", "spec.schedule"},
		{"bad time zone", "knative/eventing/pingsource-rotate-keys.yaml", "timezone: Asia/Seoul", "timezone: Asia/Nowhere", "spec.timezone"},
		{"unknown Istio field", "knative/istio/virtualservice.yaml", "    timeout: 30s", "    timeout: 30s\n    timout: 30s", `unknown field "timout"`},
		{"unknown outlier field", "knative/istio/destinationrules.yaml", "      maxEjectionPercent: 50", "      maxEjectionPercent: 50\n      maxEjectionPercentage: 50", `unknown field "maxEjectionPercentage"`},
		{"unknown Role field", "knative/eventing/rbac.yaml", "  verbs:", "  verb: [delete]\n  verbs:", `unknown field "verb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, ok := files[tt.path]
			if !ok {
				t.Fatalf("%s not generated", tt.path)
			}
			if _, err := decode(ctx, tt.path, data); err != nil {
				t.Fatalf("the unbroken file fails: %v", err)
			}
			broken := strings.Replace(string(data), tt.old, tt.new, 1)
			if broken == string(data) {
				t.Fatalf("%q not in %s", tt.old, tt.path)
			}
			_, err := decode(ctx, tt.path, []byte(broken))
			if err == nil {
				t.Fatalf("broken %s passes validation", tt.path)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// TestSinksNeedADeadLetterSink: without one, events that exhaust their
// retries would be dropped.
func TestSinksNeedADeadLetterSink(t *testing.T) {
	withoutDeadLetter := slices.DeleteFunc(slices.Clone(route.Functions), func(f route.Function) bool { return f.DeadLetter })
	fns := slices.Concat(withoutDeadLetter, []route.Function{{Name: "test-sink", Kind: route.CloudEvent, Group: route.Sink}})
	if _, err := manifest.Knative(fns); err == nil || !strings.Contains(err.Error(), "dead-letter") {
		t.Errorf("a sink without a dead-letter sink: err = %v", err)
	}
}

// TestKnativeTreeIsComplete: no stray file under knative/, and the
// kustomization lists every manifest but the all-in-one Service and the
// migrate Job (applied before it), with an image entry per function.
func TestKnativeTreeIsComplete(t *testing.T) {
	files, err := manifest.Files()
	if err != nil {
		t.Fatal(err)
	}
	onDisk := committed(t)
	var want []string
	for path := range onDisk {
		if _, ok := files[path]; !ok {
			t.Errorf("%s is not generated: delete it or run `make manifests`", path)
		}
		rel := strings.TrimPrefix(path, "knative/")
		if rel != "kustomization.yaml" && rel != "services/"+manifest.AllInOne+".yaml" && rel != "jobs/"+manifest.Migrate+".yaml" && !strings.HasPrefix(rel, "monitoring/") {
			want = append(want, rel)
		}
	}
	var k kustomization
	if err := yaml.UnmarshalStrict(files["knative/kustomization.yaml"], &k); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(k.Resources))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kustomization resources %v, want %v", got, want)
	}
	var images []string
	for _, im := range k.Images {
		images = append(images, im.Name)
	}
	for _, f := range route.Functions {
		if !slices.Contains(images, manifest.Image(f.Name)) {
			t.Errorf("kustomization has no image entry for %s", f.Name)
		}
	}
}

// TestConfigMapCoversREADME: every variable of README's configuration
// table is in the ConfigMap, the Secret or deliberately left out.
func TestConfigMapCoversREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z0-9_]+)` \\|").FindAllSubmatch(readme, -1) {
		documented = append(documented, string(m[1]))
	}
	if len(documented) == 0 {
		t.Fatal("no configuration table in README.md")
	}
	known := slices.Concat(manifest.ConfigKeys(), manifest.SecretKeys, manifest.LocalOnlyKeys, manifest.GeneratedKeys, manifest.OperatorKeys)
	for _, v := range documented {
		if !slices.Contains(known, v) {
			t.Errorf("README's %s is neither in the ConfigMap, the Secret, LocalOnlyKeys, GeneratedKeys nor OperatorKeys", v)
		}
	}
	for _, v := range slices.Concat(manifest.ConfigKeys(), manifest.SecretKeys) {
		if !slices.Contains(documented, v) {
			t.Errorf("%s is not in README's configuration table", v)
		}
	}
}

// TestTopicSettingsAgreeByConstruction: a function configured by the
// committed ConfigMap publishes to the base the dated KafkaSources read
// (and are labelled with, for rotate-topics) and dates topics in the time
// zone of the PingSources' schedules; the ConfigMap cannot say otherwise,
// as it does not carry the two settings.
func TestTopicSettingsAgreeByConstruction(t *testing.T) {
	objs := decodeFiles(t, committed(t))
	var cm *corev1.ConfigMap
	for _, o := range objs {
		if v, ok := o.obj.(*corev1.ConfigMap); ok && v.Name == manifest.ConfigMap {
			cm = v
		}
	}
	if cm == nil {
		t.Fatal("no ConfigMap")
	}
	for _, k := range manifest.GeneratedKeys {
		if _, ok := cm.Data[k]; ok {
			t.Errorf("the ConfigMap sets %s, a generation-time setting", k)
		}
	}
	cfg, err := config.Load(cm.Data)
	if err != nil {
		t.Fatal(err)
	}
	var dated, pings int
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *kafkasourcesv1.KafkaSource:
			base, ok := v.Labels[kafka.TopicBaseLabel]
			if !ok {
				continue // an undated topic
			}
			dated++
			if base != cfg.TopicBase {
				t.Errorf("KafkaSource %s reads base %q, the functions publish to %q", v.Name, base, cfg.TopicBase)
			}
			for _, topic := range v.Spec.Topics {
				if b, _, ok := kafka.ParseTopic(topic, cfg.TopicTimeZone); !ok || b != cfg.TopicBase {
					t.Errorf("KafkaSource %s reads %s, not a dated topic of %s", v.Name, topic, cfg.TopicBase)
				}
			}
		case *sourcesv1.PingSource:
			pings++
			if v.Spec.Timezone != cfg.TopicTimeZone.String() {
				t.Errorf("PingSource %s runs in %s, the topics are dated in %s", v.Name, v.Spec.Timezone, cfg.TopicTimeZone)
			}
		}
	}
	if dated == 0 || pings == 0 {
		t.Errorf("%d dated KafkaSources and %d PingSources checked", dated, pings)
	}
}

// prometheusRule is the Prometheus Operator's PrometheusRule, as far as
// dailyfeed writes it.
type prometheusRule struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       manifest.RuleFile `json:"spec"`
}

// TestMonitoring: every function's pods carry the scrape annotations of
// the port the ConfigMap's METRICS_ADDRESS serves, the PrometheusRule holds
// exactly the rules of the plain rule file promtool checks, and neither is
// in the kustomization (the Operator's CRD may not be installed).
func TestMonitoring(t *testing.T) {
	files, err := manifest.Knative(route.Functions)
	if err != nil {
		t.Fatal(err)
	}
	var cm corev1.ConfigMap
	if err := yaml.Unmarshal(stripComments(files["knative/config.yaml"]), &cm); err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(cm.Data["METRICS_ADDRESS"], ":")
	if port != strconv.Itoa(manifest.MetricsPort) {
		t.Errorf("METRICS_ADDRESS %q does not serve port %d", cm.Data["METRICS_ADDRESS"], manifest.MetricsPort)
	}
	services := 0
	for path, doc := range files {
		if !strings.HasPrefix(path, "knative/services/") {
			continue
		}
		services++
		var svc servingv1.Service
		if err := yaml.Unmarshal(stripComments(doc), &svc); err != nil {
			t.Fatal(err)
		}
		a := svc.Spec.Template.Annotations
		if a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] != port || a["prometheus.io/path"] != "/metrics" {
			t.Errorf("%s: scrape annotations %v", path, a)
		}
	}
	if services != len(route.Functions)+1 {
		t.Errorf("%d services checked", services)
	}
	var rule prometheusRule
	if err := yaml.UnmarshalStrict(stripComments(files[manifest.PrometheusRuleFile]), &rule); err != nil {
		t.Fatal(err)
	}
	var plain manifest.RuleFile
	if err := yaml.UnmarshalStrict(stripComments(files[manifest.RulesFile]), &plain); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(plain, rule.Spec); diff != "" {
		t.Errorf("the PrometheusRule and the rule file differ: %s", diff)
	}
	want := []string{"DailyfeedPartitionStuck", "DailyfeedDeadLetters", "DailyfeedOutboxBacklog", "DailyfeedErrorRatio", "DailyfeedLatencyP99"}
	var got []string
	for _, g := range plain.Groups {
		for _, r := range g.Rules {
			got = append(got, r.Alert)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("alerts %v, want %v", got, want)
	}
	if bytes.Contains(files["knative/kustomization.yaml"], []byte("monitoring/")) {
		t.Error("the kustomization lists the monitoring resources")
	}
}

// TestMigrateJob: the one-shot setup job runs the all-in-one image in its
// migrate mode with the functions' configuration, and stays out of the
// kustomization (it runs before the functions, see its header).
func TestMigrateJob(t *testing.T) {
	files, err := manifest.Knative(route.Functions)
	if err != nil {
		t.Fatal(err)
	}
	doc, ok := files["knative/jobs/migrate.yaml"]
	if !ok {
		t.Fatal("no knative/jobs/migrate.yaml")
	}
	o, err := decodeDoc(context.Background(), "knative/jobs/migrate.yaml", stripComments(doc))
	if err != nil {
		t.Fatal(err)
	}
	job := o.obj.(*batchv1.Job)
	c := job.Spec.Template.Spec.Containers[0]
	if c.Image != manifest.Image(manifest.AllInOne) {
		t.Errorf("job image %s, want the all-in-one's", c.Image)
	}
	if !slices.Contains(c.Env, corev1.EnvVar{Name: config.ModeEnv, Value: config.MigrateMode}) {
		t.Errorf("job env %v: not in migrate mode", c.Env)
	}
	if len(c.EnvFrom) != 2 || job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("job envFrom %v, restart %s", c.EnvFrom, job.Spec.Template.Spec.RestartPolicy)
	}
	if bytes.Contains(files["knative/kustomization.yaml"], []byte("jobs/")) {
		t.Error("the kustomization lists the migrate job")
	}
}
