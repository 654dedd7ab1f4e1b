package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/yaml"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/route"
)

// The cluster layout every generated manifest assumes. Changing the
// namespace with kustomize alone is not enough: the Istio routes name the
// functions' cluster-local hosts (<fn>.<Namespace>.svc.cluster.local) and
// JWKS_URL names the jwks function's.
const (
	// Namespace holds every dailyfeed resource.
	Namespace = "dailyfeed"
	// PartOf is the app.kubernetes.io/part-of label of every resource.
	PartOf = "dailyfeed"
	// GroupLabel carries a Service's scaling group.
	GroupLabel = "dailyfeed.dev/group"
	// ImagePrefix starts every image placeholder: dailyfeed/<fn>. The
	// kustomization maps each to a registry (DefaultRegistry) and an overlay
	// pins the release with `kustomize edit set image`.
	ImagePrefix = "dailyfeed/"
	// DefaultRegistry is where the kustomization points the placeholders.
	DefaultRegistry = "ghcr.io/dailyfeed/"
	// KafkaBootstrap is the Kafka bootstrap address on the cluster (a
	// Strimzi cluster "my-cluster" in namespace kafka).
	KafkaBootstrap = "my-cluster-kafka-bootstrap.kafka:9092"
	// TopicZone is the time zone of the dated topics and of the schedules,
	// and ActivityTopic the base of the dated topics a sink reads: the
	// functions' defaults (config), fixed here at generation time.
	TopicZone     = config.DefaultTopicTimeZone
	ActivityTopic = config.DefaultTopicBase
	// AllInOne is the root function serving every route.
	AllInOne = "dailyfeed"
	// RotateTopics is the job that patches the KafkaSources' topics; its
	// Service runs as the ServiceAccount of the same name.
	RotateTopics = "rotate-topics"
	// httpPort is the container port func-go listens on (LISTEN_ADDRESS).
	httpPort = 8080
	// defaultTimeout is a request's timeout in seconds unless the function
	// sets TimeoutSeconds; func-go's own server times out at 30 s.
	defaultTimeout = 30
)

// referenceDay is the fixed day whose [yesterday, today, tomorrow] topics the
// generated KafkaSources list, so the output is reproducible; rotate-topics
// patches spec.topics on the cluster every day.
const referenceDay = "2026-11-25"

// groupSettings is what a scaling group's Services get besides the scale
// bounds of route.Scales.
type groupSettings struct {
	// Concurrency is containerConcurrency: the hard limit of requests one
	// instance serves at once. The autoscaler aims at 70 % of it.
	Concurrency int64
	// CPU and Memory are the container's requests; the limits are
	// CPULimit and MemoryLimit.
	CPU, Memory, CPULimit, MemoryLimit string
}

// groups sets each group's concurrency and resources. Reads and searches
// wait on Redis and Postgres, so one instance takes many requests; member
// functions hash passwords (CPU), images decode and resize pictures (CPU
// and memory); sinks are fed in order per partition; a job runs alone.
var groups = map[route.Group]groupSettings{
	route.Member:   {Concurrency: 20, CPU: "100m", Memory: "64Mi", CPULimit: "1", MemoryLimit: "256Mi"},
	route.Write:    {Concurrency: 50, CPU: "100m", Memory: "64Mi", CPULimit: "1", MemoryLimit: "256Mi"},
	route.Read:     {Concurrency: 100, CPU: "100m", Memory: "64Mi", CPULimit: "1", MemoryLimit: "256Mi"},
	route.Image:    {Concurrency: 10, CPU: "250m", Memory: "128Mi", CPULimit: "2", MemoryLimit: "512Mi"},
	route.Search:   {Concurrency: 50, CPU: "100m", Memory: "64Mi", CPULimit: "1", MemoryLimit: "256Mi"},
	route.Activity: {Concurrency: 50, CPU: "100m", Memory: "64Mi", CPULimit: "1", MemoryLimit: "256Mi"},
	route.Sink:     {Concurrency: 20, CPU: "100m", Memory: "64Mi", CPULimit: "1", MemoryLimit: "256Mi"},
	route.Job:      {Concurrency: 1, CPU: "100m", Memory: "64Mi", CPULimit: "1", MemoryLimit: "256Mi"},
}

