package dailyfeed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	goimage "image"
	_ "image/jpeg"
	_ "image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed"
	thumbnailimage "github.com/dailyfeed/dailyfeed/functions/thumbnail-image"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka"
	"github.com/dailyfeed/dailyfeed/minio"
)

// notifyARN is the ARN of MinIO's Kafka target with id DAILYFEED, the one
// scripts/stack.sh configures.
const notifyARN = "arn:minio:sqs::DAILYFEED:kafka"

// startMinIO starts a MinIO of the test's own on a free loopback port, its
// Kafka notification target writing to topic, and stops it (by its PID)
// when the test ends. It returns the endpoint.
func startMinIO(t *testing.T, brokers []string, topic string) string {
	t.Helper()
	bin, err := filepath.Abs(".local/bin/minio")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no MinIO binary at %s: run `make stack` first: %v", bin, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "server", filepath.Join(dir, "data"), "--address", addr, "--console-address", "127.0.0.1:0")
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER=minioadmin", "MINIO_ROOT_PASSWORD=minioadmin", "MINIO_UPDATE=off",
		"MINIO_NOTIFY_KAFKA_ENABLE_DAILYFEED=on",
		"MINIO_NOTIFY_KAFKA_BROKERS_DAILYFEED="+brokers[0],
		"MINIO_NOTIFY_KAFKA_TOPIC_DAILYFEED="+topic,
		"MINIO_NOTIFY_KAFKA_QUEUE_DIR_DAILYFEED="+filepath.Join(dir, "events"),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start minio: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := "http://" + addr
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := http.Get(url + "/minio/health/live")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("minio at %s not live: %v\n%s", url, err, out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestThumbnailsFromBucketNotifications runs the image path end to end:
// upload through the all-in-one handler, MinIO's Kafka notification, the
// emulated KafkaSource wrapping the plain record, thumbnail-image.
func TestThumbnailsFromBucketNotifications(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.ImageUploadsTopic = cfg.TopicBase + "-image-uploads"
	cfg.S3NotifyARN = notifyARN
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	admin := kafka.NewAdmin(cfg.KafkaBrokers, kafka.TopicSpec{Partitions: 1})
	defer admin.Close()
	if err := admin.Ensure(ctx, cfg.ImageUploadsTopic); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a := kafka.NewAdmin(cfg.KafkaBrokers, kafka.TopicSpec{})
		defer a.Close()
		_ = a.Delete(ctx, cfg.ImageUploadsTopic)
	})
	cfg.S3Endpoint = startMinIO(t, cfg.KafkaBrokers, cfg.ImageUploadsTopic)
	st := testenv.StackWith(t, cfg, stack.All)

	// The stack configured the bucket's notification (it only warns when
	// it cannot: make sure it could).
	nc, err := st.Store.Client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(cfg.S3Bucket)})
	if err != nil || len(nc.QueueConfigurations) != 1 || aws.ToString(nc.QueueConfigurations[0].QueueArn) != notifyARN {
		t.Fatalf("bucket notification not configured: %+v, %v", nc, err)
	}

	// The sinks and the emulated KafkaSource of thumbnail-image.
	h, err := dailyfeed.SinksHandler(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	sinks := httptest.NewServer(h)
	defer sinks.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	found := false
	for _, src := range dailyfeed.Emulator(st, sinks.URL, kafka.Delivery{Retry: 3, BackoffDelay: 100 * time.Millisecond, Timeout: 60 * time.Second}, nil) {
		if src.Options().Name == "thumbnail-image" {
			found = true
			if w := src.Window(); len(w) != 1 || w[0] != cfg.ImageUploadsTopic {
				t.Fatalf("thumbnail-image source reads %v, want [%s]", w, cfg.ImageUploadsTopic)
			}
			wg.Go(func() { _ = src.Run(ctx) })
		}
	}
	if !found {
		t.Fatal("no emulated KafkaSource for thumbnail-image")
	}

	srv := dailyfeed.NewShared(st)
	me := imagetest.Member(t, st, "thumbs")
	token := imagetest.Token(t, st, me)
	upload := func(data []byte) (int, string, string) {
		body, ct := imagetest.Multipart(t, "image", "x", "", data)
		r := httptest.NewRequest(http.MethodPost, "/api/images/upload", body)
		r.Header.Set("Content-Type", ct)
		r.Header.Set("Authorization", token)
		w := httptest.NewRecorder()
		srv.Handle(w, r)
		resp := imagetest.Decode(t, w.Body.Bytes())
		var id string
		_ = json.Unmarshal(resp.Data, &id)
		return w.Code, resp.Code, id
	}
	view := func(id string, thumb bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/images/view/%s?thumbnail=%t", id, thumb), nil)
		w := httptest.NewRecorder()
		srv.Handle(w, r)
		return w
	}
	svc := image.NewService(st.DB, st.Store, image.OptionsFrom(cfg), st.Now)

	t.Run("thumbnail made", func(t *testing.T) {
		status, code, id := upload(imagetest.JPEGWithEXIF(t, 640, 480, 6))
		if status != http.StatusCreated {
			t.Fatalf("upload: %d %s", status, code)
		}
		testenv.Eventually(t, "the thumbnail is made", func() bool {
			img, err := svc.Get(ctx, id)
			return err == nil && img.Status == image.StatusReady
		})
		if _, err := st.Store.Head(ctx, image.ThumbKey(id)); err != nil {
			t.Fatalf("thumbnail object: %v", err)
		}
		w := view(id, true)
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/jpeg" {
			t.Fatalf("view thumbnail: %d %s", w.Code, w.Header().Get("Content-Type"))
		}
		cfg, err := imageConfig(w.Body.Bytes())
		if err != nil || cfg.Width != 150 || cfg.Height != 150 {
			t.Fatalf("thumbnail is %+v, %v; want 150×150", cfg, err)
		}
	})

	t.Run("undecodable file removed", func(t *testing.T) {
		status, code, id := upload(imagetest.CorruptPNG(t, 300, 300))
		if status != http.StatusCreated {
			t.Fatalf("upload of a valid header: %d %s", status, code)
		}
		testenv.Eventually(t, "the undecodable image is removed", func() bool {
			w := view(id, false)
			return w.Code == http.StatusGone
		})
		if w := view(id, true); w.Code != http.StatusGone || !bytes.Contains(w.Body.Bytes(), []byte(image.Removed)) {
			t.Fatalf("view of a removed image: %d %s", w.Code, w.Body)
		}
		if _, err := st.Store.Head(ctx, image.OriginalKey(id)); !isNotFound(err) {
			t.Fatalf("the undecodable original is still stored: %v", err)
		}
	})

	t.Run("dimension bomb refused", func(t *testing.T) {
		status, code, _ := upload(imagetest.HugePNG(100_000, 100_000))
		if status != http.StatusRequestEntityTooLarge || code != string(image.TooManyPixels) {
			t.Fatalf("upload of a dimension bomb: %d %s", status, code)
		}
	})
}

