package chain

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

// A full lifecycle of a cash bag: every step is accepted, the state follows,
// and the log verifies.
func TestLifecycle(t *testing.T) {
	l := mustOpen(t)
	first, txn := l.seize(t, 7, "1500.00")
	if first.Seq != 1 || first.ItemSeq != 1 || first.PrevHash != "" || first.LeafIndex != 1 || first.LedgerTxn != txn.ID {
		t.Fatalf("first entry assigned %+v", first)
	}
	steps := []Entry{
		{Event: EventTransferred, At: at(60), From: "SI Bilal", To: "Malkhana In-charge Asif", Purpose: "deposit in malkhana"},
		{Event: EventReceived, At: at(120), Location: Location{Circle: "islamabad", Building: "FIA HQ", Room: "malkhana safe 3"}},
		{Event: EventStored, At: at(130), Location: Location{Circle: "islamabad", Building: "FIA HQ", Room: "malkhana safe 4"}},
		{Event: EventCheckedOut, At: at(1440), To: "Inspector Sana", Purpose: "count for the court"},
		{Event: EventUnsealed, At: at(1450), Remarks: "opened before two witnesses"},
		{Event: EventExamined, At: at(1460), Condition: "15 notes of USD 100, good condition"},
		{Event: EventResealed, At: at(1470), SealAfter: Seal{Number: "FIA-ISB-0002", State: SealIntact}},
		{Event: EventCheckedIn, At: at(1500)},
		{Event: EventForfeited, At: at(20000), CourtOrder: &CourtOrder{Number: "Crl. Misc. 44/2025", Date: "2025-06-15"}},
	}
	prev := first
	for i, s := range steps {
		s.Item, s.RecordedBy = 7, "custodian:asif"
		got := l.append(t, s)[0]
		if got.ItemSeq != uint64(i+2) || got.PrevHash != prev.Hash || got.Seq != prev.Seq+1 {
			t.Fatalf("step %d (%s): seq %d item_seq %d prev %s, want prev %s", i, s.Event, got.Seq, got.ItemSeq, got.PrevHash, prev.Hash)
		}
		prev = got
	}
	st := l.state(t, 7)
	want := ItemState{Item: 7, Holder: "Malkhana In-charge Asif", Status: EventForfeited, Entries: 10, LastSeq: 10,
		Seal: Seal{Number: "FIA-ISB-0002", State: SealIntact}}
	if st.Holder != want.Holder || st.Status != want.Status || st.Entries != want.Entries || st.Seal != want.Seal || st.LastHash != prev.Hash {
		t.Fatalf("state %+v", st)
	}
	if st.Location.Room != "malkhana safe 4" {
		t.Fatalf("location %+v", st.Location)
	}
	rep := l.mustVerify(t)
	if rep.Entries != 10 || rep.Transactions != 1 || rep.Leaves != 11 || rep.Items != 1 || rep.Checkpoint != 11 || rep.Unsigned != 0 {
		t.Fatalf("report %+v", rep)
	}
	// Entries reads back what Append returned.
	var es []Entry
	if err := l.store.View(func(tx *ledger.Tx) (err error) { es, err = l.c.Entries(tx, 7); return }); err != nil {
		t.Fatal(err)
	}
	if len(es) != 10 || es[9].Hash != prev.Hash || string(es[9].Canonical()) != string(prev.Canonical()) {
		t.Fatalf("entries read back differ")
	}
}

