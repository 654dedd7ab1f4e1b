// Package minio is dailyfeed's object store: MinIO (or any S3 API) through
// aws-sdk-go-v2's service/s3, path-style, with static credentials.
package minio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Config addresses a bucket.
type Config struct {
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string
}

// Store is a bucket of the object store.
type Store struct {
	Client *s3.Client
	Bucket string
}

// Open returns a Store for cfg. It does no I/O.
func Open(cfg Config) *Store {
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(cfg.Endpoint),
		Region:       cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		UsePathStyle: true,
		// MinIO does not need the newer default checksums; keeping them
		// "when required" keeps uploads streaming over plain http.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return &Store{Client: client, Bucket: cfg.Bucket}
}

// EnsureBucket creates the bucket if it is missing.
func (s *Store) EnsureBucket(ctx context.Context) error {
	if err := s.Ping(ctx); err == nil {
		return nil
	}
	_, err := s.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("create bucket %s: %w", s.Bucket, err)
	}
	return nil
}

// EnsureNotification makes the bucket send an event of every object
// created under prefix whose key ends in suffix to the notification target
// arn (MinIO: arn:minio:sqs::<ID>:kafka, its Kafka target). It leaves the
// configuration alone when it already has such a rule; any other rule is
// replaced. A server without the target refuses the configuration: that is
// the error returned.
func (s *Store) EnsureNotification(ctx context.Context, arn, prefix, suffix string) error {
	cur, err := s.Client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(s.Bucket)})
	if err == nil {
		for _, q := range cur.QueueConfigurations {
			if aws.ToString(q.QueueArn) == arn && q.Filter != nil && q.Filter.Key != nil && hasRules(q.Filter.Key.FilterRules, prefix, suffix) {
				return nil
			}
		}
	}
	_, err = s.Client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(s.Bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{
			QueueConfigurations: []s3types.QueueConfiguration{{
				Id:       aws.String("dailyfeed-" + suffix),
				QueueArn: aws.String(arn),
				Events:   []s3types.Event{"s3:ObjectCreated:*"},
				Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
					{Name: s3types.FilterRuleNamePrefix, Value: aws.String(prefix)},
					{Name: s3types.FilterRuleNameSuffix, Value: aws.String(suffix)},
				}}},
			}},
		},
	})
	if err != nil {
		return fmt.Errorf("bucket %s: notify %s: %w", s.Bucket, arn, err)
	}
	return nil
}

func hasRules(rules []s3types.FilterRule, prefix, suffix string) bool {
	var p, x bool
	for _, r := range rules {
		switch {
		case strings.EqualFold(string(r.Name), "prefix"):
			p = aws.ToString(r.Value) == prefix
		case strings.EqualFold(string(r.Name), "suffix"):
			x = aws.ToString(r.Value) == suffix
		}
	}
	return p && x
}

// Ping reports whether the bucket answers.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.Client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		return fmt.Errorf("head bucket %s: %w", s.Bucket, err)
	}
	return nil
}

// ErrNotFound is returned for an object that does not exist.
var ErrNotFound = errors.New("object not found")

// Object is one stored object's metadata.
type Object struct {
	ContentType  string
	CacheControl string
	Size         int64
	ETag         string
}

// Put stores body under key. The body is a byte slice so the request is
// seekable: over plain http the SDK signs the payload hash, which needs to
// read the body twice.
func (s *Store) Put(ctx context.Context, key string, body []byte, meta Object) error {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.Bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
	}
	if meta.ContentType != "" {
		in.ContentType = aws.String(meta.ContentType)
	}
	if meta.CacheControl != "" {
		in.CacheControl = aws.String(meta.CacheControl)
	}
	if _, err := s.Client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("put object %s: %w", key, err)
	}
	return nil
}

// Get opens the object at key; the caller closes the body. A missing object
// is ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, Object{}, fmt.Errorf("get object %s: %w", key, notFound(err))
	}
	return out.Body, Object{
		ContentType:  aws.ToString(out.ContentType),
		CacheControl: aws.ToString(out.CacheControl),
		Size:         aws.ToInt64(out.ContentLength),
		ETag:         aws.ToString(out.ETag),
	}, nil
}

// Head returns the metadata of the object at key. A missing object is
// ErrNotFound.
func (s *Store) Head(ctx context.Context, key string) (Object, error) {
	out, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if err != nil {
		return Object{}, fmt.Errorf("head object %s: %w", key, notFound(err))
	}
	return Object{
		ContentType:  aws.ToString(out.ContentType),
		CacheControl: aws.ToString(out.CacheControl),
		Size:         aws.ToInt64(out.ContentLength),
		ETag:         aws.ToString(out.ETag),
	}, nil
}

// maxDeleteKeys is the most keys one DeleteObjects request may name.
const maxDeleteKeys = 1000

// Delete removes the objects at keys. Missing objects are not an error, so
// a retried delete succeeds.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	for len(keys) > 0 {
		batch := keys[:min(len(keys), maxDeleteKeys)]
		keys = keys[len(batch):]
		ids := make([]s3types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = s3types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := s.Client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(s.Bucket),
			Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("delete objects: %w", err)
		}
		var errs []error
		for _, e := range out.Errors {
			if aws.ToString(e.Code) == "NoSuchKey" {
				continue
			}
			errs = append(errs, fmt.Errorf("delete object %s: %s: %s", aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message)))
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

// PresignGet returns a URL that reads the object at key without credentials
// until ttl has passed. The URL points at the configured endpoint, so it is
// only useful to clients that can reach it.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	req, err := s3.NewPresignClient(s.Client).PresignGetObject(ctx,
		&s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", key, err)
	}
	return req.URL, nil
}

// DeleteBucket removes every object of the bucket and then the bucket (test
// cleanup and teardown; never used by functions).
func (s *Store) DeleteBucket(ctx context.Context) error {
	pages := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list objects: %w", notFound(err))
		}
		keys := make([]string, len(page.Contents))
		for i, o := range page.Contents {
			keys[i] = aws.ToString(o.Key)
		}
		if err := s.Delete(ctx, keys...); err != nil {
			return err
		}
	}
	if _, err := s.Client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		return fmt.Errorf("delete bucket %s: %w", s.Bucket, err)
	}
	return nil
}

// notFound turns the S3 API's ways of saying "no such object" (a typed
// NoSuchKey for GET, a bare 404 for HEAD) into ErrNotFound.
func notFound(err error) error {
	var noKey *s3types.NoSuchKey
	var missing *s3types.NotFound
	var resp *smithyhttp.ResponseError
	if errors.As(err, &noKey) || errors.As(err, &missing) ||
		(errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusNotFound) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}
