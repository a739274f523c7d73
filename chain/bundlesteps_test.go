package chain

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Each failure of CheckBundle names the check it failed, so that a reader
// can say which checks passed before it; the text is the cause's alone.
func TestBundleFailureNamesItsCheck(t *testing.T) {
	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	data, err := l.c.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	key := l.c.PublicKey()
	rows := []struct {
		name string
		edit func(b *mBundle)
		want string
	}{
		{"another format", func(b *mBundle) { b.Format = "amanat-custody-bundle/0" }, CheckReadable},
		{"the tree size", func(b *mBundle) { b.TreeSize++ }, CheckCheckpoint},
		{"a custody fact", func(b *mBundle) { b.Entries[1].Canonical = strings.Replace(b.Entries[1].Canonical, "Asif", "Asim", 1) }, CheckEntries},
		{"the linked transaction", func(b *mBundle) { b.Transactions = nil }, CheckTransactions},
		{"the item's own record", func(b *mBundle) {
			b.Records[0].Canonical = strings.Replace(b.Records[0].Canonical, "brown", "green", 1)
		}, CheckRecords},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			var b mBundle
			if err := json.Unmarshal(data, &b); err != nil {
				t.Fatal(err)
			}
			r.edit(&b)
			bad, _ := json.Marshal(b)
			_, err := CheckBundle(bad, testKinds, key)
			if got := FailedCheck(err); got != r.want {
				t.Fatalf("failed check %q (%v), want %q", got, err, r.want)
			}
			if errors.Unwrap(err).Error() != err.Error() {
				t.Fatalf("the text %q is not its cause's", err)
			}
		})
	}
	if _, err := CheckBundle(data, testKinds, "amanat.example+00000000+AAAA"); FailedCheck(err) != CheckCheckpoint {
		t.Fatalf("a bad trusted key: %v, want the checkpoint check", err)
	}
	if FailedCheck(nil) != "" {
		t.Fatal("no error names a check")
	}
}