// Each row is a rule of docs/custody.md: the events before (all accepted)
// and the one that must be refused, with the rule and field it must name.
func TestStateMachineRules(t *testing.T) {
	malkhana := Location{Circle: "islamabad", Building: "FIA HQ", Room: "malkhana"}
	seized := Entry{Event: EventSeized, At: at(0), To: "SI Bilal", Location: malkhana, SealAfter: Seal{Number: "S-1", State: SealIntact}}
	unsealedSeizure := Entry{Event: EventSeized, At: at(0), To: "SI Bilal", Location: malkhana}
	transfer := Entry{Event: EventTransferred, At: at(10), From: "SI Bilal", To: "Asif"}
	unseal := Entry{Event: EventUnsealed, At: at(10)}
	destroyed := Entry{Event: EventDestroyed, At: at(10), Remarks: "counterfeit, destroyed on order"}
	checkout := Entry{Event: EventCheckedOut, At: at(10), To: "Inspector Sana"}
	wallet := Location{Wallet: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Network: "bitcoin:mainnet", TxID: strings.Repeat("ab", 32)}
	bond := &CourtOrder{Number: "superdari 1187/2025", Date: "2025-06-01"}
	superdari := Entry{Event: EventSuperdari, At: at(10), To: "Hassan Javed", CourtOrder: bond}

	rows := []struct {
		name   string
		before []Entry
		event  Entry
		rule   string // "" when the event must be accepted
		field  string
	}{
		{"the first entry of an item is its seizure", nil, Entry{Event: EventStored, At: at(0), Location: malkhana}, RuleFirstIsSeizure, "event"},
		{"a seizure names who holds the item", nil, Entry{Event: EventSeized, At: at(0), Location: malkhana}, RuleNeedsHolder, "to"},
		{"a seizure says where", nil, Entry{Event: EventSeized, At: at(0), To: "SI Bilal"}, RuleNeedsLocation, "location"},
		{"an item is seized once", []Entry{seized}, Entry{Event: EventSeized, At: at(5), To: "X", Location: malkhana}, RuleSeizedOnce, "event"},
		{"a seized wallet's address is checked", nil, Entry{Event: EventSeized, At: at(0), To: "SI Bilal", Location: Location{Wallet: "bc1qnotanaddress", Network: "bitcoin"}}, RuleOnChainWallet, "location.wallet"},
		{"only the holder can transfer", []Entry{seized}, Entry{Event: EventTransferred, At: at(10), From: "Asif", To: "Sana"}, RuleHolderReleases, "from"},
		{"a transfer names the receiver", []Entry{seized}, Entry{Event: EventTransferred, At: at(10), From: "SI Bilal"}, RuleNeedsHolder, "to"},
		{"a transfer is accepted from the holder", []Entry{seized}, transfer, "", ""},
		{"a receipt needs a transfer", []Entry{seized}, Entry{Event: EventReceived, At: at(10), To: "SI Bilal"}, RuleReceiveMatches, "event"},
		{"a receipt is by the named receiver", []Entry{seized, transfer}, Entry{Event: EventReceived, At: at(20), To: "Sana"}, RuleReceiveMatches, "to"},
		{"the receiver receives", []Entry{seized, transfer}, Entry{Event: EventReceived, At: at(20), To: "Asif"}, "", ""},
		{"a receipt names the releasing holder", []Entry{seized, transfer}, Entry{Event: EventReceived, At: at(20), From: "Sana", To: "Asif"}, RuleReceiveMatches, "from"},
		{"only the holder checks an item out", []Entry{seized}, Entry{Event: EventCheckedOut, At: at(10), From: "Asif", To: "Inspector Sana"}, RuleHolderReleases, "from"},
		{"only the examiner checks it back in", []Entry{seized, checkout}, Entry{Event: EventCheckedIn, At: at(20), From: "Asif"}, RuleHolderReleases, "from"},
		{"nothing else while in transit", []Entry{seized, transfer}, Entry{Event: EventStored, At: at(20), Location: malkhana}, RuleInTransit, "event"},
		{"events are in time order", []Entry{seized, transfer}, Entry{Event: EventReceived, At: at(5), To: "Asif"}, RuleInOrder, "at"},
		{"examining a sealed item needs unsealing first", []Entry{seized}, Entry{Event: EventExamined, At: at(10)}, RuleExamineUnsealed, "event"},
		{"an unsealed item may be examined", []Entry{seized, unseal}, Entry{Event: EventExamined, At: at(20)}, "", ""},
		{"an item that was never sealed may be examined", []Entry{unsealedSeizure}, Entry{Event: EventExamined, At: at(20)}, "", ""},
		{"check-in needs a check-out", []Entry{seized}, Entry{Event: EventCheckedIn, At: at(10)}, RuleCheckInAfterOut, "event"},
		{"check-in goes back to whoever checked it out", []Entry{seized, checkout}, Entry{Event: EventCheckedIn, At: at(20), To: "Asif"}, RuleCheckInAfterOut, "to"},
		{"check-in by the examiner", []Entry{seized, checkout}, Entry{Event: EventCheckedIn, At: at(20)}, "", ""},
		{"a checked-out item is not transferred", []Entry{seized, checkout}, Entry{Event: EventTransferred, At: at(20), From: "Inspector Sana", To: "Asif"}, RuleNeedsCustody, "event"},
		{"nothing after destruction", []Entry{seized, destroyed}, Entry{Event: EventStored, At: at(20), Location: malkhana}, RuleNothingAfterEnd, "event"},
		{"nothing after a conversion", []Entry{seized, {Event: EventConverted, At: at(10), LedgerTxn: 0}}, Entry{Event: EventExamined, At: at(20)}, RuleNothingAfterEnd, "event"},
		{"forfeiture needs a court order", []Entry{seized}, Entry{Event: EventForfeited, At: at(10)}, RuleCourtOrder, "court_order"},
		{"return to the owner needs a court order", []Entry{seized}, Entry{Event: EventReturned, At: at(10)}, RuleCourtOrder, "court_order"},
		{"return with an order", []Entry{seized}, Entry{Event: EventReturned, At: at(10), CourtOrder: &CourtOrder{Number: "CO-1", Date: "2025-06-01"}}, "", ""},
		{"a write-off says why", []Entry{seized}, Entry{Event: EventWrittenOff, At: at(10)}, RuleWrittenOffReason, "remarks"},
		{"sealing an item that bears an intact seal", []Entry{seized}, Entry{Event: EventSealed, At: at(10), SealAfter: Seal{Number: "S-2", State: SealIntact}}, RuleSealOnce, "event"},
		{"sealing an unsealed item", []Entry{unsealedSeizure}, Entry{Event: EventSealed, At: at(10), SealAfter: Seal{Number: "S-2", State: SealIntact}}, "", ""},
		{"unsealing needs an intact seal", []Entry{unsealedSeizure}, Entry{Event: EventUnsealed, At: at(10)}, RuleUnsealIntact, "event"},
		{"resealing needs the old seal broken", []Entry{seized}, Entry{Event: EventResealed, At: at(10), SealAfter: Seal{Number: "S-2", State: SealIntact}}, RuleResealNewNumber, "event"},
		{"resealing needs a new number", []Entry{seized, unseal}, Entry{Event: EventResealed, At: at(20), SealAfter: Seal{Number: "S-1", State: SealIntact}}, RuleResealNewNumber, "seal_after.number"},
		{"resealing with a new number", []Entry{seized, unseal}, Entry{Event: EventResealed, At: at(20), SealAfter: Seal{Number: "S-2", State: SealIntact}}, "", ""},
		{"only seal events change the seal", []Entry{seized}, Entry{Event: EventStored, At: at(10), Location: malkhana, SealAfter: Seal{Number: "S-9", State: SealIntact}}, RuleSealChanges, "seal_after"},
		{"the seal before must be what the log says", []Entry{seized}, Entry{Event: EventStored, At: at(10), Location: malkhana, SealBefore: Seal{Number: "S-7", State: SealIntact}}, RuleSealMatches, "seal_before"},
		{"a seal found broken must be explained", []Entry{seized}, Entry{Event: EventStored, At: at(10), Location: malkhana, SealBefore: Seal{Number: "S-1", State: SealBroken}, SealAfter: Seal{Number: "S-1", State: SealBroken}}, RuleSealMatches, "remarks"},
		{"a seal found broken, explained", []Entry{seized}, Entry{Event: EventStored, At: at(10), Location: malkhana, SealBefore: Seal{Number: "S-1", State: SealBroken}, SealAfter: Seal{Number: "S-1", State: SealBroken}, Remarks: "found torn on arrival"}, "", ""},
		{"storing says where", []Entry{seized}, Entry{Event: EventStored, At: at(10)}, RuleNeedsLocation, "location"},
		{"storing does not change hands", []Entry{seized}, Entry{Event: EventStored, At: at(10), Location: malkhana, To: "Asif"}, RuleHolderReleases, "to"},
		{"an on-chain move names the wallet", []Entry{seized}, Entry{Event: EventMovedOnChain, At: at(10), Location: Location{TxID: wallet.TxID}}, RuleOnChainWallet, "location.wallet"},
		{"an on-chain move names the transaction", []Entry{seized}, Entry{Event: EventMovedOnChain, At: at(10), Location: Location{Wallet: wallet.Wallet}}, RuleOnChainWallet, "location.txid"},
		{"an on-chain move's address must be valid", []Entry{seized}, Entry{Event: EventMovedOnChain, At: at(10), Location: Location{Wallet: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", Network: "bitcoin", TxID: wallet.TxID}}, RuleOnChainWallet, "location.wallet"},
		{"an on-chain move's address is of the named network", []Entry{seized}, Entry{Event: EventMovedOnChain, At: at(10), Location: Location{Wallet: wallet.Wallet, Network: "bitcoin:testnet", TxID: wallet.TxID}}, RuleOnChainWallet, "location.wallet"},
		{"an on-chain move's chain must be known", []Entry{seized}, Entry{Event: EventMovedOnChain, At: at(10), Location: Location{Wallet: wallet.Wallet, Network: "dogecoin", TxID: wallet.TxID}}, RuleOnChainWallet, "location.network"},
		{"an on-chain transaction id is 64 hex digits", []Entry{seized}, Entry{Event: EventMovedOnChain, At: at(10), Location: Location{Wallet: wallet.Wallet, TxID: "abc"}}, RuleOnChainWallet, "location.txid"},
		{"an on-chain move to a valid agency wallet", []Entry{seized}, Entry{Event: EventMovedOnChain, At: at(10), Location: wallet}, "", ""},
		{"superdari names the superdar", []Entry{seized}, Entry{Event: EventSuperdari, At: at(10), CourtOrder: bond}, RuleNeedsHolder, "to"},
		{"superdari needs its order", []Entry{seized}, Entry{Event: EventSuperdari, At: at(10), To: "Hassan Javed"}, RuleCourtOrder, "court_order"},
		{"only the holder hands over on superdari", []Entry{seized}, Entry{Event: EventSuperdari, At: at(10), From: "Asif", To: "Hassan Javed", CourtOrder: bond}, RuleHolderReleases, "from"},
		{"superdari from custody", []Entry{seized}, superdari, "", ""},
		{"superdari only from custody", []Entry{seized, checkout}, Entry{Event: EventSuperdari, At: at(20), To: "Hassan Javed", CourtOrder: bond}, RuleNeedsCustody, "event"},
		{"a production while on superdari", []Entry{seized, superdari}, Entry{Event: EventProduced, At: at(20)}, "", ""},
		{"a production only while on superdari", []Entry{seized}, Entry{Event: EventProduced, At: at(20)}, RuleNeedsCustody, "event"},
		{"the superdar produces it", []Entry{seized, superdari}, Entry{Event: EventProduced, At: at(20), From: "Asif"}, RuleHolderReleases, "from"},
		{"received back names the custodian", []Entry{seized, superdari}, Entry{Event: EventReceived, At: at(20)}, RuleNeedsHolder, "to"},
		{"received back from the superdar only", []Entry{seized, superdari}, Entry{Event: EventReceived, At: at(20), From: "Asif", To: "SI Bilal"}, RuleReceiveMatches, "from"},
		{"received back from superdari", []Entry{seized, superdari}, Entry{Event: EventReceived, At: at(20), To: "SI Bilal"}, "", ""},
		{"returned from superdari", []Entry{seized, superdari}, Entry{Event: EventReturned, At: at(20), To: "Hassan Javed", CourtOrder: bond}, "", ""},
		{"nothing else while on superdari", []Entry{seized, superdari}, Entry{Event: EventStored, At: at(20), Location: malkhana}, RuleNeedsCustody, "event"},
		{"no forfeiture while on superdari", []Entry{seized, superdari}, Entry{Event: EventForfeited, At: at(20), CourtOrder: bond}, RuleNeedsCustody, "event"},
		{"a TRON move", []Entry{seized}, Entry{Event: EventMovedOnChain, At: at(10), Location: Location{Wallet: "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", Network: "tron", TxID: wallet.TxID}}, "", ""},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			l := mustOpen(t)
			for _, b := range r.before {
				b.Item, b.RecordedBy = 3, "custodian:asif"
				l.append(t, b)
			}
			before := l.mustVerify(t)
			e := r.event
			e.Item, e.RecordedBy = 3, "custodian:asif"
			_, err := l.tryAppend(e)
			if r.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				l.mustVerify(t)
				return
			}
			var le *ledger.Error
			if !errors.As(err, &le) || le.Code != ledger.EInvalid {
				t.Fatalf("want EInvalid, got %v", err)
			}
			if !strings.Contains(le.Msg, r.rule) {
				t.Errorf("message %q does not name rule %s", le.Msg, r.rule)
			}
			if len(le.Fields) != 1 || le.Fields[0].Field != r.field {
				t.Errorf("fields %+v, want %s", le.Fields, r.field)
			}
			after := l.mustVerify(t)
			if after.Leaves != before.Leaves || after.Root != before.Root {
				t.Errorf("a refused event changed the log: %+v -> %+v", before, after)
			}
		})
	}
}

