package image_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	goimage "image"
	_ "image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
)

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want image.Format
	}{
		{"jpeg", imagetest.JPEG(t, 4, 4), image.JPEG},
		{"png", imagetest.PNG(t, 4, 4), image.PNG},
		{"gif", imagetest.GIF(t, 4, 4), image.GIF},
		{"bmp", imagetest.BMP(t, 4, 4), image.BMP},
		{"webp lossless", imagetest.WebPLossless(), image.WebP},
		{"webp lossy", imagetest.WebPLossy(), image.WebP},
		{"text", []byte("hello, this is not an image at all"), ""},
		{"text starting with BM", []byte("BMW is a car maker, not a bitmap"), ""},
		{"empty", nil, ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := image.Sniff(tc.data)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("Sniff = %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

func TestInspectAndThumbnailEveryFormat(t *testing.T) {
	for _, tc := range []struct {
		name      string
		data      []byte
		wantType  string
		wantW     int
		wantH     int
		wantThumb string
	}{
		{"jpeg", imagetest.JPEG(t, 300, 200), "image/jpeg", 300, 200, "image/jpeg"},
		{"png", imagetest.PNG(t, 120, 80), "image/png", 120, 80, "image/png"},
		{"gif first frame", imagetest.GIF(t, 40, 30), "image/gif", 40, 30, "image/png"},
		{"bmp", imagetest.BMP(t, 33, 17), "image/bmp", 33, 17, "image/png"},
		{"webp lossless", imagetest.WebPLossless(), "image/webp", 0, 0, "image/png"},
		{"webp lossy", imagetest.WebPLossy(), "image/webp", 0, 0, "image/jpeg"},
		{"tiny", imagetest.PNG(t, 1, 1), "image/png", 1, 1, "image/png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := image.Inspect(tc.data, image.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if in.ContentType != tc.wantType {
				t.Errorf("type = %s, want %s", in.ContentType, tc.wantType)
			}
			if tc.wantW != 0 && (in.Width != tc.wantW || in.Height != tc.wantH) {
				t.Errorf("size = %dx%d, want %dx%d", in.Width, in.Height, tc.wantW, tc.wantH)
			}
			// The stripped original still decodes to the same picture size.
			cfg, _, err := goimage.DecodeConfig(bytes.NewReader(in.Data))
			if err != nil || cfg.Width != in.Width || cfg.Height != in.Height {
				t.Errorf("stripped original: %+v, %v", cfg, err)
			}
			thumb, err := image.Thumbnail(in.Data, image.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if thumb.ContentType != tc.wantThumb {
				t.Errorf("thumbnail type %s, want %s", thumb.ContentType, tc.wantThumb)
			}
			if got := decode(t, thumb.Data, tc.wantThumb).Bounds().Size(); got != goimage.Pt(150, 150) {
				t.Errorf("thumbnail is %v, want 150x150", got)
			}
		})
	}
}

func decode(t *testing.T, data []byte, contentType string) goimage.Image {
	t.Helper()
	var img goimage.Image
	var err error
	switch contentType {
	case "image/jpeg":
		img, err = jpeg.Decode(bytes.NewReader(data))
	case "image/png":
		img, err = png.Decode(bytes.NewReader(data))
	default:
		t.Fatalf("unexpected content type %s", contentType)
	}
	if err != nil {
		t.Fatalf("decode %s: %v", contentType, err)
	}
	return img
}

func TestThumbnailIsCentreCrop(t *testing.T) {
	// A 300×100 picture whose left half is red: the centred 100×100 square
	// spans x 100–200, so the thumbnail's left half is red and right is not.
	p, err := image.Thumbnail(imagetest.PNG(t, 300, 100), image.Options{})
	if err != nil {
		t.Fatal(err)
	}
	thumb := decode(t, p.Data, "image/png")
	r, _, _, _ := thumb.At(20, 75).RGBA()
	if r>>8 < 250 {
		t.Errorf("left of thumbnail has red %d, want 255", r>>8)
	}
	r, _, _, _ = thumb.At(130, 75).RGBA()
	if r>>8 > 200 {
		t.Errorf("right of thumbnail has red %d, want the gradient (≈150)", r>>8)
	}
}

func TestInspectRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		opts image.Options
		want errcode.Code
	}{
		{"text", []byte("just some text, named photo.png by the client"), image.Options{}, errcode.UnsupportedMedia},
		// Decoding would allocate 40 GB: the header alone rejects it.
		{"png claiming 100000x100000", imagetest.HugePNG(100_000, 100_000), image.Options{}, image.TooManyPixels},
		{"png above the pixel limit", imagetest.PNG(t, 101, 100), image.Options{MaxPixels: 10_000}, image.TooManyPixels},
		{"truncated png", imagetest.PNG(t, 50, 50)[:60], image.Options{}, image.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := image.Inspect(tc.data, tc.opts)
			if got := errcode.Of(err); got != tc.want {
				t.Fatalf("error %v (code %s), want %s", err, got, tc.want)
			}
		})
	}
	if got := errcode.HTTPStatus(errcode.New(image.TooManyPixels, "")); got != http.StatusRequestEntityTooLarge {
		t.Errorf("TooManyPixels is %d, want 413", got)
	}
}

