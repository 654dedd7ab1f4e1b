package image

import (
	"bytes"
	goimage "image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

func seedImages(f *testing.F) [][]byte {
	f.Helper()
	img := goimage.NewNRGBA(goimage.Rect(0, 0, 5, 3))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var p, j, g bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		f.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		f.Fatal(err)
	}
	pal := goimage.NewPaletted(goimage.Rect(0, 0, 2, 2), color.Palette{color.Black, color.White})
	if err := gif.Encode(&g, pal, nil); err != nil {
		f.Fatal(err)
	}
	// A BMP header of a 2×1 24-bit image.
	bmp := []byte("BM\x3e\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x01\x00\x18\x00\x00\x00\x00\x00\x08\x00\x00\x00\x13\x0b\x00\x00\x13\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\x00\x00\x00\xff\x00\x00\x00")
	// A JPEG with an APP1 Exif segment (big-endian TIFF, orientation 6).
	exif := []byte("\xff\xd8\xff\xe1\x00\x22Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	exif = append(exif, j.Bytes()[2:]...)
	return [][]byte{p.Bytes(), j.Bytes(), g.Bytes(), bmp, exif, []byte("RIFF\x00\x00\x00\x00WEBPVP8L"), []byte("GIF89a"), []byte("BM"), []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\xff\xff\xff\xff\xff\xff\xff\xff\x08\x06\x00\x00\x00")}
}

// FuzzSniff: the format is decided by the first sniffLen bytes alone, and
// bytes after them never change it.
func FuzzSniff(f *testing.F) {
	for _, s := range seedImages(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		format, ok := Sniff(head)
		if len(head) >= sniffLen {
			if f2, ok2 := Sniff(head[:sniffLen]); f2 != format || ok2 != ok {
				t.Fatalf("%q: %s, %v but its first %d bytes sniff as %s, %v", head, format, ok, sniffLen, f2, ok2)
			}
		}
		if f2, ok2 := Sniff(append(bytes.Clone(head), "trailing bytes of any kind"...)); ok && (f2 != format || !ok2) {
			t.Fatalf("%q: %s, but %s with more bytes", head, format, f2)
		}
		if ok && codecs[format].decodeConfig == nil {
			t.Fatalf("%q: sniffed %s, which has no codec", head, format)
		}
	})
}

// FuzzProcess runs what the upload request does (Inspect: the header,
// the dimensions, metadata stripped) and what the thumbnailer does
// (Thumbnail) on any bytes: a coded 4xx (415 not an image, 400
// unreadable, 413 too many pixels), or a stored original that sniffs as
// what it claims, keeps its dimensions, inspects again to itself, and a
// thumbnail within bounds.
func FuzzProcess(f *testing.F) {
	for _, s := range seedImages(f) {
		f.Add(s)
	}
	opts := Options{MaxPixels: 1 << 14, MaxSide: 32, ThumbSide: 8}
	coded4xx := func(t *testing.T, data []byte, err error) {
		switch s := errcode.HTTPStatus(err); {
		case errcode.Of(err) == errcode.Internal, s != http.StatusBadRequest && s != http.StatusRequestEntityTooLarge && s != http.StatusUnsupportedMediaType:
			t.Fatalf("%q: %v (status %d), want a coded 400, 413 or 415", data, err, s)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Inspect(data, opts)
		if err != nil {
			coded4xx(t, data, err)
			return
		}
		if format, ok := Sniff(in.Data); !ok || format != in.Format || in.ContentType != in.Format.ContentType() {
			t.Fatalf("%q: stored as %s (%s) but sniffs as %s, %v", data, in.Format, in.ContentType, format, ok)
		}
		again, err := Inspect(in.Data, opts)
		if err != nil {
			t.Fatalf("%q: the stored original does not inspect again: %v", data, err)
		}
		if again.Width != in.Width || again.Height != in.Height || !bytes.Equal(again.Data, in.Data) {
			t.Fatalf("%q: stripping is not idempotent or changes the dimensions (%d×%d, then %d×%d)", data, in.Width, in.Height, again.Width, again.Height)
		}
		th, err := Thumbnail(in.Data, opts)
		if err != nil {
			coded4xx(t, data, err) // a valid header over a corrupt body: the thumbnailer removes it
			return
		}
		if format, ok := Sniff(th.Data); !ok || th.ContentType != "image/"+string(format) {
			t.Fatalf("%q: thumbnail is %s but sniffs as %s, %v", data, th.ContentType, format, ok)
		}
		if th.Width <= 0 || th.Height <= 0 || th.Width > opts.ThumbSide || th.Height > opts.ThumbSide {
			t.Fatalf("%q: thumbnail is %d×%d", data, th.Width, th.Height)
		}
	})
}

// FuzzEXIFOrientation: any APP1 segment gives one of the eight EXIF
// orientations.
func FuzzEXIFOrientation(f *testing.F) {
	for _, s := range seedImages(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, jpg []byte) {
		if o := exifOrientation(jpg); o < 1 || o > 8 {
			t.Fatalf("%q: orientation %d", jpg, o)
		}
	})
}

// FuzzImageID: what clients send as an image (a bare id, a view path, a
// URL) is a canonical id that reads back as itself, or a 400.
func FuzzImageID(f *testing.F) {
	id := NewID()
	for _, s := range []string{id, ViewPath(id), "https://x.example" + ViewPath(id) + "?thumbnail=true", "/api/images/view/../" + id, id + "=", "/api/images/view/" + id + "/x", "", "%2F", " " + id + " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := IDFromURL(raw)
		if err != nil {
			if errcode.Of(err) != InvalidImageID {
				t.Fatalf("%q: %v, want INVALID_IMAGE_ID", raw, err)
			}
			return
		}
		if again, err := ParseID(got); err != nil || again != got {
			t.Fatalf("%q: id %q does not parse again: %v", raw, got, err)
		}
		if again, err := IDFromURL(ViewPath(got)); err != nil || again != got {
			t.Fatalf("%q: %q reads back as %q, %v", raw, ViewPath(got), again, err)
		}
	})
}