// Bad fields are refused together, each named, before any rule is consulted.
func TestFieldChecks(t *testing.T) {
	l := mustOpen(t)
	e := Entry{Item: 0, Event: "lost", RecordedBy: "", At: l.now.Add(time.Hour),
		SealAfter:   Seal{Number: "x", State: "cracked"},
		Attachments: []Attachment{{Name: "", SHA256: "ABC"}},
		CourtOrder:  &CourtOrder{Number: "", Date: "2025-13-01"},
		Remarks:     "\xff", LedgerTxn: 99}
	_, err := l.tryAppend(e)
	var le *ledger.Error
	if !errors.As(err, &le) || le.Code != ledger.EInvalid {
		t.Fatalf("want EInvalid, got %v", err)
	}
	got := map[string]bool{}
	for _, f := range le.Fields {
		got[f.Field] = true
	}
	for _, f := range []string{"item", "event", "at", "recorded_by", "seal_after.state", "attachments[0].name", "attachments[0].sha256", "court_order.number", "court_order.date", "remarks"} {
		if !got[f] {
			t.Errorf("field %s not named in %v", f, le)
		}
	}
	e = seizedEntry(1, 99)
	if _, err := l.tryAppend(e); !strings.Contains(fmt.Sprint(err), "ledger_txn") {
		t.Errorf("a missing ledger transaction must be named: %v", err)
	}
	if rep := l.mustVerify(t); rep.Leaves != 0 {
		t.Errorf("refusals wrote %d leaves", rep.Leaves)
	}
}