func TestThumbnailRejectsACorruptBody(t *testing.T) {
	for name, data := range map[string][]byte{
		"corrupt png":  imagetest.CorruptPNG(t, 300, 300),
		"corrupt jpeg": append(imagetest.JPEG(t, 50, 50)[:200], bytes.Repeat([]byte{0}, 100)...),
	} {
		if _, err := image.Inspect(data, image.Options{}); err != nil && name == "corrupt png" {
			t.Errorf("%s: the header is valid, Inspect says %v", name, err)
		}
		if _, err := image.Thumbnail(data, image.Options{}); errcode.Of(err) != image.Invalid {
			t.Errorf("%s: Thumbnail error %v, want %s", name, err, image.Invalid)
		}
	}
}

func TestInspectStripsEXIFKeepingOrientation(t *testing.T) {
	for _, o := range []uint16{1, 6} {
		in := imagetest.JPEGWithEXIF(t, 64, 48, o)
		if !bytes.Contains(in, []byte(imagetest.GPSMarker)) {
			t.Fatal("fixture carries no GPS marker")
		}
		p, err := image.Inspect(in, image.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(p.Data, []byte("GPS")) {
			t.Errorf("orientation %d: the original still carries GPS", o)
		}
		if hasSegment(p.Data, 0xe1) != (o != 1) {
			t.Errorf("orientation %d: APP1 present = %v", o, hasSegment(p.Data, 0xe1))
		}
		// The coded picture is untouched: everything from the scan on.
		sos := bytes.Index(in, []byte{0xff, 0xda})
		if !bytes.HasSuffix(p.Data, in[sos:]) {
			t.Errorf("orientation %d: the picture data was re-encoded", o)
		}
	}
}

func TestStripPNGAndWebPAndGIFMetadata(t *testing.T) {
	src := imagetest.PNG(t, 20, 10)
	withText := append(bytes.Clone(src[:33]), pngChunk("tEXt", []byte("GPS\x00secret"))...)
	withText = append(withText, src[33:]...)
	out, err := image.Strip(image.PNG, withText)
	if err != nil || bytes.Contains(out, []byte("secret")) || !bytes.Equal(out, src) {
		t.Errorf("png: %v, text left: %v", err, bytes.Contains(out, []byte("secret")))
	}
	if _, err := png.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("stripped png does not decode: %v", err)
	}
	for _, f := range []image.Format{image.WebP, image.GIF} {
		data := imagetest.WebPLossless()
		if f == image.GIF {
			data = imagetest.GIF(t, 8, 8)
		}
		out, err := image.Strip(f, data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if _, _, err := goimage.Decode(bytes.NewReader(out)); err != nil && f == image.GIF {
			t.Errorf("%s: stripped file does not decode: %v", f, err)
		}
	}
}

func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// hasSegment reports whether a JPEG has a marker segment before its scan.
func hasSegment(jpg []byte, marker byte) bool {
	for p := 2; p+4 <= len(jpg) && jpg[p] == 0xff; {
		m := jpg[p+1]
		if m == marker {
			return true
		}
		if m == 0xda {
			return false
		}
		p += 2 + int(jpg[p+2])<<8 | int(jpg[p+3])
	}
	return false
}

func TestThumbnailAppliesEXIFOrientation(t *testing.T) {
	for _, tc := range []struct {
		orientation uint16
		redAt       goimage.Point // a pixel of the red half after turning
	}{
		{1, goimage.Pt(5, 75)},
		{3, goimage.Pt(145, 75)}, // turned 180°: red on the right
		{6, goimage.Pt(75, 5)},   // turned clockwise: red on top
		{8, goimage.Pt(75, 145)}, // turned counter-clockwise: red at the bottom
	} {
		in, err := image.Inspect(imagetest.JPEGWithEXIF(t, 160, 160, tc.orientation), image.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := image.Thumbnail(in.Data, image.Options{})
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, p.Data, "image/jpeg")
		r, g, _, _ := img.At(tc.redAt.X, tc.redAt.Y).RGBA()
		if r>>8 < 230 {
			t.Errorf("orientation %d: pixel %v is %d/%d red/green, want red", tc.orientation, tc.redAt, r>>8, g>>8)
		}
	}
}

func uploadRequest(t *testing.T, body io.Reader, contentType string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/api/images/upload", body)
	r.Header.Set("Content-Type", contentType)
	return r
}

func TestReadUpload(t *testing.T) {
	const max = 10 << 20
	pngHead := imagetest.PNG(t, 2, 2)
	exactly := append(bytes.Clone(pngHead), make([]byte, max-len(pngHead))...)

	for _, tc := range []struct {
		name        string
		field, ct   string
		data        []byte
		want        errcode.Code // "" for success
		contentType string
	}{
		{name: "png named .jpg", field: "image", ct: "image/jpeg", data: pngHead},
		{name: "exactly the limit", field: "image", ct: "image/png", data: exactly},
		{name: "limit plus one byte", field: "image", ct: "image/png", data: append(bytes.Clone(exactly), 0), want: errcode.PayloadTooLarge},
		{name: "text named .png", field: "image", ct: "image/png", data: []byte("not an image, just text"), want: errcode.UnsupportedMedia},
		{name: "wrong field", field: "file", ct: "image/png", data: pngHead, want: image.FieldMissing},
		{name: "not multipart", data: pngHead, contentType: "image/png", want: errcode.UnsupportedMedia},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r *http.Request
			if tc.contentType != "" {
				r = uploadRequest(t, bytes.NewReader(tc.data), tc.contentType)
			} else {
				body, ct := imagetest.Multipart(t, tc.field, "photo.jpg", tc.ct, tc.data)
				r = uploadRequest(t, body, ct)
			}
			got, err := image.ReadUpload(httptest.NewRecorder(), r, max)
			if errcode.Of(err) != tc.want && !(err == nil && tc.want == "") {
				t.Fatalf("err = %v, want code %q", err, tc.want)
			}
			if err == nil && !bytes.Equal(got, tc.data) {
				t.Errorf("read %d bytes, want the %d uploaded", len(got), len(tc.data))
			}
		})
	}
}