// allInOne is the root function's settings: every route, for small installs.
var (
	allInOneGroup = groupSettings{Concurrency: 100, CPU: "250m", Memory: "128Mi", CPULimit: "2", MemoryLimit: "512Mi"}
	allInOneScale = route.Scale{Min: 0, Max: 3}
)

// targetUtilization is the share of containerConcurrency the autoscaler
// aims at before adding an instance.
const targetUtilization = "70"

// Knative returns the generated files under knative/ for the functions fns
// (route.Functions in production; tests pass other tables).
func Knative(fns []route.Function) (map[string][]byte, error) {
	files := map[string][]byte{}
	var errs []error
	put := func(path, comment string, objs ...any) {
		b, err := encode(comment, objs...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
			return
		}
		files[path] = b
	}

	put("knative/namespace.yaml", "", namespace())
	put("knative/config.yaml", configComment, configMap())
	for _, f := range fns {
		if err := checkFunction(f); err != nil {
			errs = append(errs, err)
			continue
		}
		put("knative/services/"+f.Name+".yaml", "", service(f))
	}
	put("knative/services/"+AllInOne+".yaml", allInOneComment, allInOneService())
	put("knative/jobs/"+Migrate+".yaml", migrateJobComment, migrateJob())

	sources, err := eventing(fns)
	if err != nil {
		errs = append(errs, err)
	}
	for _, s := range sources {
		put(s.path, "", s.obj)
	}
	put("knative/eventing/rbac.yaml", rbacComment, rotateTopicsRBAC()...)
	monitoringFiles(put)

	if http := httpFunctions(fns); len(http) > 0 {
		put("knative/istio/gateway.yaml", gatewayComment, gateway())
		put("knative/istio/virtualservice.yaml", virtualServiceComment, virtualService(http))
		var drs []any
		for _, f := range http {
			drs = append(drs, destinationRule(f))
		}
		put("knative/istio/destinationrules.yaml", destinationRuleComment, drs...)
	}

	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("knative manifests: %w", err)
	}
	files["knative/kustomization.yaml"], err = kustomization(fns, files)
	if err != nil {
		return nil, err
	}
	return files, nil
}

// checkFunction rejects table entries the manifests cannot express.
func checkFunction(f route.Function) error {
	if _, ok := groups[f.Group]; !ok {
		return fmt.Errorf("function %s: group %q has no settings in internal/manifest", f.Name, f.Group)
	}
	if _, ok := route.Scales[f.Group]; !ok {
		return fmt.Errorf("function %s: group %q has no scale bounds", f.Name, f.Group)
	}
	if f.Name == AllInOne {
		return fmt.Errorf("function name %s is taken by the all-in-one function", f.Name)
	}
	return nil
}

// encode renders objs as one YAML file (documents separated by ---), each
// without status, null fields or empty objects, after the header and an
// optional comment.
func encode(comment string, objs ...any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(Header)
	b.WriteString(comment)
	for i, obj := range objs {
		if i > 0 {
			b.WriteString("---\n")
		}
		raw, err := json.Marshal(obj)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		delete(v, "status")
		y, err := yaml.Marshal(prune(v))
		if err != nil {
			return nil, err
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

// prune drops nulls and the objects and lists left empty without them.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			e = prune(e)
			if empty(e) {
				delete(v, k)
				continue
			}
			v[k] = e
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = prune(e)
		}
		return v
	}
	return v
}

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

func meta(name string, labels map[string]string) metav1.ObjectMeta {
	l := map[string]string{"app.kubernetes.io/part-of": PartOf}
	maps.Copy(l, labels)
	return metav1.ObjectMeta{Name: name, Namespace: Namespace, Labels: l}
}

func namespace() *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: Namespace, Labels: map[string]string{"app.kubernetes.io/part-of": PartOf}},
	}
}