func isNotFound(err error) bool { return errors.Is(err, minio.ErrNotFound) }

func imageConfig(data []byte) (goimage.Config, error) {
	cfg, _, err := goimage.DecodeConfig(bytes.NewReader(data))
	return cfg, err
}

// TestThumbnailDecodesAreBounded fills the process's decode slots and sees
// the next decode refused with 429 (which the delivery retries), then
// succeed once a slot is free; meanwhile a view of the thumbnail serves the
// original.
func TestThumbnailDecodesAreBounded(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.S3NotifyARN = "off"
	cfg.ImageDecodeConcurrency = 1
	cfg.ImageDecodeWait = 50 * time.Millisecond
	st := testenv.StackWith(t, cfg, stack.Postgres|stack.S3)
	t.Cleanup(func() { _ = st.Store.DeleteBucket(context.Background()) })
	ctx := context.Background()
	svc := image.NewService(st.DB, st.Store, image.OptionsFrom(cfg), st.Now)
	img, err := svc.Upload(ctx, imagetest.Member(t, st, "bounded"), imagetest.PNG(t, 400, 300), false)
	if err != nil {
		t.Fatal(err)
	}
	if v := img.Variant(true); v.Key != img.Key {
		t.Fatalf("a pending thumbnail is served from %s, want the original %s", v.Key, img.Key)
	}
	f := thumbnailimage.New()
	f.Share(st)
	e := event.New()
	e.SetID("partition:0/offset:1")
	e.SetSource("test")
	e.SetType(kafka.NotCloudEventType)
	doc := fmt.Sprintf(`{"EventName":"s3:ObjectCreated:Put","Records":[{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":%q},"object":{"key":"images%%2F%s%%2Foriginal"}}}]}`, cfg.S3Bucket, img.ID)
	_ = e.SetData("application/octet-stream", []byte(doc))

	release, err := f.Limiter(st).Acquire(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.Status(f.Receive(ctx, e)); got != http.StatusTooManyRequests {
		t.Fatalf("decode past the bound: %d, want 429", got)
	}
	release()
	if got := sink.Status(f.Receive(ctx, e)); got != http.StatusOK {
		t.Fatalf("decode with a free slot: %d, want 200", got)
	}
	if got, err := svc.Get(ctx, img.ID); err != nil || got.Status != image.StatusReady {
		t.Fatalf("after the decode: %+v, %v", got, err)
	}
	// A record that is no bucket notification is refused (dead-lettered).
	_ = e.SetData("application/octet-stream", []byte(`"hello"`))
	if got := sink.Status(f.Receive(ctx, e)); got != http.StatusBadRequest {
		t.Fatalf("a record that is no notification: %d, want 400", got)
	}
}
