package image

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// Codes of the thumbnailer's input.
const (
	BadNotification = errcode.BadBucketNotification
)

// notification is the part of an S3 event notification (MinIO writes the
// same document as AWS S3 to its Kafka target) the thumbnailer reads.
type notification struct {
	EventName string `json:"EventName"`
	Records   []struct {
		EventName string `json:"eventName"`
		S3        struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key string `json:"key"` // URL-encoded, as S3 sends it
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
}

// CreatedOriginals returns the ids of the image originals a bucket
// notification reports created in bucket, in order, without duplicates.
// Records of other events, buckets or keys are skipped; a document that is
// no S3 event notification is INVALID_BUCKET_NOTIFICATION (400).
func CreatedOriginals(data []byte, bucket string) ([]string, error) {
	var n notification
	if err := json.Unmarshal(data, &n); err != nil {
		return nil, errcode.Wrap(BadNotification, "the event is not an S3 bucket notification", err)
	}
	if n.Records == nil {
		return nil, errcode.New(BadNotification, "the bucket notification has no Records")
	}
	var ids []string
	for _, r := range n.Records {
		if !strings.HasPrefix(r.EventName, "s3:ObjectCreated:") || r.S3.Bucket.Name != bucket {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			continue
		}
		rest, ok := strings.CutPrefix(key, "images/")
		if !ok {
			continue
		}
		raw, ok := strings.CutSuffix(rest, "/original")
		if !ok {
			continue
		}
		id, err := ParseID(raw)
		if err != nil || slices.Contains(ids, id) {
			continue
		}
		ids = append(ids, id)
	}
	return ids, nil
}
