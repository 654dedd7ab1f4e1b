// Package imagetest makes images and multipart uploads for tests, and a
// stack whose bucket is emptied and removed when the test ends.
package imagetest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	goimage "image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/textproto"
	"testing"
	"time"

	"golang.org/x/image/bmp"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// WebP files from golang.org/x/image's testdata (BSD licence): Go has no
// WebP encoder.
var (
	//go:embed testdata/lossless.webp
	webpLossless []byte
	//go:embed testdata/lossy.webp
	webpLossy []byte
)

// WebPLossless is a 2-colour lossless WebP.
func WebPLossless() []byte { return bytes.Clone(webpLossless) }

// WebPLossy is a lossy WebP without alpha.
func WebPLossy() []byte { return bytes.Clone(webpLossy) }

// Picture is a w×h gradient with a red left half, so orientation and
// cropping are visible in tests.
func Picture(w, h int) *goimage.NRGBA {
	img := goimage.NewNRGBA(goimage.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: uint8(x * 255 / max(1, w)), G: uint8(y * 255 / max(1, h)), B: 128, A: 255}
			if x < w/2 {
				c.R = 255
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// PNG encodes a w×h picture.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// JPEG encodes a w×h picture.
func JPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	return EncodeJPEG(t, Picture(w, h), 90)
}

// EncodeJPEG encodes img at quality q.
func EncodeJPEG(t testing.TB, img goimage.Image, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// GIF encodes a w×h two-frame animation.
func GIF(t testing.TB, w, h int) []byte {
	t.Helper()
	pal := color.Palette{color.Black, color.White, color.RGBA{255, 0, 0, 255}}
	frame := func(c uint8) *goimage.Paletted {
		p := goimage.NewPaletted(goimage.Rect(0, 0, w, h), pal)
		for i := range p.Pix {
			p.Pix[i] = c
		}
		return p
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*goimage.Paletted{frame(2), frame(1)}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// BMP encodes a w×h picture.
func BMP(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := bmp.Encode(&buf, Picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// GPSMarker is a string inside the EXIF segment of JPEGWithEXIF.
const GPSMarker = "GPSLatitude=37.5665N;GPSLongitude=126.9780E"

// JPEGWithEXIF is a w×h JPEG carrying an APP1 Exif segment with the given
// Orientation tag and GPSMarker.
func JPEGWithEXIF(t testing.TB, w, h int, orientation uint16) []byte {
	t.Helper()
	jpg := JPEG(t, w, h)
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, binary.BigEndian, uint32(8)) // IFD0 offset
	binary.Write(&tiff, binary.BigEndian, uint16(1)) // one entry
	binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})
	binary.Write(&tiff, binary.BigEndian, uint32(1))
	binary.Write(&tiff, binary.BigEndian, []uint16{orientation, 0})
	binary.Write(&tiff, binary.BigEndian, uint32(0)) // no next IFD
	tiff.WriteString(GPSMarker)
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(jpg[:2]) // SOI
	out.Write([]byte{0xff, 0xe1})
	binary.Write(&out, binary.BigEndian, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(jpg[2:])
	return out.Bytes()
}

// CorruptPNG is a w×h PNG whose header is valid but whose pixel data is
// not: its chunks are intact (lengths and CRCs), the compressed stream
// inside IDAT is garbage, so only a full decode finds out.
func CorruptPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	chunk(&out, "IHDR", ihdr)
	chunk(&out, "IDAT", bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 256))
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

// HugePNG is a PNG whose header claims w×h pixels, followed by a tiny
// IDAT: decoding it would allocate w×h×4 bytes.
func HugePNG(w, h uint32) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	chunk(&out, "IHDR", ihdr)
	chunk(&out, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

func chunk(w *bytes.Buffer, typ string, data []byte) {
	binary.Write(w, binary.BigEndian, uint32(len(data)))
	w.WriteString(typ)
	w.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.Write(w, binary.BigEndian, crc.Sum32())
}

// Multipart is a multipart/form-data body with data in field under
// filename, labelled with contentType; it returns the body and its
// Content-Type.
func Multipart(t testing.TB, field, filename, contentType string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	writePart(t, mw, field, filename, contentType, bytes.NewReader(data))
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &body, mw.FormDataContentType()
}

// StreamMultipart writes a multipart body whose file is n bytes of data
// (repeated) into an io.Pipe as the reader consumes it; it returns the
// reader and the body's Content-Type. Closing the reader stops the writer.
func StreamMultipart(t testing.TB, field string, head []byte, n int64) (*io.PipeReader, string) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		file := io.MultiReader(bytes.NewReader(head), io.LimitReader(zeros{}, n-int64(len(head))))
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="big.png"`)
		h.Set("Content-Type", "image/png")
		part, err := mw.CreatePart(h)
		if err == nil {
			_, err = io.Copy(part, file)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func writePart(t testing.TB, mw *multipart.Writer, field, filename, contentType string, r io.Reader) {
	t.Helper()
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+filename+`"`)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(part, r); err != nil {
		t.Fatal(err)
	}
}

// CountingReader counts the bytes read through it.
type CountingReader struct {
	R io.Reader
	N int64
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += int64(n)
	return n, err
}

// Stack opens a stack with PostgreSQL, the object store and needs, over a
// schema and a bucket of the test's own; the bucket is emptied and removed
// when the test ends.
func Stack(t testing.TB, needs stack.Needs) *stack.Stack {
	t.Helper()
	s := testenv.Stack(t, needs|stack.Postgres|stack.S3)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Store.DeleteBucket(ctx); err != nil {
			t.Errorf("remove test bucket: %v", err)
		}
	})
	return s
}

// Member inserts an active member and returns its id.
func Member(t testing.TB, s *stack.Stack, handle string) int64 {
	t.Helper()
	var id int64
	err := s.DB.QueryRow(context.Background(), `INSERT INTO members (email, password_hash, member_name, handle)
		VALUES ($1, 'x', $2, $2) RETURNING id`, handle+"@example.com", handle).Scan(&id)
	if err != nil {
		t.Fatalf("insert member: %v", err)
	}
	return id
}

// Avatar returns the avatar image id of member ("" for none).
func Avatar(t testing.TB, s *stack.Stack, member int64) string {
	t.Helper()
	var id *string
	if err := s.DB.QueryRow(context.Background(), `SELECT avatar_image_id FROM members WHERE id = $1`, member).Scan(&id); err != nil {
		t.Fatalf("select avatar: %v", err)
	}
	if id == nil {
		return ""
	}
	return *id
}

// Token returns an access token of member, for the Authorization header.
func Token(t testing.TB, s *stack.Stack, member int64) string {
	t.Helper()
	tok, err := fn.AuthService(s).IssueAccess(context.Background(), member, 0)
	if err != nil {
		t.Fatalf("issue access token: %v", err)
	}
	return "Bearer " + tok.Token
}

// Response is a decoded JSON response of the API: the success or the
// failure envelope.
type Response struct {
	Status     int             `json:"status"`
	Result     string          `json:"result"`
	Data       json.RawMessage `json:"data"`
	StatusCode int             `json:"statusCode"`
	Code       string          `json:"code"`
	Message    string          `json:"message"`
}

// Decode decodes a JSON response body.
func Decode(t testing.TB, body []byte) Response {
	t.Helper()
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("response is not JSON: %v: %q", err, body)
	}
	return r
}
