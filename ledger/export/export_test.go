package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/export/crosscheck"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// items is the evidence register of the fixture.
type items map[string]finance.ItemRef

func (d items) Item(_ *ledger.Tx, id string) (finance.ItemRef, error) {
	r, ok := d[id]
	if !ok {
		return finance.ItemRef{}, ledger.Errorf(ledger.ENotFound, "item %s not found", id)
	}
	return r, nil
}

func (d items) Items(*ledger.Tx) ([]finance.ItemRef, error) {
	var out []finance.ItemRef
	for _, r := range d {
		out = append(out, r)
	}
	return out, nil
}

type custody struct{}

func (custody) RecordConversion(_ *ledger.Tx, ev finance.ConversionEvent) (string, error) {
	return "c" + strconv.FormatUint(ev.TxnID, 10), nil
}

func amount(t testing.TB, code, text string) money.Amount {
	t.Helper()
	a, err := money.ParseAmount(money.MustLookup(code), text, money.Signed)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// buildStore writes the fixture books at path: seizures in fiat with 0, 2
// and 3 decimals, BTC, 18-decimal ETH and a very large IDR holding; rates
// from several sources; a conversion with fees and a realised gain; a
// reconciliation variance; a mistaken transaction and its reversal; a
// parent account with postings of its own beside a child's; a memo with a
// ';' and a line break; and a movement after the as-of date of the tests.
func buildStore(t testing.TB, path string) (*ledger.Store, *finance.Service) {
	t.Helper()
	now := time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)
	s, err := ledger.Open(path, ledger.Options{Now: func() time.Time { return now }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := items{
		"1": {ID: "1", CaseID: "1", Circle: "islamabad", Location: "islamabad:malkhana"},
		"2": {ID: "2", CaseID: "1", Circle: "islamabad", Location: "islamabad:wallet"},
		"3": {ID: "3", CaseID: "2", Circle: "lahore", Location: "lahore:malkhana"},
	}
	svc := finance.New(finance.Config{Items: dir, Custody: custody{}})
	at := func(d, h int) time.Time { return time.Date(2025, 6, d, h, 0, 0, 0, time.UTC) }
	write := func(fn func(tx *ledger.Tx) error) {
		t.Helper()
		if err := s.Write(context.Background(), fn); err != nil {
			t.Fatal(err)
		}
	}
	post := func(tx *ledger.Tx, eff time.Time, memo string, links []ledger.Link, ps ...ledger.Posting) ledger.Transaction {
		t.Helper()
		txn, err := tx.Post(ledger.Transaction{Effective: eff, Actor: "custodian:amina", Memo: memo, Links: links, Postings: ps})
		if err != nil {
			t.Fatal(err)
		}
		return txn
	}
	p := func(account, code, text string) ledger.Posting {
		return ledger.Posting{Account: account, Amount: amount(t, code, text)}
	}
	var mistaken uint64
	write(func(tx *ledger.Tx) error {
		post(tx, at(2, 9), "FIR 112/2025 seizure at the call centre; bag A\nsealed", []ledger.Link{{Kind: "case", Ref: "1"}, {Kind: "item", Ref: "1"}},
			p("custody:item:1", "USD", "1500.00"), p("seized:case:1", "USD", "-1500.00"),
			p("custody:item:1", "BTC", "0.50000000"), p("seized:case:1", "BTC", "-0.50000000"),
			p("custody:item:1", "VND", "123456789"), p("seized:case:1", "VND", "-123456789"),
			p("custody:item:1", "KWD", "250.125"), p("seized:case:1", "KWD", "-250.125"))
		post(tx, at(2, 10), "wallet", []ledger.Link{{Kind: "item", Ref: "2"}},
			p("custody:item:2", "ETH", "1.000000000000000001"), p("seized:case:1", "ETH", "-1.000000000000000001"),
			p("custody:item:2", "USDT", "25000.000001"), p("seized:case:1", "USDT", "-25000.000001"))
		post(tx, at(3, 11), "", nil,
			p("custody:item:3", "IDR", "99999999999999999999999.99"), p("seized:case:2", "IDR", "-99999999999999999999999.99"),
			p("custody:item:3", "JPY", "1000"), p("seized:case:2", "JPY", "-1000"))
		mistaken = post(tx, at(3, 12), "entered against the wrong item", nil,
			p("custody:item:3", "USD", "10.00"), p("seized:case:2", "USD", "-10.00")).ID
		return nil
	})
	write(func(tx *ledger.Tx) error {
		_, err := tx.Reverse(mistaken, "custodian:amina", "reversal of a mistaken entry", at(3, 13))
		return err
	})
	for _, r := range []finance.RateInput{
		{Currency: "USD", Rate: "278.6500", Effective: "2025-06-02", Source: "sbp-interbank"},
		{Currency: "USD", Rate: "278.1000", Effective: "2025-06-02", Source: "exchange-close"},
		{Currency: "USD", Rate: "279.0000", Effective: "2025-06-04", Source: "sbp-interbank"},
		{Currency: "BTC", Rate: "29500000.5", Effective: "2025-06-02", Source: "exchange-close"},
		{Currency: "VND", Rate: "0.0108450000", Effective: "2025-06-02", Source: "sbp-interbank"},
		{Currency: "ETH", Rate: "700000", Effective: "2025-06-02", Source: "exchange-close"},
		{Currency: "USDT", Rate: "280.123456", Effective: "2025-06-02", Source: "exchange-close"},
		{Currency: "KWD", Rate: "911.25", Effective: "2025-06-02", Source: "sbp-interbank"},
		{Currency: "IDR", Rate: "0.0172", Effective: "2025-06-10", Source: "sbp-interbank"},
	} {
		write(func(tx *ledger.Tx) error { _, err := svc.AddRate(tx, r, "finance:bilal"); return err })
	}
	write(func(tx *ledger.Tx) error {
		_, err := svc.Convert(tx, finance.ConversionInput{ItemID: "2", Sold: []finance.CountInput{{Currency: "ETH", Amount: "1.000000000000000001"}, {Currency: "USDT", Amount: "25000.000001"}}, Proceeds: "7950000.00", Fees: "12000.55", ExecutedAt: "2025-06-04T08:30:00Z", Counterparty: "licensed exchange"}, "finance:bilal")
		return err
	})
	write(func(tx *ledger.Tx) error {
		_, err := svc.Reconcile(tx, finance.ReconciliationInput{ItemID: "1", Date: "2025-06-05", Counts: []finance.CountInput{{Currency: "USD", Amount: "1450.00"}}, Explanation: "one 50-dollar note missing"}, "finance:bilal")
		return err
	})
	write(func(tx *ledger.Tx) error {
		post(tx, at(20, 9), "bank charge on the proceeds", []ledger.Link{{Kind: "case", Ref: "1"}},
			p("proceeds:case:1", "PKR", "-150.00"), p("fees:conversion:bank", "PKR", "150.00"))
		return nil
	})
	return s, svc
}

func journalOf(t testing.TB, s *ledger.Store, svc *finance.Service, opt Options) []byte {
	t.Helper()
	opt.Rates = svc
	var buf bytes.Buffer
	if err := s.View(func(tx *ledger.Tx) error { _, err := Journal(tx, &buf, opt); return err }); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func summaryOf(t testing.TB, s *ledger.Store, opt Options) crosscheck.Balances {
	t.Helper()
	var bs []Balance
	if err := s.View(func(tx *ledger.Tx) (err error) { bs, err = Balances(tx, opt); return err }); err != nil {
		t.Fatal(err)
	}
	out := crosscheck.Balances{}
	for _, b := range bs {
		out[crosscheck.Key(b.Account, b.Currency)] = b.Amount
	}
	return out
}

func TestJournalGolden(t *testing.T) {
	s, svc := buildStore(t, filepath.Join(t.TempDir(), "amanat.db"))
	defer s.Close()
	for _, tt := range []struct {
		name string
		opt  Options
	}{
		{"journal.golden", Options{}},
		{"journal-2025-06-03.golden", Options{AsOf: time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := journalOf(t, s, svc, tt.opt)
			path := filepath.Join("testdata", tt.name)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("journal differs from %s (go test -update rewrites it):\n%s", path, got)
			}
		})
	}
}

// requireTools skips without hledger and ledger, unless CI asks for them.
func requireTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"hledger", "ledger"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("AMANAT_REQUIRE_LEDGER_TOOLS") != "" {
				t.Fatalf("%s is not installed (apt-get install hledger ledger)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

func crossCheck(t *testing.T, journal string, want crosscheck.Balances) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("nothing to compare")
	}
	for tool, read := range map[string]func(string) (crosscheck.Balances, error){"hledger": crosscheck.Hledger, "ledger": crosscheck.Ledger} {
		got, err := read(journal)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if d := crosscheck.Diff(tool, want, got); len(d) > 0 {
			t.Errorf("%s disagrees with Amanat:\n%s", tool, strings.Join(d, "\n"))
		}
	}
}

func TestJournalAgreesWithHledgerAndLedger(t *testing.T) {
	requireTools(t)
	dir := t.TempDir()
	s, svc := buildStore(t, filepath.Join(dir, "amanat.db"))
	defer s.Close()
	for _, asOf := range []string{"", "2025-06-01", "2025-06-03", "2025-06-05", "2025-06-20"} {
		t.Run("as-of "+asOf, func(t *testing.T) {
			var opt Options
			if asOf != "" {
				d, _ := finance.ParseDate(asOf)
				opt.AsOf = d
			}
			path := filepath.Join(dir, "books"+asOf+".journal")
			if err := os.WriteFile(path, journalOf(t, s, svc, opt), 0o644); err != nil {
				t.Fatal(err)
			}
			want := summaryOf(t, s, opt)
			if asOf == "2025-06-01" {
				if len(want) != 0 {
					t.Fatalf("balances before the first seizure: %v", want)
				}
				return
			}
			crossCheck(t, path, want)
		})
	}
}

// TestCrossCheckFiles compares a journal and a balance summary written by the
// amanat binary (.ci/hledger-check sets the two paths).
func TestCrossCheckFiles(t *testing.T) {
	journal, summary := os.Getenv("AMANAT_CROSSCHECK_JOURNAL"), os.Getenv("AMANAT_CROSSCHECK_BALANCES")
	if journal == "" || summary == "" {
		t.Skip("AMANAT_CROSSCHECK_JOURNAL and AMANAT_CROSSCHECK_BALANCES are not set")
	}
	requireTools(t)
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	want, err := crosscheck.ParseSummary(data)
	if err != nil {
		t.Fatal(err)
	}
	crossCheck(t, journal, want)
}

// TestWriteFixtureStore writes the fixture books to $AMANAT_FIXTURE_STORE for
// .ci/hledger-check to export with the amanat binary.
func TestWriteFixtureStore(t *testing.T) {
	path := os.Getenv("AMANAT_FIXTURE_STORE")
	if path == "" {
		t.Skip("AMANAT_FIXTURE_STORE is not set")
	}
	s, _ := buildStore(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSymbolQuotesWhatTheToolsWouldMisread(t *testing.T) {
	for in, want := range map[string]string{"USD": "USD", "USDT": "USDT", "BTC": "BTC", "USD1": `"USD1"`, "A B": `"A B"`, "1INCH": `"1INCH"`} {
		if got := Symbol(in); got != want {
			t.Errorf("Symbol(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestCSVHasOneRowPerPosting(t *testing.T) {
	s, _ := buildStore(t, filepath.Join(t.TempDir(), "amanat.db"))
	defer s.Close()
	var buf bytes.Buffer
	var n int
	if err := s.View(func(tx *ledger.Tx) (err error) { n, err = CSV(tx, &buf, Options{}); return err }); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") || len(rows)-1 != n {
		t.Fatalf("header %v, %d rows for %d postings", rows[0], len(rows)-1, n)
	}
	sums := map[string]decimal.Decimal{}
	for _, r := range rows[1:] {
		k := crosscheck.Key(r[8], r[9])
		sums[k] = sums[k].Add(decimal.RequireFromString(r[10]))
	}
	want := summaryOf(t, s, Options{})
	for k, v := range sums {
		if v.IsZero() {
			if _, ok := want[k]; ok {
				t.Errorf("%s: csv sums to zero, Amanat holds %s", k, want[k])
			}
			continue
		}
		if w, ok := want[k]; !ok || !decimal.RequireFromString(w).Equal(v) {
			t.Errorf("%s: csv sums to %s, Amanat holds %s", k, v, w)
		}
	}
	if len(sums) < len(want) {
		t.Errorf("csv has %d account balances, Amanat %d", len(sums), len(want))
	}
	if !strings.Contains(buf.String(), "") || rows[1][4] != "FIR 112/2025 seizure at the call centre; bag A\nsealed" {
		t.Errorf("memo not kept exactly: %q", rows[1][4])
	}
}

func BenchmarkJournal(b *testing.B) {
	s, err := ledger.Open(filepath.Join(b.TempDir(), "amanat.db"), ledger.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const txns, perTxn = 50_000, 4
	codes := []string{"USD", "BTC", "ETH", "VND", "EUR"}
	eff := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	for start := 0; start < txns; start += 5000 {
		err := s.Write(context.Background(), func(tx *ledger.Tx) error {
			for i := start; i < start+5000; i++ {
				cur := money.MustLookup(codes[i%len(codes)])
				a, _ := money.New(cur, decimal.New(int64(i+1), -cur.Scale/2))
				item, cs := fmt.Sprint(i+1), fmt.Sprint(i%500+1)
				_, err := tx.Post(ledger.Transaction{Effective: eff, Actor: "custodian:bench", Memo: "seizure " + item,
					Links: []ledger.Link{{Kind: "item", Ref: item}},
					Postings: []ledger.Posting{
						{Account: "custody:item:" + item, Amount: a}, {Account: "seized:case:" + cs, Amount: a.Neg()},
						{Account: "custody:item:" + item, Amount: a}, {Account: "seized:case:" + cs, Amount: a.Neg()},
					}})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		if err := s.View(func(tx *ledger.Tx) (err error) { n, err = Journal(tx, discard{}, Options{}); return err }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n != txns*perTxn {
		b.Fatalf("%d postings", n)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "postings/s")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestCrossCheckCatchesADifference proves the comparison can fail: a journal
// with one amount changed (and its counterpart, so it still balances)
// disagrees with Amanat in both tools.
func TestCrossCheckCatchesADifference(t *testing.T) {
	requireTools(t)
	dir := t.TempDir()
	s, svc := buildStore(t, filepath.Join(dir, "amanat.db"))
	defer s.Close()
	j := string(journalOf(t, s, svc, Options{}))
	j = strings.Replace(j, "custody:item:1    1500.00 USD", "custody:item:1    1500.01 USD", 1)
	j = strings.Replace(j, "seized:case:1    -1500.00 USD", "seized:case:1    -1500.01 USD", 1)
	path := filepath.Join(dir, "tampered.journal")
	if err := os.WriteFile(path, []byte(j), 0o644); err != nil {
		t.Fatal(err)
	}
	want := summaryOf(t, s, Options{})
	for tool, read := range map[string]func(string) (crosscheck.Balances, error){"hledger": crosscheck.Hledger, "ledger": crosscheck.Ledger} {
		got, err := read(path)
		if err != nil {
			t.Fatal(err)
		}
		d := crosscheck.Diff(tool, want, got)
		if len(d) != 2 || !strings.Contains(d[0], "custody:item:1 USD: Amanat 1450.00, "+tool+" 1450.01") {
			t.Fatalf("%s: diff %q", tool, d)
		}
	}
}
