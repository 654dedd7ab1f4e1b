package image

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// errMalformed is a container structure (JPEG segments, PNG chunks, RIFF
// chunks, GIF blocks) that cannot be walked.
var errMalformed = errors.New("malformed container")

// Strip returns data without its metadata, leaving the coded picture
// byte for byte as it was (no decoding, no re-encoding):
//
//   - JPEG: APP1 (EXIF, GPS, XMP), APP13 (Photoshop IRB, IPTC) and COM
//     segments are dropped. An EXIF Orientation other than 1 is kept as a
//     minimal APP1 holding that one tag and nothing else, so the picture
//     still displays upright. ICC profiles (APP2) stay.
//   - PNG: tEXt, zTXt, iTXt, eXIf and tIME chunks are dropped.
//   - WebP: the EXIF and XMP chunks are dropped and VP8X's flags cleared.
//   - GIF: comment extensions and XMP application extensions are dropped.
//   - BMP carries no metadata and is returned as it is.
//
// It fails (errMalformed) when the structure cannot be walked.
func Strip(f Format, data []byte) ([]byte, error) {
	switch f {
	case JPEG:
		return stripJPEG(data)
	case PNG:
		return stripPNG(data)
	case WebP:
		return stripWebP(data)
	case GIF:
		return stripGIF(data)
	}
	return data, nil
}

func stripJPEG(jpg []byte) ([]byte, error) {
	if len(jpg) < 4 || jpg[0] != 0xff || jpg[1] != 0xd8 {
		return nil, errMalformed
	}
	out := make([]byte, 0, len(jpg))
	out = append(out, jpg[:2]...)
	orientation := exifOrientation(jpg)
	p := 2
	for {
		if p+2 > len(jpg) || jpg[p] != 0xff {
			return nil, errMalformed
		}
		marker := jpg[p+1]
		if marker == 0xff { // fill byte
			p++
			continue
		}
		if marker == 0xda || marker == 0xd9 { // start of scan, end of image: the rest is picture
			return append(out, jpg[p:]...), nil
		}
		if marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7) { // no length
			out = append(out, jpg[p:p+2]...)
			p += 2
			continue
		}
		if p+4 > len(jpg) {
			return nil, errMalformed
		}
		size := int(binary.BigEndian.Uint16(jpg[p+2:]))
		if size < 2 || p+2+size > len(jpg) {
			return nil, errMalformed
		}
		switch marker {
		case 0xe1: // APP1: EXIF or XMP
			if orientation > 1 {
				out = append(out, orientationAPP1(orientation)...)
				orientation = 1 // once
			}
		case 0xed, 0xfe: // APP13, COM
		default:
			out = append(out, jpg[p:p+2+size]...)
		}
		p += 2 + size
	}
}

// orientationAPP1 is an APP1 segment whose EXIF holds only the Orientation
// tag o.
func orientationAPP1(o int) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")  // big-endian, IFD0 at 8
	tiff = binary.BigEndian.AppendUint16(tiff, 1) // one entry
	tiff = binary.BigEndian.AppendUint16(tiff, 0x0112)
	tiff = binary.BigEndian.AppendUint16(tiff, 3) // SHORT
	tiff = binary.BigEndian.AppendUint32(tiff, 1)
	tiff = binary.BigEndian.AppendUint16(tiff, uint16(o))
	tiff = append(tiff, 0, 0)                     // value padding
	tiff = binary.BigEndian.AppendUint32(tiff, 0) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xff, 0xe1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	return append(out, seg...)
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngMetadata are the ancillary chunks that carry metadata.
var pngMetadata = map[string]bool{"tEXt": true, "zTXt": true, "iTXt": true, "eXIf": true, "tIME": true}

func stripPNG(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, errMalformed
	}
	out := make([]byte, 0, len(data))
	out = append(out, pngSignature...)
	p := len(pngSignature)
	for p < len(data) {
		if p+12 > len(data) {
			return nil, errMalformed
		}
		n := int64(binary.BigEndian.Uint32(data[p:]))
		end := int64(p) + 12 + n
		if end > int64(len(data)) {
			return nil, errMalformed
		}
		typ := string(data[p+4 : p+8])
		if !pngMetadata[typ] {
			out = append(out, data[p:end]...)
		}
		p = int(end)
		if typ == "IEND" {
			return out, nil
		}
	}
	return nil, errMalformed
}

// vp8xEXIF and vp8xXMP are VP8X's flags of the EXIF and XMP chunks.
const (
	vp8xEXIF = 0x08
	vp8xXMP  = 0x04
)

func stripWebP(data []byte) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, errMalformed
	}
	size := int64(binary.LittleEndian.Uint32(data[4:]))
	if size+8 > int64(len(data)) || size < 4 {
		return nil, errMalformed
	}
	body := data[12 : 8+size]
	out := make([]byte, 12, len(data))
	copy(out, data[:12])
	for p := 0; p < len(body); {
		if p+8 > len(body) {
			return nil, errMalformed
		}
		fourcc := string(body[p : p+4])
		n := int64(binary.LittleEndian.Uint32(body[p+4:]))
		end := int64(p) + 8 + n + n&1 // chunks are padded to an even size
		if end > int64(len(body)) {
			if int64(p)+8+n != int64(len(body)) { // tolerate a missing last pad byte
				return nil, errMalformed
			}
			end = int64(len(body))
		}
		switch fourcc {
		case "EXIF", "XMP ":
		case "VP8X":
			chunk := bytes.Clone(body[p:end])
			if len(chunk) > 8 {
				chunk[8] &^= vp8xEXIF | vp8xXMP
			}
			out = append(out, chunk...)
		default:
			out = append(out, body[p:end]...)
		}
		p = int(end)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}

func stripGIF(data []byte) ([]byte, error) {
	if len(data) < 13 {
		return nil, errMalformed
	}
	p := 13 // header and logical screen descriptor
	if flags := data[10]; flags&0x80 != 0 {
		p += 3 << (flags&0x07 + 1)
	}
	if p > len(data) {
		return nil, errMalformed
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:p]...)
	// subBlocks returns the end of the data sub-blocks starting at q.
	subBlocks := func(q int) (int, error) {
		for {
			if q >= len(data) {
				return 0, errMalformed
			}
			n := int(data[q])
			q++
			if n == 0 {
				return q, nil
			}
			q += n
		}
	}
	for p < len(data) {
		switch data[p] {
		case 0x3b: // trailer
			return append(out, data[p]), nil
		case 0x21: // extension
			if p+2 > len(data) {
				return nil, errMalformed
			}
			label := data[p+1]
			end, err := subBlocks(p + 2)
			if err != nil {
				return nil, err
			}
			xmp := label == 0xff && p+14 <= len(data) && data[p+2] == 11 && string(data[p+3:p+14]) == "XMP DataXMP"
			if label != 0xfe && !xmp { // comment, XMP
				out = append(out, data[p:end]...)
			}
			p = end
		case 0x2c: // image descriptor
			q := p + 10
			if q > len(data) {
				return nil, errMalformed
			}
			if flags := data[p+9]; flags&0x80 != 0 {
				q += 3 << (flags&0x07 + 1)
			}
			q++ // LZW minimum code size
			end, err := subBlocks(q)
			if err != nil {
				return nil, err
			}
			out = append(out, data[p:end]...)
			p = end
		default:
			return nil, errMalformed
		}
	}
	// No trailer: keep what was there (decoders accept a truncated GIF).
	return out, nil
}
