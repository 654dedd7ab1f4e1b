package rotation_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"

	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
	"github.com/dailyfeed/dailyfeed/kafka/rotation"
)

var seoul = func() *time.Location {
	z, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return z
}()

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time     { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time)    { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func at(d, h, m int) time.Time      { return time.Date(2026, 11, d, h, m, 0, 0, seoul) }
func topic(base, day string) string { return base + "-" + day }

func existing(t *testing.T, admin *kafka.Admin, base string) []string {
	t.Helper()
	names, err := admin.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tp := kafka.NewTopics(base, seoul, nil)
	var out []string
	for _, n := range names {
		if tp.Owns(n) {
			out = append(out, n)
		}
	}
	return out
}

// TestRotateAcrossMidnight: at 23:50 (Asia/Seoul) tomorrow's topic is
// created and the window is [yesterday, today, tomorrow]; ten minutes
// after midnight the window moved by one day and the new tomorrow exists.
func TestRotateAcrossMidnight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	brokers := kafkatest.Brokers(t)
	base := kafkatest.Base()
	c := &clock{now: at(25, 23, 50)}
	tp := kafka.NewTopics(base, seoul, c.Now)
	kafkatest.DeleteTopicsAtCleanup(t, brokers, tp)
	admin := kafka.NewAdmin(brokers, kafka.TopicSpec{Partitions: 1, Retention: time.Hour})
	defer admin.Close()
	r := rotation.Rotator{Admin: admin, Topics: tp, Retention: 7 * 24 * time.Hour}

	res, err := r.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{topic(base, "20261124"), topic(base, "20261125"), topic(base, "20261126")}, res.Window); diff != "" {
		t.Errorf("window before midnight -want +got\n%s", diff)
	}
	if got := existing(t, admin, base); !slices.Contains(got, topic(base, "20261126")) {
		t.Errorf("tomorrow's topic was not created: %v", got)
	}

	c.Set(at(26, 0, 10))
	res, err = r.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{topic(base, "20261125"), topic(base, "20261126"), topic(base, "20261127")}, res.Window); diff != "" {
		t.Errorf("window after midnight -want +got\n%s", diff)
	}
	if got := existing(t, admin, base); !slices.Contains(got, topic(base, "20261127")) {
		t.Errorf("the new tomorrow's topic was not created: %v", got)
	}
}

// TestRotateDeletesPastRetention: with 7 days of retention on 2026-11-25,
// topics of the 17th and before go, the 18th on stay; another base's old
// topics are not touched.
func TestRotateDeletesPastRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	brokers := kafkatest.Brokers(t)
	base, other := kafkatest.Base(), kafkatest.Base()
	tp := kafka.NewTopics(base, seoul, func() time.Time { return at(25, 23, 50) })
	kafkatest.DeleteTopicsAtCleanup(t, brokers, tp)
	kafkatest.DeleteTopicsAtCleanup(t, brokers, kafka.NewTopics(other, seoul, nil))
	admin := kafka.NewAdmin(brokers, kafka.TopicSpec{Partitions: 1, Retention: time.Hour})
	defer admin.Close()
	for _, n := range []string{
		topic(base, "20261001"), topic(base, "20261117"), topic(base, "20261118"), topic(base, "20261124"),
		topic(other, "20261001"),
	} {
		if err := admin.Ensure(ctx, n); err != nil {
			t.Fatal(err)
		}
	}

	r := rotation.Rotator{Admin: admin, Topics: tp, Retention: 7 * 24 * time.Hour}
	res, err := r.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{topic(base, "20261001"), topic(base, "20261117")}, res.Deleted); diff != "" {
		t.Errorf("deleted -want +got\n%s", diff)
	}
	want := []string{topic(base, "20261118"), topic(base, "20261124"), topic(base, "20261125"), topic(base, "20261126")}
	if diff := cmp.Diff(want, existing(t, admin, base)); diff != "" {
		t.Errorf("topics left -want +got\n%s", diff)
	}
	if got := existing(t, admin, other); !slices.Equal(got, []string{topic(other, "20261001")}) {
		t.Errorf("another base's topics were touched: %v", got)
	}
}

