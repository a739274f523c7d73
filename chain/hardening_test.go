package chain

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

// A WIF private key (the well-known example of the format) and a BIP-39
// phrase: neither may reach the signed log.
const (
	testWIF    = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
	testPhrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)

// refusedField appends e (after the entries before) and wants EInvalid
// naming field, with the log unchanged.
func refusedField(t *testing.T, l *testLog, e Entry, field string) *ledger.Error {
	t.Helper()
	before := l.mustVerify(t)
	_, err := l.tryAppend(e)
	var le *ledger.Error
	if !errors.As(err, &le) || le.Code != ledger.EInvalid {
		t.Fatalf("want EInvalid naming %s, got %v", field, err)
	}
	found := false
	for _, f := range le.Fields {
		found = found || f.Field == field
	}
	if !found {
		t.Fatalf("fields %+v do not name %s", le.Fields, field)
	}
	if after := l.mustVerify(t); after.Leaves != before.Leaves || after.Root != before.Root {
		t.Fatalf("a refused entry changed the log: %+v -> %+v", before, after)
	}
	return le
}

// TestCustodyTextRefusesSecrets: every free-text field of a custody entry
// goes through the shared text check, so a seed phrase, a WIF key or a
// control character is refused on whatever path appends the entry.
func TestCustodyTextRefusesSecrets(t *testing.T) {
	fields := []struct {
		field string
		set   func(e *Entry, v string)
		block bool // may hold line breaks and tabs
	}{
		{"recorded_by", func(e *Entry, v string) { e.RecordedBy = v }, false},
		{"from", func(e *Entry, v string) { e.From = v }, false},
		{"to", func(e *Entry, v string) { e.To = v }, false},
		{"location.circle", func(e *Entry, v string) { e.Location.Circle = v }, false},
		{"location.building", func(e *Entry, v string) { e.Location.Building = v }, false},
		{"location.room", func(e *Entry, v string) { e.Location.Room = v }, false},
		{"location.wallet", func(e *Entry, v string) { e.Location.Wallet = v }, false},
		{"location.network", func(e *Entry, v string) { e.Location.Network = v }, false},
		{"location.txid", func(e *Entry, v string) { e.Location.TxID = v }, false},
		{"purpose", func(e *Entry, v string) { e.Purpose = v }, true},
		{"condition", func(e *Entry, v string) { e.Condition = v }, true},
		{"remarks", func(e *Entry, v string) { e.Remarks = v }, true},
		{"attachments[0].name", func(e *Entry, v string) { e.Attachments[0].Name = v }, false},
		{"court_order.number", func(e *Entry, v string) { e.CourtOrder = &CourtOrder{Number: v, Date: "2025-06-01"} }, false},
	}
	values := []struct {
		name string
		v    string
	}{
		{"a WIF key", "key " + testWIF},
		{"a seed phrase", "written on the card: " + testPhrase},
		{"a NUL", "Asif\x00"},
		{"an escape", "Asif\x1b[2J"},
	}
	l := mustOpen(t)
	item := uint64(0)
	for _, f := range fields {
		for _, v := range values {
			t.Run(f.field+" with "+v.name, func(t *testing.T) {
				item++
				e := seizedEntry(item, 0)
				f.set(&e, v.v)
				refusedField(t, l, e, f.field)
			})
		}
		t.Run(f.field+" with a tab", func(t *testing.T) {
			item++
			e := seizedEntry(item, 0)
			f.set(&e, "two\tcolumns")
			_, err := l.tryAppend(e)
			if f.block {
				if err != nil {
					t.Fatalf("a tab in the multi-line field %s is refused: %v", f.field, err)
				}
				return
			}
			refusedField(t, l, e, f.field)
		})
	}
}

