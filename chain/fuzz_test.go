package chain

import (
	"bytes"
	"testing"
	"time"
)

// FuzzEntryRoundTrip: any entry the fields can spell encodes to bytes that
// decode to the same entry, and decoding arbitrary bytes never panics and
// accepts only canonical bytes.
func FuzzEntryRoundTrip(f *testing.F) {
	f.Add("SI Bilal", "malkhana \"3\"", "remarks\nwith a newline", "S-1", int64(1748854800), uint64(7), []byte("amanat-custody/1\nseq 1\n"))
	f.Add("", "", "", "", int64(0), uint64(0), []byte(""))
	f.Add("ضبط", "\x00\xff", "\u2028", "N°1", int64(-1), uint64(1<<63), []byte("amanat-custody/1\n"))
	f.Fuzz(func(t *testing.T, who, room, remarks, seal string, sec int64, n uint64, raw []byte) {
		e := Entry{Seq: n, Item: n / 2, ItemSeq: n % 5, Event: EventStored, At: time.Unix(sec, int64(n%1e9)).UTC(),
			Recorded: time.Unix(sec/2, 0).UTC(), RecordedBy: who, From: who, To: room,
			Location: Location{Room: room, Wallet: seal}, Remarks: remarks,
			SealBefore: Seal{Number: seal, State: SealIntact}, SealAfter: Seal{Number: seal, State: SealBroken},
			Attachments: []Attachment{{Name: remarks, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
			CourtOrder:  &CourtOrder{Number: who, Date: "2025-06-01"}, LedgerTxn: n, LeafIndex: n}
		if e.At.Year() < 0 || e.At.Year() > 9999 || e.Recorded.Year() < 0 || e.Recorded.Year() > 9999 {
			return // RFC 3339 has four-digit years
		}
		c := e.Canonical()
		got, err := DecodeEntry(c)
		if err != nil {
			t.Fatalf("decode own bytes: %v\n%s", err, c)
		}
		if !bytes.Equal(got.Canonical(), c) || got.Remarks != remarks || got.Location.Room != room || got.SealBefore != e.SealBefore || !got.At.Equal(e.At) {
			t.Fatalf("round trip differs:\n%+v\n%+v", e, got)
		}
		if d, err := DecodeEntry(raw); err == nil && !bytes.Equal(d.Canonical(), raw) {
			t.Fatalf("accepted non-canonical bytes %q", raw)
		}
	})
}
