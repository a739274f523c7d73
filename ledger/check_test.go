package ledger

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestRunChecksStopsAtTheFirstFailure(t *testing.T) {
	s := mustOpen(t)
	ran := false
	broken := Checker{Name: "broken", Run: func(*Tx) (any, error) { return nil, errors.New("leaf 3 does not match") }}
	after := Checker{Name: "after", Run: func(*Tx) (any, error) { ran = true; return nil, nil }}
	rep := s.Check(BooksChecker, broken, after)
	if rep.OK || ran || len(rep.Checks) != 2 || !rep.Checks[0].OK || rep.Checks[1].Error != "leaf 3 does not match" {
		t.Fatalf("report %+v, later checker ran: %v", rep, ran)
	}
	got, err := json.Marshal(s.Check(BooksChecker))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"checks":[{"name":"ledger","ok":true,"summary":{"transactions":0,"reversals":0,"postings":0,"balances":0,"history_entries":0}}],"ok":true}`
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
}