// Every rule is documented in docs/custody.md under the name its refusals
// carry.
func TestRulesAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/custody.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{RuleFirstIsSeizure, RuleSeizedOnce, RuleNothingAfterEnd, RuleInOrder, RuleHolderReleases,
		RuleReceiveMatches, RuleInTransit, RuleNeedsCustody, RuleCheckInAfterOut, RuleSealMatches, RuleSealChanges,
		RuleSealOnce, RuleUnsealIntact, RuleResealNewNumber, RuleExamineUnsealed, RuleOnChainWallet, RuleCourtOrder,
		RuleWrittenOffReason, RuleNeedsHolder, RuleNeedsLocation, RuleWalletOnly, RuleLedgerTxnOfEvent, RuleTwoPersons} {
		if !strings.Contains(string(doc), "`"+r+"`") {
			t.Errorf("rule %s is not in docs/custody.md", r)
		}
	}
	for _, e := range Events {
		if !strings.Contains(string(doc), "| `"+e+"` |") {
			t.Errorf("event %s has no row in docs/custody.md", e)
		}
	}
}

// TestStateAtReplaysToAnInstant: an item's location as of an instant is where
// its entries by then put it, not where it is now.
func TestStateAtReplaysToAnInstant(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "5.00")
	var es []Entry
	l.store.View(func(tx *ledger.Tx) error { es, _ = l.c.Entries(tx, 1); return nil })
	seizedAt := es[0].At
	first := es[0].Location
	moves := []Entry{
		{Item: 1, Event: EventTransferred, At: seizedAt.Add(time.Hour), From: es[0].To, To: "SI Kamran"},
		{Item: 1, Event: EventReceived, At: seizedAt.Add(2 * time.Hour), Location: Location{Circle: "islamabad", Building: "CCC", Room: "malkhana"}},
	}
	for _, e := range moves {
		e.RecordedBy = "custodian:test"
		if err := l.store.Write(ctxb, func(tx *ledger.Tx) error { _, err := l.c.Append(tx, e); return err }); err != nil {
			t.Fatal(err)
		}
	}
	l.store.View(func(tx *ledger.Tx) error {
		for _, tc := range []struct {
			at     time.Time
			holder string
			where  Location
		}{
			{seizedAt, es[0].To, first},
			{seizedAt.Add(90 * time.Minute), es[0].To, first},
			{seizedAt.Add(3 * time.Hour), "SI Kamran", moves[1].Location},
		} {
			st, err := l.c.StateAt(tx, 1, tc.at)
			if err != nil || st.Holder != tc.holder || st.Location != tc.where {
				t.Errorf("as of %s: %+v, %v; want holder %q at %+v", tc.at, st, err, tc.holder, tc.where)
			}
		}
		if _, err := l.c.StateAt(tx, 1, seizedAt.Add(-time.Second)); ledger.ErrorCode(err) != ledger.ENotFound {
			t.Errorf("before the seizure: %v, want not found", err)
		}
		now, _ := l.c.State(tx, 1)
		late, err := l.c.StateAt(tx, 1, seizedAt.Add(24*time.Hour))
		if err != nil || late.Holder != now.Holder || late.Location != now.Location || late.Status != now.Status {
			t.Errorf("StateAt after the last entry %+v differs from State %+v (%v)", late, now, err)
		}
		return nil
	})
}

