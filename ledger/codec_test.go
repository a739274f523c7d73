package ledger

import (
	"errors"
	"testing"
)

// TestRecordFormat pins the stored bytes: a version byte, then the JSON, so
// that records written before the codec was shared still read.
func TestRecordFormat(t *testing.T) {
	type rec struct {
		ID   uint64 `json:"id"`
		Note string `json:"note"`
	}
	data, err := EncodeRecord(1, rec{ID: 7, Note: "bag 4"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "\x01" + `{"id":7,"note":"bag 4"}`; string(data) != want {
		t.Fatalf("stored %q, want %q", data, want)
	}
	var got rec
	if err := DecodeRecord(data, 1, &got); err != nil || got != (rec{7, "bag 4"}) {
		t.Fatalf("decoded %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {}, append([]byte{2}, data[1:]...)} {
		if err := DecodeRecord(bad, 1, &got); !errors.Is(err, ErrRecordVersion) {
			t.Errorf("DecodeRecord(%q) = %v, want ErrRecordVersion", bad, err)
		}
	}
}
