package log

import (
	"bytes"
	"testing"
)

// FuzzRecordLeaf: the record wrapper reads back the kind and id it was
// written with, and whatever it accepts from arbitrary bytes is a wrapper
// RecordLeaf writes (a bundle's record cannot claim a kind or id its bytes
// do not spell).
func FuzzRecordLeaf(f *testing.F) {
	f.Add("evidence.item", uint64(7), []byte("\x01{\"seal\":\"ISB-1\"}"), []byte("amanat-record/1\nkind evidence.item\nid 7\n\x01{}"))
	f.Add("finance.rate", uint64(0), []byte("\nid 8\n"), []byte("amanat-record/1\nkind a\nid 007\n"))
	f.Fuzz(func(t *testing.T, kind string, id uint64, stored, raw []byte) {
		if validKindName(kind) {
			k, n, err := ParseRecordLeaf(RecordLeaf(kind, id, stored))
			if err != nil || k != kind || n != id {
				t.Fatalf("RecordLeaf(%q, %d) reads back as %q %d, %v", kind, id, k, n, err)
			}
		}
		if k, n, err := ParseRecordLeaf(raw); err == nil {
			head := RecordLeaf(k, n, nil)
			if !bytes.HasPrefix(raw, head) {
				t.Fatalf("accepted %q as %s %d", raw, k, n)
			}
		}
	})
}
