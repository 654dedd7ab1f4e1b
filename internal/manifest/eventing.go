package manifest

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	bindingsv1 "knative.dev/eventing-kafka-broker/control-plane/pkg/apis/bindings/v1"
	kafkasourcesv1 "knative.dev/eventing-kafka-broker/control-plane/pkg/apis/sources/v1"
	eventingduckv1 "knative.dev/eventing/pkg/apis/duck/v1"
	sourcesv1 "knative.dev/eventing/pkg/apis/sources/v1"
	duckv1 "knative.dev/pkg/apis/duck/v1"

	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/kafka"
)

type generated struct {
	path string
	obj  any
}

// DatedTopics returns the topics [yesterday, today, tomorrow] of base around
// day (yyyy-MM-dd), as kafka.Topics names them.
func DatedTopics(base, day string) ([]string, error) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return nil, err
	}
	return kafka.NewTopics(base, time.UTC, func() time.Time { return d }).Window(), nil
}

// eventing returns a KafkaSource for every sink of fns but the dead-letter
// sink, and a PingSource for every job. A table with sinks must have exactly
// one dead-letter sink: an event that exhausts its retries with no
// dead-letter sink is dropped.
func eventing(fns []route.Function) ([]generated, error) {
	var deadLetter string
	for _, f := range fns {
		if !f.DeadLetter {
			continue
		}
		if f.Kind != route.CloudEvent || f.Group != route.Sink {
			return nil, fmt.Errorf("dead-letter function %s must be a CloudEvent function of group %s", f.Name, route.Sink)
		}
		if deadLetter != "" {
			return nil, fmt.Errorf("two dead-letter sinks: %s and %s", deadLetter, f.Name)
		}
		deadLetter = f.Name
	}
	var out []generated
	for _, f := range fns {
		switch {
		case f.Kind == route.CloudEvent && f.Group == route.Job:
			if f.Schedule == "" {
				return nil, fmt.Errorf("job %s has no schedule", f.Name)
			}
			out = append(out, generated{"knative/eventing/pingsource-" + f.Name + ".yaml", pingSource(f)})
		case f.Kind == route.CloudEvent && f.Group == route.Sink && !f.DeadLetter:
			if deadLetter == "" {
				return nil, fmt.Errorf("sink %s: the table has no dead-letter sink (a CloudEvent function of group sink with DeadLetter: true, e.g. store-dead-letter)", f.Name)
			}
			ks, err := kafkaSource(f, deadLetter)
			if err != nil {
				return nil, err
			}
			out = append(out, generated{"knative/eventing/kafkasource-" + f.Name + ".yaml", ks})
		}
	}
	return out, nil
}

func serviceRef(fn string) *duckv1.KReference {
	return &duckv1.KReference{APIVersion: "serving.knative.dev/v1", Kind: "Service", Name: fn}
}

func kafkaSource(f route.Function, deadLetter string) (*kafkasourcesv1.KafkaSource, error) {
	labels := map[string]string{GroupLabel: string(f.Group)}
	var topics []string
	if f.Topic != "" {
		// An undated topic an outside producer writes: no topic-base
		// label, so rotate-topics never patches it.
		if len(f.Topics) > 0 {
			return nil, fmt.Errorf("sink %s: reads either an undated Topic or dated Topics, not both", f.Name)
		}
		topics = []string{f.Topic}
	} else {
		bases := f.Topics
		if len(bases) == 0 {
			bases = []string{ActivityTopic}
		}
		if len(bases) > 1 {
			// One base per source keeps rotate-topics' patch simple: the
			// label names the base whose dated topics spec.topics holds.
			return nil, fmt.Errorf("sink %s: a KafkaSource reads the dated topics of one base, not %v", f.Name, bases)
		}
		dated, err := DatedTopics(bases[0], referenceDay)
		if err != nil {
			return nil, err
		}
		topics = dated
		labels[kafka.TopicBaseLabel] = bases[0]
	}
	// The delivery the local emulator also follows (kafka.DefaultDelivery):
	// Knative retries 404, 408, 409, 429 and 5xx with exponential backoff,
	// then hands the event to the dead-letter sink; other 4xx go there at
	// once (docs/architecture.md, "Delivery").
	retry := int32(kafka.DefaultDelivery.Retry)
	backoff := eventingduckv1.BackoffPolicyExponential
	delay := fmt.Sprintf("PT%gS", kafka.DefaultDelivery.BackoffDelay.Seconds())
	perTry := fmt.Sprintf("PT%dS", timeout(f))
	ordering := kafkasourcesv1.Ordered
	return &kafkasourcesv1.KafkaSource{
		TypeMeta:   metav1.TypeMeta{APIVersion: "sources.knative.dev/v1", Kind: "KafkaSource"},
		ObjectMeta: meta(f.Name, labels),
		Spec: kafkasourcesv1.KafkaSourceSpec{
			// ConsumerGroup is immutable: one per sink, named after it.
			ConsumerGroup: "dailyfeed-" + f.Name,
			KafkaAuthSpec: bindingsv1.KafkaAuthSpec{BootstrapServers: []string{KafkaBootstrap}},
			InitialOffset: kafkasourcesv1.OffsetEarliest,
			// Ordered: one entity's events (same key) reach the sink in order.
			Ordering: &ordering,
			Topics:   topics,
			Delivery: &eventingduckv1.DeliverySpec{
				Retry:          &retry,
				BackoffPolicy:  &backoff,
				BackoffDelay:   &delay,
				Timeout:        &perTry,
				DeadLetterSink: &duckv1.Destination{Ref: serviceRef(deadLetter)},
			},
			SourceSpec: duckv1.SourceSpec{Sink: duckv1.Destination{Ref: serviceRef(f.Name)}},
		},
	}, nil
}

func pingSource(f route.Function) *sourcesv1.PingSource {
	return &sourcesv1.PingSource{
		TypeMeta:   metav1.TypeMeta{APIVersion: "sources.knative.dev/v1", Kind: "PingSource"},
		ObjectMeta: meta(f.Name, map[string]string{GroupLabel: string(f.Group)}),
		Spec: sourcesv1.PingSourceSpec{
			Schedule:   f.Schedule,
			Timezone:   TopicZone,
			SourceSpec: duckv1.SourceSpec{Sink: duckv1.Destination{Ref: serviceRef(f.Name)}},
		},
	}
}

var rbacComment = "# rotate-topics patches every KafkaSource's spec.topics to the dated topics\n" +
	"# [yesterday, today, tomorrow] (docs/deploy.md). It finds them by the label\n" +
	"# " + kafka.TopicBaseLabel + " and may get, list and patch kafkasources, nothing more.\n"

// rotateTopicsRBAC is the ServiceAccount rotate-topics runs as and its Role.
func rotateTopicsRBAC() []any {
	m := meta(RotateTopics, nil)
	return []any{
		&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: m},
		&rbacv1.Role{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
			ObjectMeta: m,
			Rules: []rbacv1.PolicyRule{{
				APIGroups: []string{"sources.knative.dev"},
				Resources: []string{"kafkasources"},
				Verbs:     []string{"get", "list", "patch"},
			}},
		},
		&rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: m,
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: RotateTopics, Namespace: Namespace}},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: RotateTopics},
		},
	}
}