// TestReadUploadStopsAtTheLimit streams a 50 MiB file and checks that
// ReadUpload gave up after reading about the limit: it cannot have held
// more than that.
func TestReadUploadStopsAtTheLimit(t *testing.T) {
	const max = 10 << 20
	pr, ct := imagetest.StreamMultipart(t, "image", imagetest.PNG(t, 2, 2), 50<<20)
	defer pr.Close()
	counter := &imagetest.CountingReader{R: pr}
	r := uploadRequest(t, counter, ct)
	r.ContentLength = -1 // chunked: no size hint
	_, err := image.ReadUpload(httptest.NewRecorder(), r, max)
	if !errcode.Is(err, errcode.PayloadTooLarge) {
		t.Fatalf("err = %v, want PAYLOAD_TOO_LARGE", err)
	}
	if slack := int64(64 << 10); counter.N > max+slack {
		t.Errorf("read %d bytes of a 50 MiB upload; want at most the limit %d + %d", counter.N, max, slack)
	}
}

// TestReadUploadRejectsTextEarly checks that a non-image is refused from
// its first bytes, without reading the rest.
func TestReadUploadRejectsTextEarly(t *testing.T) {
	pr, ct := imagetest.StreamMultipart(t, "image", []byte(strings.Repeat("text ", 10)), 50<<20)
	defer pr.Close()
	counter := &imagetest.CountingReader{R: pr}
	_, err := image.ReadUpload(httptest.NewRecorder(), uploadRequest(t, counter, ct), 10<<20)
	if !errcode.Is(err, errcode.UnsupportedMedia) {
		t.Fatalf("err = %v, want UNSUPPORTED_MEDIA_TYPE", err)
	}
	if counter.N > 1<<20 {
		t.Errorf("read %d bytes before refusing a text file", counter.N)
	}
}

func TestIDs(t *testing.T) {
	id := image.NewID()
	if got, err := image.ParseID(id); err != nil || got != id {
		t.Fatalf("ParseID(%q) = %q, %v", id, got, err)
	}
	for _, bad := range []string{"", "..", "../../etc/passwd", id + "x", id[:21], id[:20] + "/.", id[:21] + "=", id[:21] + "%", "images/" + id} {
		if _, err := image.ParseID(bad); !errcode.Is(err, image.InvalidImageID) {
			t.Errorf("ParseID(%q) = %v, want INVALID_IMAGE_ID", bad, err)
		}
	}
	for _, in := range []string{id, "/api/images/view/" + id, "/api/images/view/" + id + "?thumbnail=true", "http://localhost:8080/api/images/view/" + id, " " + id + " "} {
		if got, err := image.IDFromURL(in); err != nil || got != id {
			t.Errorf("IDFromURL(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"/api/images/view/" + id + "/..", "/api/posts/" + id, "/api/images/view/../" + id, "nope"} {
		if _, err := image.IDFromURL(bad); err == nil {
			t.Errorf("IDFromURL(%q) accepted", bad)
		}
	}
}
