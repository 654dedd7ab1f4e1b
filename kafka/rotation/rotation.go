// Package rotation rotates the dated topics of one base (kafka.Topics),
// what the rotate-topics function runs daily at 23:50 in the topic time
// zone. Each rotation:
//
//  1. creates tomorrow's dated topic (and today's, should it be missing),
//     so the first event after midnight has a topic and the KafkaSources
//     already read it;
//  2. deletes the dated topics of the base older than the retention
//     (config.TopicRetention, default 7 days): a topic of day D goes once
//     D is more than the retention (in whole days) before today, never one
//     of [yesterday, today, tomorrow]; other bases' topics are not touched;
//  3. points the readers at [yesterday, today, tomorrow]: on a cluster
//     (in-cluster config available) SourcePatcher JSON-merge-patches
//     spec.topics of every KafkaSource labelled kafka.TopicBaseLabel=<base>
//     in its own namespace (its ServiceAccount may get, list and patch
//     kafkasources, nothing more); locally the KafkaSource emulator computes
//     the same window from the same clock (kafka.Topics.Window).
//
// The clock is the Topics' (Now), so tests run it on any date.
package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/dailyfeed/dailyfeed/kafka"
)

// KafkaSources is the resource patched: sources.knative.dev/v1 kafkasources.
var KafkaSources = schema.GroupVersionResource{Group: "sources.knative.dev", Version: "v1", Resource: "kafkasources"}

// Admin is what rotation needs of kafka.Admin.
type Admin interface {
	Ensure(ctx context.Context, topic string) error
	List(ctx context.Context) ([]string, error)
	Delete(ctx context.Context, topics ...string) error
}

// Patcher points the readers of a base at its topic window.
type Patcher interface {
	Patch(ctx context.Context, base string, topics []string) ([]string, error)
}

// Rotator rotates the dated topics of one base.
type Rotator struct {
	Admin     Admin
	Topics    kafka.Topics // base, zone and clock
	Retention time.Duration
	Patcher   Patcher // nil: nothing to patch (local runs)
}

// Result is what a rotation did.
type Result struct {
	Window  []string // [yesterday, today, tomorrow]
	Deleted []string // topics past the retention
	Patched []string // KafkaSources whose spec.topics was set
}

// Rotate creates, deletes and patches (see the package doc). It goes as far
// as it can and returns every failure joined.
func (r Rotator) Rotate(ctx context.Context) (Result, error) {
	res := Result{Window: r.Topics.Window()}
	var errs []error
	for _, t := range res.Window[1:] { // today, tomorrow
		if err := r.Admin.Ensure(ctx, t); err != nil {
			errs = append(errs, err)
		}
	}
	old, err := r.expired(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	for _, t := range old {
		if err := r.Admin.Delete(ctx, t); err != nil {
			errs = append(errs, err)
			continue
		}
		res.Deleted = append(res.Deleted, t)
	}
	if r.Patcher != nil {
		patched, err := r.Patcher.Patch(ctx, r.Topics.Base, res.Window)
		res.Patched = patched
		if err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// expired lists the dated topics of the base older than the retention.
func (r Rotator) expired(ctx context.Context) ([]string, error) {
	names, err := r.Admin.List(ctx)
	if err != nil {
		return nil, err
	}
	days := int((r.Retention + 24*time.Hour - 1) / (24 * time.Hour))
	days = max(days, 1) // yesterday is always kept
	today, _ := r.Topics.Date(r.Topics.Today())
	cutoff := time.Date(today.Year(), today.Month(), today.Day()-days, 0, 0, 0, 0, today.Location())
	var out []string
	for _, name := range names {
		base, day, ok := kafka.ParseTopic(name, r.Topics.Zone)
		if ok && base == r.Topics.Base && day.Before(cutoff) {
			out = append(out, name)
		}
	}
	return out, nil
}

// SourcePatcher patches KafkaSources through the Kubernetes API.
type SourcePatcher struct {
	Client    dynamic.Interface
	Namespace string
}

// Patch sets spec.topics of every KafkaSource labelled with base in the
// namespace (a JSON merge patch replaces the whole list) and returns their
// names. A source already on topics is left alone.
func (p SourcePatcher) Patch(ctx context.Context, base string, topics []string) ([]string, error) {
	api := p.Client.Resource(KafkaSources).Namespace(p.Namespace)
	list, err := api.List(ctx, metav1.ListOptions{LabelSelector: kafka.TopicBaseLabel + "=" + base})
	if err != nil {
		return nil, fmt.Errorf("list kafkasources of %s: %w", base, err)
	}
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"topics": topics}})
	if err != nil {
		return nil, err
	}
	var patched []string
	var errs []error
	for _, ks := range list.Items {
		current, _, _ := unstructuredStrings(ks.Object, "spec", "topics")
		if slices.Equal(current, topics) {
			continue
		}
		if _, err := api.Patch(ctx, ks.GetName(), types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("patch kafkasource %s: %w", ks.GetName(), err))
			continue
		}
		patched = append(patched, ks.GetName())
	}
	return patched, errors.Join(errs...)
}

func unstructuredStrings(obj map[string]any, fields ...string) ([]string, bool, error) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = m[f]
	}
	items, ok := cur.([]any)
	if !ok {
		return nil, false, nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, false, fmt.Errorf("%s: not a string list", strings.Join(fields, "."))
		}
		out = append(out, s)
	}
	return out, true, nil
}

// namespaceFile holds the pod's namespace.
const namespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

var (
	patcherOnce sync.Once
	patcher     *SourcePatcher
	patcherErr  error
)

// ClusterPatcher returns the patcher of the cluster the process runs in,
// nil outside a cluster. It is built once per process.
func ClusterPatcher() (*SourcePatcher, error) {
	patcherOnce.Do(func() {
		cfg, err := rest.InClusterConfig()
		if errors.Is(err, rest.ErrNotInCluster) {
			return // a local run: the emulator follows the window itself
		}
		if err != nil {
			patcherErr = fmt.Errorf("in-cluster config: %w", err)
			return
		}
		client, err := dynamic.NewForConfig(cfg)
		if err != nil {
			patcherErr = fmt.Errorf("kubernetes client: %w", err)
			return
		}
		ns := "dailyfeed"
		if b, err := os.ReadFile(namespaceFile); err == nil && strings.TrimSpace(string(b)) != "" {
			ns = strings.TrimSpace(string(b))
		}
		patcher = &SourcePatcher{Client: client, Namespace: ns}
	})
	return patcher, patcherErr
}
