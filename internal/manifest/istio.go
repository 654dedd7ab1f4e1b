package manifest

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1alpha3"
	istiov1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dailyfeed/dailyfeed/internal/route"
)

const (
	// Gateway is the Istio Gateway of the public API.
	Gateway = "dailyfeed-gateway"
	// PublicHost is the placeholder host of the public API; replace it with
	// a kustomize patch on the Gateway and the VirtualService.
	PublicHost = "api.dailyfeed.example.com"
	// VirtualService routes the public API to the functions.
	VirtualService = "dailyfeed"
	// servicePort is the port of a Knative Service's cluster-local name.
	servicePort = 80
)

// The original's outlier detection: eject an instance after 5 consecutive
// 5xx, checked every minute, for 5 minutes, at most half of them.
const (
	outlierConsecutive5xx = 5
	outlierInterval       = time.Minute
	outlierEjection       = 5 * time.Minute
	outlierMaxPercent     = 50
)

func httpFunctions(fns []route.Function) []route.Function {
	var out []route.Function
	for _, f := range fns {
		if f.Kind == route.HTTP && len(f.Routes) > 0 {
			out = append(out, f)
		}
	}
	return out
}

var gatewayComment = "# The public entry of the API on Istio's ingress gateway. Replace the\n" +
	"# placeholder host " + PublicHost + " (here and in virtualservice.yaml) with a\n" +
	"# kustomize patch; add an HTTPS server with a credentialName for TLS.\n"

func gateway() *istiov1.Gateway {
	return &istiov1.Gateway{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "Gateway"},
		ObjectMeta: meta(Gateway, nil),
		Spec: networking.Gateway{
			Selector: map[string]string{"istio": "ingressgateway"},
			Servers: []*networking.Server{{
				Port:  &networking.Port{Number: 80, Name: "http", Protocol: "HTTP"},
				Hosts: []string{PublicHost},
			}},
		},
	}
}

var virtualServiceComment = "# Routes each method and path of internal/route to the function serving it,\n" +
	"# in the order internal/route's matcher decides: a literal segment beats a\n" +
	"# wildcard at the first position where two paths differ.\n" +
	"#\n" +
	"# The destination <fn>." + Namespace + ".svc.cluster.local is the Knative Service's\n" +
	"# cluster-local name: an ExternalName Service pointing at Knative's\n" +
	"# knative-local-gateway, which routes by Host. The authority is therefore\n" +
	"# rewritten to that name; the functions themselves are cluster-local and\n" +
	"# reachable from outside only through this VirtualService.\n" +
	"# Reads (GET) retry on 5xx and connection failures; writes only on connection\n" +
	"# failures, when the request cannot have reached the function.\n"

// routeEntry is one route of the table with its function.
type routeEntry struct {
	fn    route.Function
	route route.Route
	index int // position among the function's routes
	segs  []string
}

// orderedRoutes returns every route of fns, the most specific first: by
// the literal (0) / wildcard (1) pattern of their segments, compared
// position by position. Among the patterns that match one path (same
// length, equal literals) the first is internal/route.Mux's pick.
func orderedRoutes(fns []route.Function) []routeEntry {
	var entries []routeEntry
	for _, f := range fns {
		for i, r := range f.Routes {
			entries = append(entries, routeEntry{fn: f, route: r, index: i, segs: pathSegments(r.Path)})
		}
	}
	slices.SortStableFunc(entries, func(a, b routeEntry) int {
		for i := range min(len(a.segs), len(b.segs)) {
			if c := cmp.Compare(wildcardBit(a.segs[i]), wildcardBit(b.segs[i])); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(a.segs), len(b.segs))
	})
	return entries
}

func pathSegments(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
}

func isWildcard(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

func wildcardBit(seg string) int {
	if isWildcard(seg) {
		return 1
	}
	return 0
}

// uriMatch is an exact match for a literal path, else a regular expression
// (matched in full by Envoy) with [^/]+ for each wildcard segment.
func uriMatch(path string) *networking.StringMatch {
	segs := pathSegments(path)
	if !slices.ContainsFunc(segs, isWildcard) {
		return &networking.StringMatch{MatchType: &networking.StringMatch_Exact{Exact: path}}
	}
	var re strings.Builder
	for _, s := range segs {
		re.WriteString("/")
		if isWildcard(s) {
			re.WriteString("[^/]+")
		} else {
			re.WriteString(regexp.QuoteMeta(s))
		}
	}
	return &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: re.String()}}
}

