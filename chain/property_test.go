package chain

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/amanat-ledger/amanat/ledger"
)

// Random streams of custody events (most of them breaking some rule), ledger
// postings and batches: every refusal is EInvalid and writes nothing, every
// acceptance extends the item's chain, and Verify holds after every stream.
func TestRandomEventStreams(t *testing.T) {
	l := mustOpen(t)
	nextItem := uint64(0)
	people := []string{"", "SI Bilal", "Asif", "Sana"}
	seals := []Seal{{}, {State: SealNone}, {Number: "S1", State: SealIntact}, {Number: "S1", State: SealBroken}, {Number: "S2", State: SealIntact}, {Number: "S3", State: SealIntact}}
	places := []Location{{}, {Circle: "islamabad", Room: "malkhana"}, {Circle: "lahore", Building: "FIA Zonal Office"},
		{Wallet: "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", Network: "tron:mainnet", TxID: strings.Repeat("0f", 32)},
		{Wallet: "bc1qnotreal", Network: "bitcoin", TxID: strings.Repeat("0f", 32)}}
	accepted, refused := 0, 0

	rapid.Check(t, func(rt *rapid.T) {
		items := []uint64{nextItem + 1, nextItem + 2, nextItem + 3}
		nextItem += 3
		clock := t0
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for s := 0; s < steps; s++ {
			if rapid.IntRange(0, 9).Draw(rt, "ledger") == 0 {
				if err := l.store.Write(ctxb, func(tx *ledger.Tx) error { _, err := postSeizure(tx, items[0], "1.00"); return err }); err != nil {
					rt.Fatal(err)
				}
				continue
			}
			batch := rapid.IntRange(1, 2).Draw(rt, "batch")
			var es []Entry
			for b := 0; b < batch; b++ {
				clock = clock.Add(time.Duration(rapid.IntRange(-5, 60).Draw(rt, "minutes")) * time.Minute)
				e := Entry{
					Item:       rapid.SampledFrom(items).Draw(rt, "item"),
					Event:      rapid.SampledFrom(Events).Draw(rt, "event"),
					At:         clock,
					RecordedBy: "custodian:prop",
					From:       rapid.SampledFrom(people).Draw(rt, "from"),
					To:         rapid.SampledFrom(people).Draw(rt, "to"),
					Location:   rapid.SampledFrom(places).Draw(rt, "location"),
					SealBefore: rapid.SampledFrom(seals).Draw(rt, "seal_before"),
					SealAfter:  rapid.SampledFrom(seals).Draw(rt, "seal_after"),
				}
				if rapid.Bool().Draw(rt, "guided") {
					e = guided(rt, l, e)
				}
				if rapid.Bool().Draw(rt, "remarks") {
					e.Remarks = "noted"
				}
				if rapid.Bool().Draw(rt, "order") {
					e.CourtOrder = &CourtOrder{Number: "CO-9", Date: "2025-06-01"}
				}
				es = append(es, e)
			}
			before := snapshot(rt, l, es)
			got, err := l.tryAppend(es...)
			if err != nil {
				refused++
				if ledger.ErrorCode(err) != ledger.EInvalid {
					rt.Fatalf("refusal is not EInvalid: %v", err)
				}
				if after := snapshot(rt, l, es); !bytes.Equal(before, after) {
					rt.Fatalf("a refused write changed the store: %v", err)
				}
				continue
			}
			accepted++
			for _, e := range got {
				st := l.state(rt, e.Item)
				if st.LastSeq < e.Seq || e.Hash == "" {
					rt.Fatalf("entry %d not reflected in item %d's state", e.Seq, e.Item)
				}
			}
			last := got[len(got)-1]
			if st := l.state(rt, last.Item); st.LastHash != last.Hash || st.Entries != last.ItemSeq {
				rt.Fatalf("item %d: state %+v after entry %+v", last.Item, st, last)
			}
		}
		if _, err := l.verify(rt); err != nil {
			rt.Fatalf("verify: %v", err)
		}
	})
	if accepted == 0 || refused == 0 {
		t.Errorf("the generator is too one-sided: %d accepted, %d refused", accepted, refused)
	}
	t.Logf("%d writes accepted, %d refused", accepted, refused)
}

// snapshot is what a refused write must not change: the tree size and the
// stored states of the items concerned.
func snapshot(t tb, l *testLog, es []Entry) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := l.store.View(func(tx *ledger.Tx) error {
		b.Write(be64(l.c.TreeSize(tx)))
		b.Write(be64(tx.Bolt.Bucket(bucketEntries).Sequence()))
		for _, e := range es {
			b.Write(tx.Bolt.Bucket(bucketState).Get(be64(e.Item)))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// guided turns e into the event a careful custodian would record next for
// its item (it may still break a rule, e.g. examining a sealed item).
func guided(rt *rapid.T, l *testLog, e Entry) Entry {
	var st *ItemState
	_ = l.store.View(func(tx *ledger.Tx) error {
		if s, err := l.c.State(tx, e.Item); err == nil {
			st = &s
		}
		return nil
	})
	e.SealBefore, e.SealAfter, e.From, e.To, e.Location = Seal{}, Seal{}, "", "", Location{}
	if st == nil {
		e.Event, e.To, e.Location = EventSeized, "SI Bilal", Location{Circle: "islamabad", Room: "raid site"}
		if rapid.Bool().Draw(rt, "sealed at seizure") {
			e.SealAfter = Seal{Number: "S0", State: SealIntact}
		}
		return e
	}
	switch st.Status {
	case StatusInTransit:
		e.Event = EventReceived
		return e
	case StatusCheckedOut:
		e.Event = rapid.SampledFrom([]string{EventCheckedIn, EventExamined, EventUnsealed, EventResealed}).Draw(rt, "out event")
	default:
		e.Event = rapid.SampledFrom(Events[1:]).Draw(rt, "event")
	}
	fresh := Seal{Number: "S" + strings.Repeat("x", int(st.Entries)), State: SealIntact}
	switch e.Event {
	case EventSealed, EventResealed:
		e.SealAfter = fresh
	case EventTransferred:
		e.From, e.To = st.Holder, st.Holder+"+"
	case EventCheckedOut:
		e.To = "Examiner"
	case EventStored:
		e.Location = Location{Circle: "islamabad", Room: "malkhana"}
	case EventMovedOnChain:
		e.Location = Location{Wallet: "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", Network: "tron", TxID: strings.Repeat("ab", 32)}
	case EventForfeited, EventReturned:
		e.CourtOrder = &CourtOrder{Number: "CO-1", Date: "2025-06-01"}
	case EventWrittenOff:
		e.Remarks = "lost in flood"
	}
	return e
}
