package image_test

import (
	"bytes"
	"context"
	goimage "image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/image"
	"github.com/dailyfeed/dailyfeed/internal/image/imagetest"
	"github.com/dailyfeed/dailyfeed/minio"
)

// The benchmarks below put the same 1 MiB JPEG into the same MinIO: once
// through the whole synchronous upload (sniff, header check, metadata
// stripped without re-encoding, one PutObject, the images row), once as a
// bare PutObject (the floor), and the thumbnail the thumbnail-image
// function makes off the request path. Upload/PutObject is the ratio
// to watch (BENCHMARKS.md): the upload should stay within 2x of the floor.

var photo = sync.OnceValues(func() ([]byte, goimage.Point) {
	// A photo-like picture (gradients plus sensor noise) whose JPEG at
	// quality 90 is just above 1 MiB.
	rng := rand.New(rand.NewPCG(1, 2))
	for side := 400; ; side += 40 {
		w, h := side*4/3, side
		img := goimage.NewRGBA(goimage.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				n := rng.IntN(48)
				img.SetRGBA(x, y, color.RGBA{uint8(x*200/w + n), uint8(y*200/h + n), uint8((x+y)*100/(w+h) + n), 255})
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			panic(err)
		}
		if buf.Len() >= 1<<20 {
			return buf.Bytes(), goimage.Pt(w, h)
		}
	}
})

func BenchmarkUpload1MiBJPEG(b *testing.B) {
	data, size := photo()
	s := imagetest.Stack(b, 0)
	svc := image.NewService(s.DB, s.Store, image.Options{}, s.Now)
	member := imagetest.Member(b, s, "bench")
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := svc.Upload(ctx, member, data, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size.X*size.Y)/1e6, "MP")
}

func BenchmarkPutObject1MiB(b *testing.B) {
	data, _ := photo()
	s := imagetest.Stack(b, 0)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := s.Store.Put(ctx, "bench/"+image.NewID(), data, minio.Object{ContentType: "image/jpeg"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkThumbnail1MiBJPEG(b *testing.B) {
	data, _ := photo()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := image.Thumbnail(data, image.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
