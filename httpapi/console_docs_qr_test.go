package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"regexp"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// svgModules reads the dark modules back out of qrCode's SVG and paints
// them, scale pixels each, on a white image.
func svgModules(t *testing.T, svg string, scale int) image.Image {
	t.Helper()
	m := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no viewBox in %.200s", svg)
	}
	n, _ := strconv.Atoi(m[1])
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for _, sq := range regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.Atoi(sq[1])
		y, _ := strconv.Atoi(sq[2])
		for dy := range scale {
			for dx := range scale {
				img.SetGray(x*scale+dx, y*scale+dy, color.Gray{})
			}
		}
	}
	return img
}

// readQR decodes qrCode's SVG with gozxing.
func readQR(t *testing.T, svg string) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(svgModules(t, svg, 4))
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{
		// The image is the code alone, drawn from the SVG: no need to find it
		// in a photograph, which the detector sometimes fails at.
		gozxing.DecodeHintType_PURE_BARCODE:  true,
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
	})
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return res.GetText()
}

// What the report's QR code draws reads back, with an independent decoder,
// as exactly the text it was given, Urdu and Chinese included.
func TestQRCodeReadsBack(t *testing.T) {
	texts := []string{
		"amanat.custody/0123456789abcdef\n42\nq83nB1/mCzX0Gr5Ek9xnwsFiQ/d+zGG3jqc5DHnYj4I=\n\n— amanat.custody/0123456789abcdef AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/AbCdEfGhIjKlMnOpQrStUvWxYz01234567==\nitem 7 tree 42 root abcdef\nlast entry 41 0123abcd\n",
		"محمد اسلم 李伟 Trần Thị Hương",
	}
	// Checkpoints of every length a report draws: each size of code.
	for n := 150; n < 600; n += 15 {
		b := make([]byte, n)
		rand.Read(b)
		texts = append(texts, base64.StdEncoding.EncodeToString(b)[:n])
	}
	for i, text := range texts {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			svg, err := qrCode(text)
			if err != nil {
				t.Fatal(err)
			}
			if got := readQR(t, string(svg)); got != text {
				t.Fatalf("read back %q, want %q", got, text)
			}
		})
	}
}
