package ledger

import (
	"testing"
	"time"
)

// TestLatestPostingAt: the latest effective time over every currency of the
// account itself, not of a backdated write's id order, and not of an account
// whose name merely starts the same ("custody:item:1" is not
// "custody:item:10").
func TestLatestPostingAt(t *testing.T) {
	s := mustOpen(t)
	d := func(day, hour int) time.Time { return time.Date(2025, 6, day, hour, 0, 0, 0, time.UTC) }
	read := func(account string) (time.Time, bool) {
		t.Helper()
		var at time.Time
		var ok bool
		if err := s.View(func(tx *Tx) (err error) {
			at, ok, err = tx.LatestPostingAt(account)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return at, ok
	}
	if _, ok := read(itemAccount(1)); ok {
		t.Fatal("an account with no posting has a latest posting")
	}
	post(t, s, seize(t, 1, 7, "USD", "100.00", d(2, 9)))
	post(t, s, seize(t, 1, 7, "BTC", "0.5", d(5, 9)))
	post(t, s, seize(t, 1, 7, "USD", "1.00", d(3, 9))) // backdated, written last
	post(t, s, seize(t, 10, 7, "USD", "5.00", d(9, 9)))
	if at, ok := read(itemAccount(1)); !ok || !at.Equal(d(5, 9)) {
		t.Fatalf("latest posting of item 1 = %v %v, want %v", at, ok, d(5, 9))
	}
	if at, ok := read(itemAccount(10)); !ok || !at.Equal(d(9, 9)) {
		t.Fatalf("latest posting of item 10 = %v %v, want %v", at, ok, d(9, 9))
	}
	if _, ok := read("custody:item"); ok {
		t.Fatal("a parent account reads its children's postings")
	}
}
