package chain

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/amanat-ledger/amanat/ledger"
)

// TestApprovedByIsInTheEntry: an approved entry carries its approver in its
// canonical bytes (so in its leaf hash and every court bundle); an entry
// that needed no approval has no approved_by line, so its bytes are those it
// always had; and an approver who is the proposer is refused.
func TestApprovedByIsInTheEntry(t *testing.T) {
	l := mustOpen(t)
	first, _ := l.seize(t, 7, "1500.00")
	if bytes.Contains(first.Canonical(), []byte("approved_by")) {
		t.Fatalf("an entry without approval carries an approved_by line:\n%s", first.Canonical())
	}
	release := Entry{Item: 7, Event: EventForfeited, At: at(600), RecordedBy: "custodian:asif",
		CourtOrder: &CourtOrder{Number: "Crl. Misc. 44/2025", Date: "2025-06-01"}}

	self := release
	self.ApprovedBy = "custodian:asif"
	_, err := l.tryAppend(self)
	var le *ledger.Error
	if !errors.As(err, &le) || len(le.Fields) == 0 || le.Fields[0].Field != "approved_by" || !strings.Contains(le.Fields[0].Reason, RuleTwoPersons) {
		t.Fatalf("approval by the proposer: %v, want approved_by refused under %s", err, RuleTwoPersons)
	}
	if err := l.store.View(func(tx *ledger.Tx) error { return l.c.Check(tx, self) }); err == nil {
		t.Fatal("Check accepts what Append refuses")
	}

	release.ApprovedBy = "supervisor:rana"
	var checked error
	_ = l.store.Write(context.Background(), func(tx *ledger.Tx) error { checked = l.c.Check(tx, release); return nil })
	if checked != nil {
		t.Fatalf("Check refuses a good release: %v", checked)
	}
	if st := l.state(t, 7); st.Entries != 1 {
		t.Fatalf("Check wrote: %d entries", st.Entries)
	}
	got := l.append(t, release)[0]
	canon := got.Canonical()
	if !bytes.Contains(canon, []byte("\nrecorded_by \"custodian:asif\"\napproved_by \"supervisor:rana\"\n")) {
		t.Fatalf("canonical entry lacks both names:\n%s", canon)
	}
	back, err := DecodeEntry(canon)
	if err != nil || back.ApprovedBy != "supervisor:rana" || back.RecordedBy != "custodian:asif" {
		t.Fatalf("decode: %+v %v", back, err)
	}
	l.mustVerify(t)
}