// TestSuperdariRoundTrips: out on a bond and back into custody, twice, then
// out again and returned for good; the state follows and the log verifies.
func TestSuperdariRoundTrips(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 7, "1500.00")
	bond := &CourtOrder{Number: "superdari 1187/2025", Date: "2025-06-01"}
	steps := []struct {
		e              Entry
		status, holder string
	}{
		{Entry{Event: EventSuperdari, At: at(60), To: "Hassan Javed", CourtOrder: bond, CourtOrderID: 3}, StatusSuperdari, "Hassan Javed"},
		{Entry{Event: EventProduced, At: at(120), Remarks: "produced before the magistrate"}, StatusSuperdari, "Hassan Javed"},
		{Entry{Event: EventReceived, At: at(180), To: "Malkhana In-charge Asif"}, StatusInCustody, "Malkhana In-charge Asif"},
		{Entry{Event: EventSuperdari, At: at(240), To: "Hassan Javed", CourtOrder: bond}, StatusSuperdari, "Hassan Javed"},
		{Entry{Event: EventReceived, At: at(300), To: "SI Bilal"}, StatusInCustody, "SI Bilal"},
		{Entry{Event: EventSuperdari, At: at(360), To: "Hassan Javed", CourtOrder: bond}, StatusSuperdari, "Hassan Javed"},
		{Entry{Event: EventReturned, At: at(420), To: "Hassan Javed", CourtOrder: bond}, EventReturned, "Hassan Javed"},
	}
	for i, s := range steps {
		s.e.Item, s.e.RecordedBy = 7, "custodian:asif"
		got := l.append(t, s.e)[0]
		st := l.state(t, 7)
		if st.Status != s.status || st.Holder != s.holder {
			t.Fatalf("step %d (%s): status %s holder %q, want %s %q", i, s.e.Event, st.Status, st.Holder, s.status, s.holder)
		}
		if i == 0 && (got.CourtOrderID != 3 || !strings.Contains(string(got.Canonical()), "\ncourt_order_id 3\n")) {
			t.Fatalf("the superdari entry does not carry its order id:\n%s", got.Canonical())
		}
	}
	l.mustVerify(t)
}