// Settings of the ConfigMap: every variable of README's configuration table
// that is not a credential (SecretKeys) or a per-process setting
// (LocalOnlyKeys).
var configData = map[string]string{
	"REDIS_ADDR":               "redis-master.redis:6379",
	"REDIS_DB":                 "0",
	"REDIS_PREFIX":             "dailyfeed:",
	"KAFKA_BROKERS":            KafkaBootstrap,
	"KAFKA_ACKS":               "1",
	"TOPIC_PARTITIONS":         "3",
	"TOPIC_RETENTION":          "168h",
	"S3_ENDPOINT":              "http://minio.minio:9000",
	"S3_REGION":                "us-east-1",
	"S3_BUCKET":                "dailyfeed",
	"S3_NOTIFY_ARN":            "arn:minio:sqs::DAILYFEED:kafka",
	"IMAGE_UPLOADS_TOPIC":      "image-uploads",
	"IMAGE_MAX_PIXELS":         "40000000",
	"IMAGE_DECODE_CONCURRENCY": "1",
	"IMAGE_DECODE_WAIT":        "2s",
	"FEED_HEAVY_THRESHOLD":     "10000",
	"FEED_TIMELINE_CAP":        "800",
	"FEED_TIMELINE_TTL":        "168h",
	"JWT_ISSUER":               "dailyfeed",
	"JWT_AUDIENCE":             "dailyfeed-api",
	"JWT_ACCESS_TTL":           "1h",
	"JWT_REFRESH_TTL":          "720h",
	"JWT_KEY_ROTATION":         "24h",
	"JWT_KEY_GRACE":            "48h",
	"JWKS_URL":                 "http://jwks." + Namespace + ".svc.cluster.local/.well-known/jwks.json",
	"COOKIE_SECURE":            "true",
	// Every function serves /metrics on its pod's port 9464, which the
	// pod's prometheus.io annotations name (monitoring.go).
	"METRICS_ADDRESS": fmt.Sprintf(":%d", MetricsPort),
}

// SecretKeys are the credentials kept in the Secret, never in git.
var SecretKeys = []string{"DATABASE_URL", "REDIS_PASSWORD", "S3_ACCESS_KEY", "S3_SECRET_KEY"}

// GeneratedKeys are settings fixed when the manifests are generated
// (config.DefaultTopicBase and DefaultTopicTimeZone name the KafkaSources'
// topics, their label and the PingSources' zone), so the ConfigMap leaves
// them out: a ConfigMap edit cannot move producers off the topics the
// sources read.
var GeneratedKeys = []string{"TOPIC_BASE", "TOPIC_TIMEZONE"}

// LocalOnlyKeys are settings the cluster does not take from the ConfigMap:
// DATABASE_SCHEMA isolates tests, LISTEN_ADDRESS is set on each container,
// SINKS_LISTEN_ADDRESS is the local runner's sink listener, LOCAL_SINKS splits
// the local runner in two processes.
var LocalOnlyKeys = []string{"DATABASE_SCHEMA", "LISTEN_ADDRESS", "SINKS_LISTEN_ADDRESS", "LOCAL_SINKS"}

// OperatorKeys are the standard OpenTelemetry settings an operator adds (an
// overlay) where a collector runs: unset, nothing is exported, and a
// function's service name is its own name (docs/tracing.md).
var OperatorKeys = []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SERVICE_NAME"}

// ConfigKeys returns the keys of the generated ConfigMap.
func ConfigKeys() []string { return slices.Sorted(maps.Keys(configData)) }

var configComment = "# The non-secret settings of every function (README.md, Configuration).\n" +
	"# The credentials live in the Secret " + Secret + ", created by hand, never committed:\n" +
	"#\n" +
	"#   kubectl create namespace " + Namespace + "\n" +
	"#   kubectl -n " + Namespace + " create secret generic " + Secret + " \\\n" +
	"#     --from-literal=DATABASE_URL='postgres://dailyfeed:…@postgres.postgres:5432/dailyfeed?sslmode=require' \\\n" +
	"#     --from-literal=REDIS_PASSWORD='…' \\\n" +
	"#     --from-literal=S3_ACCESS_KEY='…' \\\n" +
	"#     --from-literal=S3_SECRET_KEY='…'\n" +
	"#\n" +
	"# Change a setting with a kustomize patch in an overlay, not here. TOPIC_BASE and\n" +
	"# TOPIC_TIMEZONE are not settings of a cluster: the KafkaSources, their topic-base\n" +
	"# label and the PingSources are generated from the functions' defaults\n" +
	"# (internal/config DefaultTopicBase, DefaultTopicTimeZone), which they use.\n"

func configMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta(ConfigMap, nil),
		Data:       configData,
	}
}

// Image returns the placeholder image of a function.
func Image(fn string) string { return ImagePrefix + fn }

// Host returns the cluster-local host name of a function's Service.
func Host(fn string) string { return fn + "." + Namespace + ".svc.cluster.local" }

func timeout(f route.Function) int64 {
	if f.TimeoutSeconds > 0 {
		return int64(f.TimeoutSeconds)
	}
	return defaultTimeout
}

func service(f route.Function) *servingv1.Service {
	labels := map[string]string{GroupLabel: string(f.Group)}
	// Only the Istio gateway (HTTP) and the sources (CloudEvent) call the
	// functions: none is exposed on Knative's own external domain.
	svcLabels := map[string]string{GroupLabel: string(f.Group), "networking.knative.dev/visibility": "cluster-local"}
	sa := ""
	if f.Name == RotateTopics {
		sa = RotateTopics
	}
	return knativeService(f.Name, svcLabels, labels, route.Scales[f.Group], groups[f.Group], timeout(f), sa, nil)
}

var allInOneComment = "# The all-in-one function (root func.yaml): every route on one Service, for\n" +
	"# small installs, public on Knative's own domain. It is not in kustomization.yaml\n" +
	"# (that is the per-function production shape); apply it with the ConfigMap:\n" +
	"#   kubectl apply -f knative/namespace.yaml -f knative/config.yaml -f knative/services/" + AllInOne + ".yaml\n" +
	"# or deploy it with `func deploy` at the repository root.\n" +
	"# JWKS_URL is cleared: there is no separate jwks Service, keys are read from PostgreSQL.\n"

func allInOneService() *servingv1.Service {
	labels := map[string]string{GroupLabel: AllInOne}
	return knativeService(AllInOne, labels, labels, allInOneScale, allInOneGroup, defaultTimeout, "",
		[]corev1.EnvVar{{Name: "JWKS_URL", Value: ""}})
}

func knativeService(name string, svcLabels, templateLabels map[string]string, scale route.Scale, g groupSettings,
	timeoutSeconds int64, serviceAccount string, env []corev1.EnvVar) *servingv1.Service {
	// Readiness: periodSeconds 0 lets Knative's queue-proxy probe
	// aggressively at start (a faster cold start), which Knative allows
	// only without failureThreshold.
	probe := func(path string, period, failures int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(httpPort)}},
			PeriodSeconds:    period,
			FailureThreshold: failures,
		}
	}
	concurrency := g.Concurrency
	return &servingv1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "serving.knative.dev/v1", Kind: "Service"},
		ObjectMeta: meta(name, svcLabels),
		Spec: servingv1.ServiceSpec{ConfigurationSpec: servingv1.ConfigurationSpec{Template: servingv1.RevisionTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{
				Labels: func() map[string]string {
					l := map[string]string{"app.kubernetes.io/part-of": PartOf, "app.kubernetes.io/name": name}
					maps.Copy(l, templateLabels)
					return l
				}(),
				Annotations: func() map[string]string {
					a := map[string]string{
						"autoscaling.knative.dev/class":                         "kpa.autoscaling.knative.dev",
						"autoscaling.knative.dev/metric":                        "concurrency",
						"autoscaling.knative.dev/target-utilization-percentage": targetUtilization,
						"autoscaling.knative.dev/min-scale":                     fmt.Sprint(scale.Min),
						"autoscaling.knative.dev/max-scale":                     fmt.Sprint(scale.Max),
					}
					maps.Copy(a, scrapeAnnotations())
					return a
				}(),
			},
			Spec: servingv1.RevisionSpec{
				ContainerConcurrency: &concurrency,
				TimeoutSeconds:       &timeoutSeconds,
				PodSpec: corev1.PodSpec{
					ServiceAccountName: serviceAccount,
					Containers: []corev1.Container{{
						Name:  "function",
						Image: Image(name),
						Ports: []corev1.ContainerPort{{Name: "http1", ContainerPort: httpPort}},
						Env: append([]corev1.EnvVar{
							// func-go binds 127.0.0.1 with only PORT set (README.md, LISTEN_ADDRESS).
							{Name: "LISTEN_ADDRESS", Value: fmt.Sprintf("[::]:%d", httpPort)},
						}, env...),
						EnvFrom: []corev1.EnvFromSource{
							{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMap}}},
							{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: Secret}}},
						},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{
								corev1.ResourceCPU:    resource.MustParse(g.CPU),
								corev1.ResourceMemory: resource.MustParse(g.Memory),
							},
							Limits: corev1.ResourceList{
								corev1.ResourceCPU:    resource.MustParse(g.CPULimit),
								corev1.ResourceMemory: resource.MustParse(g.MemoryLimit),
							},
						},
						// func-go's health paths; readiness checks the backing servers.
						ReadinessProbe: probe("/health/readiness", 0, 0),
						LivenessProbe:  probe("/health/liveness", 10, 3),
					}},
				},
			},
		}}},
	}
}