// TestCustodySealNumberFollowsRegisterRule: a seal number on a custody
// event obeys the register's rule, so a reseal cannot bring in a number that
// differs from a used one only by a NUL, a tab, a blank or its case.
func TestCustodySealNumberFollowsRegisterRule(t *testing.T) {
	for _, bad := range []string{"FIA-ISB-0002\x00", "FIA-ISB-0002\t", "FIA-ISB-0002 ", " FIA-ISB-0002", "FIA ISB 0002", "-0002"} {
		t.Run(bad, func(t *testing.T) {
			l := mustOpen(t)
			l.seize(t, 1, "10.00")
			l.append(t, Entry{Item: 1, Event: EventUnsealed, At: at(10), RecordedBy: "custodian:asif"})
			refusedField(t, l, Entry{Item: 1, Event: EventResealed, At: at(20), RecordedBy: "custodian:asif", SealAfter: Seal{Number: bad, State: SealIntact}}, "seal_after.number")
			refusedField(t, l, Entry{Item: 1, Event: EventStored, At: at(20), RecordedBy: "custodian:asif", Location: Location{Room: "malkhana"},
				SealBefore: Seal{Number: bad, State: SealBroken}, Remarks: "found torn"}, "seal_before.number")
		})
	}
	t.Run("a seal number in another case is the same seal", func(t *testing.T) {
		l := mustOpen(t)
		l.seize(t, 1, "10.00") // seal FIA-ISB-0001
		l.append(t, Entry{Item: 1, Event: EventUnsealed, At: at(10), RecordedBy: "custodian:asif"})
		le := refusedField(t, l, Entry{Item: 1, Event: EventResealed, At: at(20), RecordedBy: "custodian:asif", SealAfter: Seal{Number: "fia-isb-0001", State: SealIntact}}, "seal_after.number")
		if !strings.Contains(le.Msg, RuleResealNewNumber) {
			t.Fatalf("refused under %q, want %s", le.Msg, RuleResealNewNumber)
		}
	})
}

// TestResealCannotReuseASealBorneAfterSeizure: every seal the item bore,
// not only its first, is remembered.
func TestResealCannotReuseASealBorneAfterSeizure(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "10.00")
	l.append(t,
		Entry{Item: 1, Event: EventUnsealed, At: at(10), RecordedBy: "custodian:asif"},
		Entry{Item: 1, Event: EventResealed, At: at(20), RecordedBy: "custodian:asif", SealAfter: Seal{Number: "FIA-ISB-0002", State: SealIntact}},
		Entry{Item: 1, Event: EventUnsealed, At: at(30), RecordedBy: "custodian:asif"},
	)
	if st := l.state(t, 1); len(st.SealsUsed) != 2 || st.SealsUsed[1] != "FIA-ISB-0002" {
		t.Fatalf("seals used %v", st.SealsUsed)
	}
	refusedField(t, l, Entry{Item: 1, Event: EventResealed, At: at(40), RecordedBy: "custodian:asif", SealAfter: Seal{Number: "FIA-ISB-0002", State: SealIntact}}, "seal_after.number")
}

// TestNonHolderCannotActOnTheItem: events that do not change hands name the
// holder, or nobody.
func TestNonHolderCannotActOnTheItem(t *testing.T) {
	for _, ev := range []Entry{
		{Event: EventStored, Location: Location{Room: "malkhana"}},
		{Event: EventUnsealed},
		{Event: EventSealed, SealAfter: Seal{Number: "S-9", State: SealIntact}},
	} {
		for _, field := range []string{"from", "to"} {
			t.Run(ev.Event+" "+field, func(t *testing.T) {
				l := mustOpen(t)
				seized := Entry{Item: 1, Event: EventSeized, At: at(0), RecordedBy: "custodian:asif", To: "SI Bilal", Location: Location{Room: "raid site"}}
				if ev.Event == EventUnsealed {
					seized.SealAfter = Seal{Number: "S-1", State: SealIntact}
				}
				l.append(t, seized)
				e := ev
				e.Item, e.At, e.RecordedBy = 1, at(10), "custodian:asif"
				if field == "from" {
					e.From = "Asif"
				} else {
					e.To = "Asif"
				}
				refusedField(t, l, e, field)
				// The holder may.
				if field == "from" {
					e.From = "SI Bilal"
				} else {
					e.To = "SI Bilal"
				}
				l.append(t, e)
			})
		}
	}
	t.Run("examined", func(t *testing.T) {
		l := mustOpen(t)
		l.append(t, Entry{Item: 1, Event: EventSeized, At: at(0), RecordedBy: "custodian:asif", To: "SI Bilal", Location: Location{Room: "raid site"}})
		refusedField(t, l, Entry{Item: 1, Event: EventExamined, At: at(10), RecordedBy: "custodian:asif", From: "Asif"}, "from")
		l.append(t, Entry{Item: 1, Event: EventExamined, At: at(10), RecordedBy: "custodian:asif", From: "SI Bilal"})
	})
}