// An entry that names a registered order carries its number and date: the
// court_order_id line follows court_order, reads back exactly, and is
// refused without it.
func TestCourtOrderIDLine(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 7, "1500.00")
	_, err := l.tryAppend(Entry{Item: 7, RecordedBy: "custodian:asif", Event: EventForfeited, At: at(60), CourtOrderID: 4})
	var le *ledger.Error
	if !errors.As(err, &le) || len(le.Fields) == 0 || le.Fields[0].Field != "court_order_id" {
		t.Fatalf("an order id without its number and date: %v", err)
	}
	got := l.append(t, Entry{Item: 7, RecordedBy: "custodian:asif", Event: EventForfeited, At: at(60),
		CourtOrder: &CourtOrder{Number: "Crl. Misc. 44/2025", Date: "2025-06-01"}, CourtOrderID: 4})[0]
	if !strings.Contains(string(got.Canonical()), "court_order 2025-06-01 \"Crl. Misc. 44/2025\"\ncourt_order_id 4\nledger_txn ") {
		t.Fatalf("canonical form:\n%s", got.Canonical())
	}
	back, err := DecodeEntry(got.Canonical())
	if err != nil || back.CourtOrderID != 4 || back.CourtOrder == nil || back.CourtOrder.Number != "Crl. Misc. 44/2025" {
		t.Fatalf("read back %+v %v", back, err)
	}
	l.mustVerify(t)
}
