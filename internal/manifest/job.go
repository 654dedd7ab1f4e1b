package manifest

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dailyfeed/dailyfeed/internal/config"
)

// Migrate is the one-shot setup Job: the migrations and the bucket, once
// per deployment, before the functions start (no function migrates in its
// Start). It runs the all-in-one image in its migrate mode
// (config.ModeEnv=config.MigrateMode: stack.Prepare, then the process
// exits), so it needs no image of its own.
const Migrate = "migrate"

var migrateJobComment = "# The one-shot setup job: applies the database migrations and creates the bucket,\n" +
	"# then exits. Run it before the functions of a release start (it is not in the\n" +
	"# kustomization: a Job's template is immutable, so each release replaces it):\n" +
	"#   kubectl -n " + Namespace + " delete job " + Migrate + " --ignore-not-found\n" +
	"#   kubectl apply -f knative/jobs/" + Migrate + ".yaml\n" +
	"#   kubectl -n " + Namespace + " wait --for=condition=complete --timeout=5m job/" + Migrate + "\n" +
	"#   kubectl apply -k knative\n" +
	"# Locally `make run` runs the same setup (cmd/migrate) before the function starts.\n"

func migrateJob() *batchv1.Job {
	backoff, ttl := int32(3), int32(24*3600)
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta(Migrate, nil),
		Spec: batchv1.JobSpec{
			BackoffLimit:            &backoff,
			TTLSecondsAfterFinished: &ttl,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{
					"app.kubernetes.io/part-of": PartOf, "app.kubernetes.io/name": Migrate,
				}},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name:  Migrate,
						Image: Image(AllInOne),
						Env:   []corev1.EnvVar{{Name: config.ModeEnv, Value: config.MigrateMode}},
						EnvFrom: []corev1.EnvFromSource{
							{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMap}}},
							{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: Secret}}},
						},
					}},
				},
			},
		},
	}
}
