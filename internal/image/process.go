package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	goimage "image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// Format is an accepted upload format.
type Format string

const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	GIF  Format = "gif"
	WebP Format = "webp"
	BMP  Format = "bmp"
)

// sniffLen is how many leading bytes Sniff needs to decide.
const sniffLen = 18

// Sniff recognises an accepted format from the first bytes of a file,
// whatever the file's name or the client's Content-Type say.
func Sniff(head []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return JPEG, true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, true
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return GIF, true
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return WebP, true
	case len(head) >= 18 && string(head[:2]) == "BM" && bmpHeaderSize(head[14:18]):
		// "BM" alone is too weak (a text file may start with it): also
		// require one of the known DIB header sizes.
		return BMP, true
	}
	return "", false
}

func bmpHeaderSize(b []byte) bool {
	switch uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24 {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

type codec struct {
	decodeConfig func(io.Reader) (goimage.Config, error)
	decode       func(io.Reader) (goimage.Image, error)
}

var codecs = map[Format]codec{
	JPEG: {jpeg.DecodeConfig, jpeg.Decode},
	PNG:  {png.DecodeConfig, png.Decode},
	GIF:  {gif.DecodeConfig, gif.Decode}, // gif.Decode stops after the first frame
	WebP: {webp.DecodeConfig, webp.Decode},
	BMP:  {bmp.DecodeConfig, bmp.Decode},
}

// ContentType is the media type of an original of format f.
func (f Format) ContentType() string { return "image/" + string(f) }

// Rendition is one encoded picture: the stored original or its thumbnail.
type Rendition struct {
	Data        []byte
	ContentType string
	Width       int
	Height      int
	SHA256      string // hex, of Data
}

// Inspected is an upload made safe to store, found out without decoding a
// pixel: what the request does synchronously.
type Inspected struct {
	Format Format
	Rendition
}

// Inspect checks an uploaded file the way the request must before storing
// it, without decoding its picture: the format by magic bytes (415
// otherwise), the dimensions from the header only (400 when unreadable,
// 413 IMAGE_TOO_LARGE_DIMENSIONS above MaxPixels), and it strips the
// metadata (EXIF, GPS, XMP, IPTC, text chunks, comments) without
// re-encoding (Strip). Its cost is a scan of the bytes, whatever the
// dimensions.
func Inspect(data []byte, opts Options) (*Inspected, error) {
	opts = opts.withDefaults()
	format, cfg, err := header(data, opts)
	if err != nil {
		return nil, err
	}
	stripped, err := Strip(format, data)
	if err != nil {
		return nil, errcode.Wrap(Invalid, fmt.Sprintf("image is not a readable %s", format), err)
	}
	sum := sha256.Sum256(stripped)
	return &Inspected{Format: format, Rendition: Rendition{
		Data: stripped, ContentType: format.ContentType(),
		Width: cfg.Width, Height: cfg.Height, SHA256: hex.EncodeToString(sum[:]),
	}}, nil
}

// header sniffs data and reads its dimensions from the header, refusing
// more than MaxPixels.
func header(data []byte, opts Options) (Format, goimage.Config, error) {
	format, ok := Sniff(data)
	if !ok {
		return "", goimage.Config{}, errcode.New(errcode.UnsupportedMedia, "image must be JPEG, PNG, GIF, WebP or BMP")
	}
	cfg, err := codecs[format].decodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", goimage.Config{}, errcode.Wrap(Invalid, fmt.Sprintf("image is not a readable %s", format), err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return "", goimage.Config{}, errcode.New(Invalid, "image has no pixels")
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > opts.MaxPixels {
		return "", goimage.Config{}, errcode.Errorf(TooManyPixels, "image is %d×%d pixels; at most %d pixels are accepted", cfg.Width, cfg.Height, opts.MaxPixels)
	}
	return format, cfg, nil
}

// Thumbnail decodes a stored original and makes its ThumbSide×ThumbSide
// centre-cropped thumbnail, upright (EXIF orientation applied). This is
// the expensive part (a decode is proportional to the pixels: seconds for
// the largest accepted image), done off the request path by the
// thumbnail-image function under a per-process bound (Limiter).
//
// Output formats: JPEG stays JPEG; a lossy WebP without alpha becomes
// JPEG; PNG, GIF (first frame), BMP and other WebP become PNG (Go has no
// WebP encoder; PNG keeps transparency and palettes losslessly).
func Thumbnail(data []byte, opts Options) (Rendition, error) {
	opts = opts.withDefaults()
	format, _, err := header(data, opts)
	if err != nil {
		return Rendition{}, err
	}
	src, err := codecs[format].decode(bytes.NewReader(data))
	if err != nil {
		return Rendition{}, errcode.Wrap(Invalid, fmt.Sprintf("image is not a readable %s", format), err)
	}
	if b := src.Bounds(); int64(b.Dx())*int64(b.Dy()) > opts.MaxPixels {
		return Rendition{}, errcode.Errorf(TooManyPixels, "image is %d×%d pixels; at most %d pixels are accepted", b.Dx(), b.Dy(), opts.MaxPixels)
	}
	out := PNG
	switch _, ycbcr := src.(*goimage.YCbCr); {
	case format == JPEG, format == WebP && ycbcr:
		out = JPEG
	}
	img := fit(src, opts.MaxSide)
	if format == JPEG {
		img = orient(img, exifOrientation(data))
	}
	return encode(thumbnail(img, opts.ThumbSide), out, opts)
}

// fit scales img down so its longest side is at most side, keeping its
// aspect ratio. Smaller images are returned as they are.
func fit(img goimage.Image, side int) goimage.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		w, h = side, max(1, int(int64(h)*int64(side)/int64(w)))
	} else {
		w, h = max(1, int(int64(w)*int64(side)/int64(h))), side
	}
	dst := goimage.NewRGBA(goimage.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// thumbnail crops the centred largest square of img and scales it to
// side×side.
func thumbnail(img goimage.Image, side int) goimage.Image {
	b := img.Bounds()
	sq := min(b.Dx(), b.Dy())
	x0 := b.Min.X + (b.Dx()-sq)/2
	y0 := b.Min.Y + (b.Dy()-sq)/2
	dst := goimage.NewRGBA(goimage.Rect(0, 0, side, side))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, goimage.Rect(x0, y0, x0+sq, y0+sq), draw.Src, nil)
	return dst
}

func encode(img goimage.Image, f Format, opts Options) (Rendition, error) {
	var buf bytes.Buffer
	var err error
	ct := "image/png"
	if f == JPEG {
		ct = "image/jpeg"
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: opts.JPEGQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, img)
	}
	if err != nil {
		return Rendition{}, errcode.Wrap(errcode.Internal, "encode image", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	b := img.Bounds()
	return Rendition{Data: buf.Bytes(), ContentType: ct, Width: b.Dx(), Height: b.Dy(), SHA256: hex.EncodeToString(sum[:])}, nil
}
