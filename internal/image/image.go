// Package image is dailyfeed's image handling: reading an upload as a
// bounded stream, recognising its type by magic bytes, refusing
// decompression bombs, re-encoding (which drops EXIF and GPS metadata),
// fitting and thumbnailing, and keeping the bytes in the object store and
// the record in the images table.
//
// The standard library's image package is imported as goimage wherever this
// one is also used.
package image

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// Codes of images (declared with their status in errcode).
const (
	NotFound          = errcode.ImageNotFound
	Invalid           = errcode.InvalidImage
	TooManyPixels     = errcode.ImageTooManyPixels
	FieldMissing      = errcode.ImageFieldMissing
	InvalidImageID    = errcode.InvalidImageID
	TooManyImageUrls  = errcode.TooManyImageURLs
	ImageUrlsRequired = errcode.ImageURLsRequired
	Removed           = errcode.ImageRemoved
	DecoderBusy       = errcode.ImageDecoderBusy
)

// Options bound and shape what images accept and produce. The zero value of
// a field means its default (DefaultOptions).
type Options struct {
	// MaxBytes bounds the uploaded file; above it the upload is 413.
	MaxBytes int64
	// MaxPixels bounds width×height, read from the header before decoding
	// (a 10 MiB PNG can claim 100000×100000 pixels: 40 GB decoded).
	MaxPixels int64
	// MaxSide is the longest side of the stored image; larger ones are
	// scaled down.
	MaxSide int
	// ThumbSide is the side of the square, centre-cropped thumbnail.
	ThumbSide int
	// JPEGQuality is the quality of re-encoded JPEGs.
	JPEGQuality int
	// Redirect makes view-image answer 302 to a presigned URL of the object
	// store instead of serving the bytes. Only useful when clients can
	// reach the store's endpoint.
	Redirect bool
	// PresignTTL is how long a presigned URL is valid.
	PresignTTL time.Duration
	// DecodeConcurrency bounds the decodes one process runs at once
	// (Limiter); DecodeWait is how long a decode past it waits for a slot
	// before it is refused with 429.
	DecodeConcurrency int
	DecodeWait        time.Duration
}

// DefaultOptions are the options every function uses.
var DefaultOptions = Options{
	MaxBytes:    10 << 20,
	MaxPixels:   40_000_000,
	MaxSide:     2048,
	ThumbSide:   150,
	JPEGQuality: 85,
	PresignTTL:  5 * time.Minute,

	DecodeConcurrency: 1,
	DecodeWait:        2 * time.Second,
}

// OptionsFrom returns the options of cfg's settings (IMAGE_MAX_PIXELS,
// IMAGE_DECODE_CONCURRENCY, IMAGE_DECODE_WAIT), defaults for the rest.
func OptionsFrom(cfg config.Config) Options {
	return Options{
		MaxPixels:         cfg.ImageMaxPixels,
		DecodeConcurrency: cfg.ImageDecodeConcurrency,
		DecodeWait:        cfg.ImageDecodeWait,
	}.withDefaults()
}

// withDefaults fills the zero fields of o from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions
	if o.MaxBytes > 0 {
		d.MaxBytes = o.MaxBytes
	}
	if o.MaxPixels > 0 {
		d.MaxPixels = o.MaxPixels
	}
	if o.MaxSide > 0 {
		d.MaxSide = o.MaxSide
	}
	if o.ThumbSide > 0 {
		d.ThumbSide = o.ThumbSide
	}
	if o.JPEGQuality > 0 {
		d.JPEGQuality = o.JPEGQuality
	}
	if o.PresignTTL > 0 {
		d.PresignTTL = o.PresignTTL
	}
	if o.DecodeConcurrency > 0 {
		d.DecodeConcurrency = o.DecodeConcurrency
	}
	if o.DecodeWait > 0 {
		d.DecodeWait = o.DecodeWait
	}
	d.Redirect = o.Redirect
	return d
}

// CacheControl is the Cache-Control of image bytes: an image id always
// names the same bytes, so they never change.
const CacheControl = "public, max-age=31536000, immutable"

// ViewPath is the path that serves the image id (a profile's avatarUrl).
func ViewPath(id string) string { return "/api/images/view/" + id }

// idBytes is the entropy of an image id: ids are unguessable, which is what
// keeps images private to those given the URL (view-image is public because
// <img src> cannot send a bearer token).
const idBytes = 16

// idLen is the length of an image id: idBytes in unpadded base64url.
var idLen = base64.RawURLEncoding.EncodedLen(idBytes)

// NewID returns a random image id: 22 url-safe characters.
func NewID() string {
	b := make([]byte, idBytes)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseID checks that raw is an image id in its canonical form, so that no
// other string (a path, "..", an encoded slash) ever reaches a key.
func ParseID(raw string) (string, error) {
	if len(raw) != idLen {
		return "", errcode.New(InvalidImageID, "image id is malformed")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(raw)
	if err != nil || len(b) != idBytes {
		return "", errcode.New(InvalidImageID, "image id is malformed")
	}
	return raw, nil
}

// IDFromURL reads an image id from what clients hold: a bare id, the view
// path "/api/images/view/{id}", or an absolute URL of it (a query such as
// ?thumbnail=true is ignored).
func IDFromURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "/") {
		return ParseID(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errcode.Errorf(InvalidImageID, "%q is not an image URL", raw)
	}
	rest, ok := strings.CutPrefix(u.Path, "/api/images/view/")
	if !ok {
		return "", errcode.Errorf(InvalidImageID, "%q is not an image URL", raw)
	}
	id, err := ParseID(rest)
	if err != nil {
		return "", errcode.Errorf(InvalidImageID, "%q is not an image URL", raw)
	}
	return id, nil
}