// memAdmin is an in-memory Admin.
type memAdmin struct{ topics map[string]bool }

func (a *memAdmin) Ensure(_ context.Context, t string) error { a.topics[t] = true; return nil }
func (a *memAdmin) List(context.Context) ([]string, error) {
	var out []string
	for t := range a.topics {
		out = append(out, t)
	}
	slices.Sort(out)
	return out, nil
}
func (a *memAdmin) Delete(_ context.Context, ts ...string) error {
	for _, t := range ts {
		delete(a.topics, t)
	}
	return nil
}

func kafkaSource(ns, name, base string, topics ...string) *unstructured.Unstructured {
	items := make([]any, len(topics))
	for i, t := range topics {
		items[i] = t
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "sources.knative.dev/v1",
		"kind":       "KafkaSource",
		"metadata": map[string]any{
			"name": name, "namespace": ns,
			"labels": map[string]any{kafka.TopicBaseLabel: base},
		},
		"spec": map[string]any{
			"consumerGroup": "dailyfeed-" + name,
			"topics":        items,
			"sink":          map[string]any{"ref": map[string]any{"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": name}},
		},
	}}
	return u
}

// TestRotatePatchesKafkaSources: on a cluster, every KafkaSource labelled
// with the base in the namespace gets spec.topics = the window (a merge
// patch that keeps the rest of the spec); others are left alone.
func TestRotatePatchesKafkaSources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const ns = "dailyfeed"
	old := []string{"member-activity-20261123", "member-activity-20261124", "member-activity-20261125"}
	scheme := runtime.NewScheme()
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(scheme,
		map[schema.GroupVersionResource]string{rotation.KafkaSources: "KafkaSourceList"},
		kafkaSource(ns, "record-activity", "member-activity", old...),
		kafkaSource(ns, "fanout-feed", "member-activity", old...),
		kafkaSource(ns, "audit", "audit-log", "audit-log-20261125"),
		kafkaSource("elsewhere", "record-activity", "member-activity", old...),
	)
	r := rotation.Rotator{
		Admin:     &memAdmin{topics: map[string]bool{}},
		Topics:    kafka.NewTopics("member-activity", seoul, func() time.Time { return at(26, 0, 5) }),
		Retention: 7 * 24 * time.Hour,
		Patcher:   rotation.SourcePatcher{Client: client, Namespace: ns},
	}
	res, err := r.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"member-activity-20261125", "member-activity-20261126", "member-activity-20261127"}
	if diff := cmp.Diff([]string{"fanout-feed", "record-activity"}, sorted(res.Patched)); diff != "" {
		t.Errorf("patched -want +got\n%s", diff)
	}
	topicsOf := func(ns, name string) []string {
		u, err := client.Resource(rotation.KafkaSources).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "topics")
		if cg, _, _ := unstructured.NestedString(u.Object, "spec", "consumerGroup"); cg != "dailyfeed-"+name {
			t.Errorf("%s/%s lost its consumerGroup: %q", ns, name, cg)
		}
		return got
	}
	for _, name := range []string{"record-activity", "fanout-feed"} {
		if diff := cmp.Diff(want, topicsOf(ns, name)); diff != "" {
			t.Errorf("%s topics -want +got\n%s", name, diff)
		}
	}
	if got := topicsOf(ns, "audit"); !slices.Equal(got, []string{"audit-log-20261125"}) {
		t.Errorf("another base's source was patched: %v", got)
	}
	if got := topicsOf("elsewhere", "record-activity"); !slices.Equal(got, old) {
		t.Errorf("another namespace's source was patched: %v", got)
	}
	// A second run has nothing to patch.
	res, err = r.Rotate(ctx)
	if err != nil || len(res.Patched) != 0 {
		t.Errorf("second run patched %v, %v", res.Patched, err)
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
