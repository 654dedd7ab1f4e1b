// Package thumbnailimage is the thumbnail-image function: the object
// store's bucket notifications of new image originals (MinIO's Kafka
// target, topic IMAGE_UPLOADS_TOPIC) reach it through a KafkaSource, and it
// makes each image's thumbnail off the request path (internal/image:
// MakeThumbnail), or removes a file it cannot decode.
//
// MinIO's records are plain JSON, not CloudEvents: the KafkaSource (and the
// local emulator) wraps each as an event of type dev.knative.kafka.event
// whose data is the record's value. Answers: 200 when done (a duplicate
// too), 400 for a record that is no bucket notification (dead-lettered),
// 429 when the process's decode slots stay busy and 5xx when a server is
// down (both retried with backoff).
package thumbnailimage

import (
	"context"
	"log/slog"
	"sync"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// Function is the thumbnail-image function.
type Function struct {
	fn.Sink
	once    sync.Once
	limiter *image.Limiter
}

// New returns the function; it does no I/O. Its Receive makes the
// thumbnails of the originals each notification reports (fn.Sink).
func New() *Function {
	f := &Function{}
	f.Sink = fn.NewSink("thumbnail-image", stack.Postgres|stack.S3, f.handle)
	return f
}

// Limiter is the process's bound on concurrent decodes
// (IMAGE_DECODE_CONCURRENCY), made on first use.
func (f *Function) Limiter(s *stack.Stack) *image.Limiter {
	f.once.Do(func() { f.limiter = image.NewLimiter(image.OptionsFrom(s.Config).DecodeConcurrency) })
	return f.limiter
}

// handle makes the thumbnails of the originals one notification reports.
func (f *Function) handle(ctx context.Context, s *fn.Deps, e event.Event) error {
	if e.Type() != kafka.NotCloudEventType {
		return errcode.Errorf(image.BadNotification, "event type %q is not a wrapped Kafka record (%s)", e.Type(), kafka.NotCloudEventType)
	}
	ids, err := image.CreatedOriginals(e.Data(), s.Config.S3Bucket)
	if err != nil {
		return err
	}
	svc := s.Images(image.OptionsFrom(s.Config))
	for _, id := range ids {
		outcome, err := svc.MakeThumbnail(ctx, id, f.Limiter(s.Stack))
		if err != nil {
			return err
		}
		slog.DebugContext(ctx, "thumbnail", "image", id, "outcome", string(outcome))
	}
	return nil
}