var agencyWallet = Location{Wallet: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Network: "bitcoin:mainnet", TxID: strings.Repeat("ab", 32)}

// TestMovedOnChainChecksHolderAndKind: only the holder moves the coins, the
// named receiver then holds the item, and a cash item has no coins to move.
func TestMovedOnChainChecksHolderAndKind(t *testing.T) {
	t.Run("a non-holder cannot move it", func(t *testing.T) {
		l := mustOpen(t)
		l.seize(t, 1, "1.00")
		refusedField(t, l, Entry{Item: 1, Event: EventMovedOnChain, At: at(10), RecordedBy: "custodian:x", From: "Someone Else", To: "Desk", Location: agencyWallet}, "from")
	})
	t.Run("the holder moves it to a new custodian", func(t *testing.T) {
		l := mustOpen(t)
		l.seize(t, 1, "1.00")
		got := l.append(t, Entry{Item: 1, Event: EventMovedOnChain, At: at(10), RecordedBy: "custodian:x", To: "NHQ Crypto Desk", Location: agencyWallet})[0]
		if got.From != "SI Bilal" {
			t.Fatalf("from filled as %q, want the holder", got.From)
		}
		if st := l.state(t, 1); st.Holder != "NHQ Crypto Desk" || st.Location != agencyWallet || st.Status != StatusInCustody {
			t.Fatalf("state %+v", st)
		}
		l.mustVerify(t)
	})
	t.Run("without to the holder stays", func(t *testing.T) {
		l := mustOpen(t)
		l.seize(t, 1, "1.00")
		l.append(t, Entry{Item: 1, Event: EventMovedOnChain, At: at(10), RecordedBy: "custodian:x", Location: agencyWallet})
		if st := l.state(t, 1); st.Holder != "SI Bilal" {
			t.Fatalf("holder %q", st.Holder)
		}
	})
	t.Run("a cash item is refused", func(t *testing.T) {
		l := mustOpen(t)
		l.itemRecord(t, 1, "cash: a bag of USD notes")
		l.itemRecord(t, 2, "wallet: a hardware wallet")
		l.seize(t, 1, "1.00")
		l.seize(t, 2, "1.00")
		le := refusedField(t, l, Entry{Item: 1, Event: EventMovedOnChain, At: at(10), RecordedBy: "custodian:x", Location: agencyWallet}, "event")
		if !strings.Contains(le.Msg, RuleWalletOnly) {
			t.Fatalf("refused under %q, want %s", le.Msg, RuleWalletOnly)
		}
		l.append(t, Entry{Item: 2, Event: EventMovedOnChain, At: at(10), RecordedBy: "custodian:x", Location: agencyWallet})
	})
}

// TestOnChainTxIDChecks: a transaction id is 64 hex digits of one case, on
// a move and on a seizure that names one (with or without a wallet).
func TestOnChainTxIDChecks(t *testing.T) {
	good := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name string
		txid string
		ok   bool
	}{
		{"lower case", good, true},
		{"upper case", strings.ToUpper(good), true},
		{"0x-prefixed", "0x" + good, true},
		{"mixed case", "Ab" + good[2:], false},
		{"too short", good[:62], false},
		{"not hex", "zz" + good[2:], false},
	} {
		t.Run("move "+tc.name, func(t *testing.T) {
			l := mustOpen(t)
			l.seize(t, 1, "1.00")
			e := Entry{Item: 1, Event: EventMovedOnChain, At: at(10), RecordedBy: "custodian:x", Location: Location{Wallet: agencyWallet.Wallet, TxID: tc.txid}}
			if tc.ok {
				l.append(t, e)
				return
			}
			refusedField(t, l, e, "location.txid")
		})
		t.Run("seizure without a wallet "+tc.name, func(t *testing.T) {
			l := mustOpen(t)
			e := Entry{Item: 1, Event: EventSeized, At: at(0), RecordedBy: "custodian:x", To: "SI Bilal", Location: Location{Room: "raid site", TxID: tc.txid}}
			if tc.ok {
				l.append(t, e)
				return
			}
			refusedField(t, l, e, "location.txid")
		})
	}
}

