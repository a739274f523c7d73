package httpapi

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"

	"github.com/amanat-ledger/amanat/chain"
)

// qrSVG is a QR code as inline SVG markup, drawn on the server: one path of
// unit squares, so that it prints sharp at any size and needs no image file.
type qrSVG = template.HTML

// headOf reads the item head a court bundle proves: its tree and the item's
// last entry in it.
func headOf(bundle []byte) (itemHead, error) {
	var b chain.Bundle
	if err := json.Unmarshal(bundle, &b); err != nil {
		return itemHead{}, fmt.Errorf("read the item's bundle: %w", err)
	}
	if len(b.Entries) == 0 {
		return itemHead{}, fmt.Errorf("the bundle of item %d has no entries", b.Item)
	}
	last := b.Entries[len(b.Entries)-1]
	return itemHead{Item: b.Item, TreeSize: b.TreeSize, Root: b.RootHash, Seq: last.ID, Hash: last.LeafHash}, nil
}

// qrText is what the report's QR code says: the bundle's signed checkpoint
// verbatim, then the item head, so that a clerk's phone shows the same lines
// the bundle and the printed report carry.
func qrText(bundle []byte, h itemHead) string {
	var b chain.Bundle
	_ = json.Unmarshal(bundle, &b) // headOf read it already
	var sb strings.Builder
	sb.WriteString(b.Checkpoint)
	if !strings.HasSuffix(b.Checkpoint, "\n") {
		sb.WriteByte('\n')
	}
	fmt.Fprintf(&sb, "item %d tree %d root %s\nlast entry %d %s\n", h.Item, h.TreeSize, h.Root, h.Seq, h.Hash)
	return sb.String()
}

// svgWriter receives the QR code's modules from the library.
type svgWriter struct{ out string }

func (w *svgWriter) Write(m qrcode.Matrix) error {
	const quiet = 4 // modules of white border a reader needs
	bits := m.Bitmap()
	n := len(bits) + 2*quiet
	var path strings.Builder
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	w.out = fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" role="img" aria-label="QR code of the checkpoint and the item head" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, n, n, path.String())
	return nil
}

func (w *svgWriter) Close() error { return nil }

// qrCode draws text as a QR code, error correction M (15%): a stain or a
// fold on the paper still reads.
func qrCode(text string) (qrSVG, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium), qrcode.WithEncodingMode(qrcode.EncModeByte))
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	var w svgWriter
	if err := q.Save(&w); err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	// The markup is ours: numbers and fixed attributes only.
	return qrSVG(w.out), nil
}