// kustomizationFile is the part of kustomize's Kustomization dailyfeed uses.
type kustomizationFile struct {
	APIVersion string           `json:"apiVersion"`
	Kind       string           `json:"kind"`
	Namespace  string           `json:"namespace"`
	Resources  []string         `json:"resources"`
	Images     []kustomizeImage `json:"images"`
}

type kustomizeImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName"`
	NewTag  string `json:"newTag"`
}

var kustomizationComment = "# Every per-function manifest (the production shape). The all-in-one\n" +
	"# Service (services/" + AllInOne + ".yaml) is deliberately left out: see its header.\n" +
	"#\n" +
	"# Images: each function's placeholder dailyfeed/<fn> is mapped below to\n" +
	"# " + DefaultRegistry + "<fn>:latest. Pin a release in an overlay, not in this\n" +
	"# generated file (the drift test would fail):\n" +
	"#   mkdir -p deploy && cd deploy && kustomize create --resources ../knative\n" +
	"#   kustomize edit set image dailyfeed/signup=ghcr.io/<owner>/signup:release-20261125-0001\n" +
	"#   kubectl apply -k .\n"

// kustomization lists every generated file under knative/ but the all-in-one
// Service and the migrate Job (run before, see its header), and maps each
// function's image placeholder.
func kustomization(fns []route.Function, files map[string][]byte) ([]byte, error) {
	k := kustomizationFile{
		APIVersion: "kustomize.config.k8s.io/v1beta1",
		Kind:       "Kustomization",
		Namespace:  Namespace,
	}
	for _, path := range Paths(files) {
		rel, ok := strings.CutPrefix(path, "knative/")
		if !ok || rel == "services/"+AllInOne+".yaml" || strings.HasPrefix(rel, "jobs/") || strings.HasPrefix(rel, "monitoring/") {
			continue
		}
		k.Resources = append(k.Resources, rel)
	}
	// namespace.yaml and config.yaml first, then services, then what uses them.
	order := func(p string) int {
		switch {
		case p == "namespace.yaml":
			return 0
		case p == "config.yaml":
			return 1
		case strings.HasPrefix(p, "services/"):
			return 2
		case strings.HasPrefix(p, "eventing/"):
			return 3
		}
		return 4
	}
	slices.SortStableFunc(k.Resources, func(a, b string) int { return order(a) - order(b) })
	for _, f := range fns {
		k.Images = append(k.Images, kustomizeImage{Name: Image(f.Name), NewName: DefaultRegistry + f.Name, NewTag: "latest"})
	}
	b, err := yaml.Marshal(k)
	if err != nil {
		return nil, err
	}
	return append([]byte(Header+kustomizationComment), b...), nil
}