// TestEntryNamesOnlyItsOwnLedgerTxn: an entry may not name a transaction
// of another item, nor one an earlier entry of its item already named.
func TestEntryNamesOnlyItsOwnLedgerTxn(t *testing.T) {
	l := mustOpen(t)
	_, txn1 := l.seize(t, 1, "10.00")
	_, txn2 := l.seize(t, 2, "20.00")
	le := refusedField(t, l, Entry{Item: 1, Event: EventDestroyed, At: at(10), RecordedBy: "custodian:x", Remarks: "on order", LedgerTxn: txn2.ID}, "ledger_txn")
	if !strings.Contains(le.Msg, RuleLedgerTxnOfEvent) {
		t.Fatalf("refused under %q, want %s", le.Msg, RuleLedgerTxnOfEvent)
	}
	le = refusedField(t, l, Entry{Item: 1, Event: EventDestroyed, At: at(10), RecordedBy: "custodian:x", Remarks: "on order", LedgerTxn: txn1.ID}, "ledger_txn")
	if !strings.Contains(le.Msg, RuleLedgerTxnOfEvent) {
		t.Fatalf("refused under %q, want %s", le.Msg, RuleLedgerTxnOfEvent)
	}
}

// TestVerifyNamesAnEntryWithAnotherItemsTxn: an entry written below Append's
// checks (a bad writer with the store's key) that names another item's
// transaction is named by verify, although its leaf, chain and signature
// are all in order.
func TestVerifyNamesAnEntryWithAnotherItemsTxn(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "10.00")
	_, txn2 := l.seize(t, 2, "20.00")
	l.writeBelowAppend(t, Entry{Item: 1, Event: EventDestroyed, At: at(10), RecordedBy: "custodian:x", Remarks: "on order", LedgerTxn: txn2.ID})
	l.close(t)
	err := verifyFile(t, l)
	if err == nil || !strings.Contains(err.Error(), "custody entry 3: names ledger transaction 2, which does not post to item 1's account custody:item:1") {
		t.Fatalf("verify: %v", err)
	}
}

// TestOpenRefusesAKeyOfAnotherStore: a read-only open with a key file that
// does not sign this store's log is refused, naming the key.
func TestOpenRefusesAKeyOfAnotherStore(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "10.00")
	other := mustOpen(t)
	other.seize(t, 1, "10.00")
	l.close(t)
	s, err := ledger.Open(l.db, ledger.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(s, other.key, testKinds); err == nil || !strings.Contains(err.Error(), "does not belong to this store") {
		t.Fatalf("open with another store's key: %v", err)
	}
	if _, err := Open(s, l.key, testKinds); err != nil {
		t.Fatalf("open with the store's own key: %v", err)
	}
	if _, err := Open(s, filepath.Join(t.TempDir(), "absent.key"), testKinds); err != nil {
		t.Fatalf("open without a key file: %v", err)
	}
}

// TestRefusalsNameTheSealTheLogHolds: a custodian told the seal is wrong is
// told which seal the log holds, or that it holds none.
func TestRefusalsNameTheSealTheLogHolds(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "10.00") // seal FIA-ISB-0001 intact
	le := refusedField(t, l, Entry{Item: 1, Event: EventStored, At: at(10), RecordedBy: "custodian:asif", Location: Location{Room: "malkhana"},
		SealBefore: Seal{Number: "FIA-ISB-0009", State: SealIntact}}, "seal_before")
	if want := `the log says the seal is "FIA-ISB-0001" intact`; !strings.Contains(le.Fields[0].Reason, want) {
		t.Errorf("reason %q does not say %s", le.Fields[0].Reason, want)
	}
	l.append(t, Entry{Item: 2, Event: EventSeized, At: at(0), RecordedBy: "custodian:asif", To: "SI Bilal", Location: Location{Room: "raid site"}})
	le = refusedField(t, l, Entry{Item: 2, Event: EventUnsealed, At: at(10), RecordedBy: "custodian:asif"}, "event")
	if want := "bears no intact seal (none)"; !strings.Contains(le.Fields[0].Reason, want) {
		t.Errorf("reason %q does not say %s", le.Fields[0].Reason, want)
	}
}