// methodMatch matches the route's method; GET also serves HEAD, as in
// internal/route.
func methodMatch(method string) *networking.StringMatch {
	if method == "GET" {
		return &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: "GET|HEAD"}}
	}
	return &networking.StringMatch{MatchType: &networking.StringMatch_Exact{Exact: method}}
}

func retries(method string) *networking.HTTPRetry {
	if method == "GET" {
		return &networking.HTTPRetry{Attempts: 3, RetryOn: "connect-failure,refused-stream,unavailable,cancelled,5xx"}
	}
	return &networking.HTTPRetry{Attempts: 2, RetryOn: "connect-failure,refused-stream"}
}

func virtualService(fns []route.Function) *istiov1.VirtualService {
	vs := &istiov1.VirtualService{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "VirtualService"},
		ObjectMeta: meta(VirtualService, nil),
		Spec: networking.VirtualService{
			Hosts:    []string{PublicHost},
			Gateways: []string{Gateway},
		},
	}
	for _, e := range orderedRoutes(fns) {
		host := Host(e.fn.Name)
		vs.Spec.Http = append(vs.Spec.Http, &networking.HTTPRoute{
			Name: fmt.Sprintf("%s-%d", e.fn.Name, e.index),
			Match: []*networking.HTTPMatchRequest{{
				Uri:    uriMatch(e.route.Path),
				Method: methodMatch(e.route.Method),
			}},
			Rewrite: &networking.HTTPRewrite{Authority: host},
			Route: []*networking.HTTPRouteDestination{{
				Destination: &networking.Destination{Host: host, Port: &networking.PortSelector{Number: servicePort}},
			}},
			Timeout: durationpb.New(time.Duration(timeout(e.fn)) * time.Second),
			Retries: retries(e.route.Method),
		})
	}
	return vs
}

var destinationRuleComment = "# Per function: a connection pool sized to what its instances can serve at\n" +
	"# once (containerConcurrency x max-scale) and the original's outlier detection\n" +
	"# (5 consecutive 5xx, 1 min interval, 5 min ejection, at most 50 %).\n" +
	"#\n" +
	"# The host is the Knative Service's cluster-local name, an ExternalName alias\n" +
	"# of knative-local-gateway. Istio applies these rules to that name when it\n" +
	"# builds a cluster of its own for the alias (ENABLE_EXTERNAL_NAME_ALIAS=false\n" +
	"# in istiod); with Istio's default alias handling (1.21 and later) traffic\n" +
	"# shares knative-local-gateway's cluster and only the VirtualService's\n" +
	"# retries and timeouts apply.\n"

func destinationRule(f route.Function) *istiov1.DestinationRule {
	g := groups[f.Group]
	capacity := int32(g.Concurrency) * int32(max(route.Scales[f.Group].Max, 1))
	return &istiov1.DestinationRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.istio.io/v1", Kind: "DestinationRule"},
		ObjectMeta: meta(f.Name, map[string]string{GroupLabel: string(f.Group)}),
		Spec: networking.DestinationRule{
			Host: Host(f.Name),
			TrafficPolicy: &networking.TrafficPolicy{
				ConnectionPool: &networking.ConnectionPoolSettings{
					Tcp: &networking.ConnectionPoolSettings_TCPSettings{
						MaxConnections: capacity,
						ConnectTimeout: durationpb.New(3 * time.Second),
					},
					Http: &networking.ConnectionPoolSettings_HTTPSettings{
						// Requests beyond what the instances serve wait in
						// Knative's activator and queue-proxy, up to as many again.
						Http1MaxPendingRequests: capacity,
						Http2MaxRequests:        2 * capacity,
					},
				},
				OutlierDetection: &networking.OutlierDetection{
					Consecutive_5XxErrors: wrapperspb.UInt32(outlierConsecutive5xx),
					Interval:              durationpb.New(outlierInterval),
					BaseEjectionTime:      durationpb.New(outlierEjection),
					MaxEjectionPercent:    outlierMaxPercent,
				},
			},
		},
	}
}
