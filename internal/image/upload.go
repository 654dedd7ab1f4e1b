package image

import (
	"errors"
	"io"
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// FieldName is the multipart field that carries the file.
const FieldName = "image"

// errTooLarge marks a file above the limit while it is read.
var errTooLarge = errors.New("image too large")

// chunkedStart is the first buffer of a body of unknown length.
const chunkedStart = 256 << 10

// multipartSlack is what a request may hold beyond the file: part headers,
// boundaries and small fields.
const multipartSlack = 64 << 10

// ReadUpload reads the file of the multipart field "image" of r as a stream:
// its buffer never grows past maxBytes+1 bytes, and it stops reading as soon
// as the file is above maxBytes (413) or its first bytes are not an accepted
// format (415). The whole body is bounded too (other fields, boundaries).
// The filename and the part's Content-Type are ignored.
func ReadUpload(w http.ResponseWriter, r *http.Request, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultOptions.MaxBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes+multipartSlack)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errcode.New(errcode.UnsupportedMedia, "request must be multipart/form-data with a field \"image\"")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errcode.New(FieldMissing, "multipart field \"image\" is required")
		}
		if err != nil {
			return nil, readError(err, maxBytes)
		}
		if part.FormName() != FieldName {
			continue // NextPart discards the rest of this part
		}
		// A declared length sizes the buffer at once (bounded by the
		// limit); a chunked body starts small and doubles.
		hint := r.ContentLength
		if hint < 0 {
			hint = chunkedStart
		}
		hint = min(hint, maxBytes+1)
		data, err := readFile(part, maxBytes, int(hint))
		if err != nil {
			return nil, readError(err, maxBytes)
		}
		return data, nil
	}
}

// readFile reads r up to maxBytes bytes. The buffer starts at sizeHint and
// never grows beyond maxBytes+1, so an oversized file costs at most that.
func readFile(r io.Reader, maxBytes int64, sizeHint int) ([]byte, error) {
	limit := int(maxBytes) + 1
	buf := make([]byte, 0, max(min(sizeHint, limit), 512))
	sniffed := false
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= limit {
				return nil, errTooLarge
			}
			grown := make([]byte, len(buf), min(2*cap(buf), limit))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > int(maxBytes) {
			return nil, errTooLarge
		}
		if !sniffed && (len(buf) >= sniffLen || err != nil) {
			if _, ok := Sniff(buf); !ok {
				return nil, errcode.New(errcode.UnsupportedMedia, "image must be JPEG, PNG, GIF, WebP or BMP")
			}
			sniffed = true
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func readError(err error, maxBytes int64) error {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.Is(err, errTooLarge), errors.As(err, &tooLarge):
		return errcode.Errorf(errcode.PayloadTooLarge, "image must be at most %d bytes", maxBytes)
	case errcode.Of(err) != errcode.Internal:
		return err
	default:
		return errcode.Wrap(errcode.ValidationFailed, "request is not valid multipart/form-data", err)
	}
}