// TestSealFoundBrokenIsTheOnlyExcuse: a seal_before that differs from the
// log is accepted only as the log's intact seal found broken. The machine
// holds this on its own, since Verify replays entries without the field
// checks of Append.
func TestSealFoundBrokenIsTheOnlyExcuse(t *testing.T) {
	t.Run("a broken seal claimed intact again", func(t *testing.T) {
		l := mustOpen(t)
		l.seize(t, 1, "10.00") // FIA-ISB-0001 intact
		l.append(t, Entry{Item: 1, Event: EventUnsealed, At: at(10), RecordedBy: "custodian:asif"})
		refusedField(t, l, Entry{Item: 1, Event: EventStored, At: at(20), RecordedBy: "custodian:asif", Location: Location{Room: "malkhana"},
			SealBefore: Seal{Number: "FIA-ISB-0001", State: SealIntact}, SealAfter: Seal{Number: "FIA-ISB-0001", State: SealIntact}, Remarks: "looks fine to me"}, "seal_before")
	})
	t.Run("a broken seal on an item the log says bears none", func(t *testing.T) {
		st := &ItemState{Item: 1, Holder: "SI Bilal", Seal: Seal{State: SealNone}, Status: StatusInCustody, LastAt: at(0)}
		e := Entry{Item: 1, Event: EventStored, At: at(10), Location: Location{Room: "malkhana"}, SealBefore: Seal{State: SealBroken}, Remarks: "torn"}
		_, err := apply(st, &e)
		var le *ledger.Error
		if !errors.As(err, &le) || len(le.Fields) != 1 || le.Fields[0].Field != "seal_before" {
			t.Fatalf("want a refusal naming seal_before, got %v", err)
		}
	})
}

// TestWalletWithoutNetworkIsNotValidated: the address is checked against
// the chain that location.network names; with no network there is no chain
// to check it against, so it is not taken for a bitcoin address.
func TestWalletWithoutNetworkIsNotValidated(t *testing.T) {
	l := mustOpen(t)
	l.seize(t, 1, "1.00")
	l.append(t, Entry{Item: 1, Event: EventMovedOnChain, At: at(10), RecordedBy: "custodian:x",
		Location: Location{Wallet: "0xC93C60e8d36c03BfA6B0cD156edcB9bd502A4830", TxID: strings.Repeat("cd", 32)}})
}

// TestVerifyNamesAnOnChainMoveOfCash: a moved_on_chain entry written below
// Append's checks for an item its record calls cash is named by verify.
func TestVerifyNamesAnOnChainMoveOfCash(t *testing.T) {
	l := mustOpen(t)
	l.itemRecord(t, 1, "cash: a bag of USD notes")
	l.seize(t, 1, "10.00")
	l.writeBelowAppend(t, Entry{Item: 1, Event: EventMovedOnChain, At: at(10), RecordedBy: "custodian:x", Location: agencyWallet})
	l.close(t)
	err := verifyFile(t, l)
	if err == nil || !strings.Contains(err.Error(), "custody entry 2: moved_on_chain of item 1, which its record calls cash") {
		t.Fatalf("verify: %v", err)
	}
}

// writeBelowAppend writes e as a writer holding the store's key could:
// through the state machine and the signed log, but past every check of
// Append that the state machine does not make.
func (l *testLog) writeBelowAppend(t *testing.T, e Entry) {
	t.Helper()
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		e.Recorded = tx.Now.UTC()
		st, err := loadState(tx, e.Item)
		if err != nil {
			return err
		}
		next, err := apply(st, &e)
		if err != nil {
			return err
		}
		_, err = l.c.write(tx, e, st, next)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
