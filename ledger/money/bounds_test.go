package money

import (
	"math/big"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// oneOfEachScale returns one currency for every scale the table holds, so a
// bound is tried at 0, 2, 3, 4, 6, 8 and 18 places.
func oneOfEachScale(t testing.TB) []Currency {
	t.Helper()
	seen := map[int32]bool{}
	var out []Currency
	for _, c := range All() {
		if !seen[c.Scale] {
			seen[c.Scale] = true
			out = append(out, c)
		}
	}
	if len(out) < 7 {
		t.Fatalf("only %d scales in the table: %v", len(out), out)
	}
	return out
}

// nines writes the largest number with digits digits before the point and
// scale after it: 99…9.99…9.
func nines(digits int, scale int32) string {
	s := strings.Repeat("9", digits)
	if scale > 0 {
		s += "." + strings.Repeat("9", int(scale))
	}
	return s
}

// pow10 is 10^n as a decimal.
func pow10(n int) decimal.Decimal { return decimal.New(1, int32(n)) }

func TestEnteredAmountBoundAtEveryScale(t *testing.T) {
	for _, cur := range oneOfEachScale(t) {
		t.Run(cur.Code, func(t *testing.T) {
			largest := nines(MaxDigits, cur.Scale)
			for _, sign := range []Sign{Positive, NonNegative, Signed} {
				a, err := ParseAmount(cur, largest, sign)
				if err != nil {
					t.Fatalf("ParseAmount(%s, %s, %d): %v", cur, largest, sign, err)
				}
				if a.String() != largest || a.Digits() != MaxDigits {
					t.Fatalf("ParseAmount(%s) = %s (%d digits)", largest, a, a.Digits())
				}
			}
			if a, err := ParseAmount(cur, "-"+largest, Signed); err != nil || a.String() != "-"+largest {
				t.Fatalf("negative largest: %v %v", a, err)
			}
			if _, err := ParseAmount(cur, "000"+largest, Positive); err != nil {
				t.Fatalf("leading zeros counted as digits: %v", err)
			}
			for _, over := range []string{"1" + strings.Repeat("0", MaxDigits), nines(MaxDigits+1, 0)} {
				_, err := ParseAmount(cur, over, Positive)
				if err == nil || !strings.Contains(err.Error(), "too large") || !strings.Contains(err.Error(), "at most 24") {
					t.Fatalf("ParseAmount(%s, %s) error %v, want too large, at most 24", cur, over, err)
				}
			}
		})
	}
}

// TestStoredFormReadsEverySumOfAcceptedAmounts is the arithmetic of the
// bounds, run: the largest posting, summed 2^64 times (the most postings an
// account can count), then valued at the largest rate and summed 2^64 times
// again, still reads back through ParseStored at every scale.
func TestStoredFormReadsEverySumOfAcceptedAmounts(t *testing.T) {
	twoTo64 := decimal.NewFromBigInt(new(big.Int).Lsh(big.NewInt(1), 64), 0)
	maxRate := pow10(MaxRateDigits).Sub(decimal.New(1, -10))
	for _, cur := range oneOfEachScale(t) {
		t.Run(cur.Code, func(t *testing.T) {
			ulp := decimal.New(1, -cur.Scale)
			entered, err := ParseAmount(cur, nines(MaxDigits, cur.Scale), Positive)
			if err != nil {
				t.Fatal(err)
			}
			posting, err := New(cur, pow10(MaxPostingDigits).Sub(ulp))
			if err != nil {
				t.Fatal(err)
			}
			if err := posting.CheckPosting(); err != nil {
				t.Fatalf("largest posting refused: %v", err)
			}
			if posting.Digits() != MaxPostingDigits {
				t.Fatalf("largest posting has %d digits", posting.Digits())
			}
			// A conversion's realised difference: proceeds and fees at the
			// entry bound, less a valuation at the largest rate.
			gain := entered.Decimal().Mul(decimal.NewFromInt(2)).Sub(entered.ToPKR(maxRate).Decimal().Neg())
			if g, _ := New(PKR, gain.Round(PKR.Scale)); g.CheckPosting() != nil {
				t.Fatalf("a realised difference of %s does not fit a posting", g)
			}
			balance, err := New(cur, posting.Decimal().Mul(twoTo64))
			if err != nil {
				t.Fatal(err)
			}
			value := balance.ToPKR(maxRate)
			total, _ := New(PKR, value.Decimal().Mul(twoTo64))
			for _, a := range []Amount{entered, posting, balance, balance.Neg(), value, total, total.Neg()} {
				back, err := ParseStored(a.Currency(), a.String())
				if err != nil {
					t.Fatalf("ParseStored of a reachable %s (%d digits): %v", a.Currency(), a.Digits(), err)
				}
				if !back.Equal(a) {
					t.Fatalf("ParseStored(%s) = %s", a, back)
				}
			}
		})
	}
}

func TestPostingBound(t *testing.T) {
	usd := MustLookup("USD")
	at, _ := New(usd, pow10(MaxPostingDigits).Sub(decimal.New(1, -2)).Neg())
	if err := at.CheckPosting(); err != nil {
		t.Fatalf("a posting of %d digits refused: %v", MaxPostingDigits, err)
	}
	over, _ := New(usd, pow10(MaxPostingDigits).Neg())
	if err := over.CheckPosting(); err == nil || !strings.Contains(err.Error(), "at most 38") {
		t.Fatalf("a posting of %d digits: %v, want refused", over.Digits(), err)
	}
}

func TestParseStoredBound(t *testing.T) {
	eth := MustLookup("ETH")
	largest := "-" + nines(MaxStoredDigits, eth.Scale)
	if len(largest) > maxTextLen {
		t.Fatalf("the largest stored amount (%d characters) is longer than the text limit", len(largest))
	}
	if _, err := ParseStored(eth, largest); err != nil {
		t.Fatalf("ParseStored at the bound: %v", err)
	}
	if _, err := ParseStored(eth, "1"+strings.Repeat("0", MaxStoredDigits)); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("ParseStored past the bound: %v", err)
	}
	if _, err := ParseStored(eth, "1.0000000000000000001"); err == nil {
		t.Fatal("ParseStored took a 19th place of ETH")
	}
	if _, err := ParseStored(eth, "1e5"); err == nil {
		t.Fatal("ParseStored took an exponent")
	}
}

func TestDigits(t *testing.T) {
	usd, vnd := MustLookup("USD"), MustLookup("VND")
	for _, tc := range []struct {
		a    Amount
		want int
	}{
		{Zero(usd), 0},
		{mustAmount(t, usd, "0.00"), 0},
		{mustAmount(t, usd, "0.99"), 0},
		{mustAmount(t, usd, "1.00"), 1},
		{mustAmount(t, usd, "-1500.00"), 4},
		{mustAmount(t, vnd, "1000000"), 7},
		{Amount{cur: vnd, val: decimal.New(1, 3)}, 4}, // 1e3 as arithmetic leaves it
	} {
		if got := tc.a.Digits(); got != tc.want {
			t.Errorf("Digits(%s) = %d, want %d", tc.a, got, tc.want)
		}
	}
}

func TestParseDecimalForRates(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		maxPlaces  int
		want       string
		wantPlaces int
		wantErr    string
	}{
		{"a published rate keeps its places", "278.6500", 10, "278.65", 4, ""},
		{"exactly the places allowed", "0.0000000001", 10, "0.0000000001", 10, ""},
		{"one place too many", "0.00000000001", 10, "", 0, "at most 10 decimal places"},
		{"the largest rate", nines(MaxRateDigits, 10), 10, nines(MaxRateDigits, 10), 10, ""},
		{"a rate past the bound", "1" + strings.Repeat("0", MaxRateDigits), 10, "", 0, "too large"},
		{"58 nines as a rate", strings.Repeat("9", 58), 10, "", 0, "too large"},
		{"zero is not a rate", "0", 10, "", 0, "greater than zero"},
		{"an exponent", "2.8e2", 10, "", 0, "exponent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, places, err := ParseDecimal(tt.in, Positive, tt.maxPlaces)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDecimal(%q) = %s, %v; want error containing %q", tt.in, d, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDecimal(%q): %v", tt.in, err)
			}
			if !d.Equal(decimal.RequireFromString(tt.want)) || places != tt.wantPlaces {
				t.Fatalf("ParseDecimal(%q) = %s, %d places; want %s, %d", tt.in, d, places, tt.want, tt.wantPlaces)
			}
		})
	}
}

func TestNewRefusesPlacesPastTheScale(t *testing.T) {
	usd, vnd := MustLookup("USD"), MustLookup("VND")
	for _, tc := range []struct {
		name string
		cur  Currency
		d    string
		want string // "" when refused
	}{
		{"within scale", usd, "1.5", "1.50"},
		{"at scale", usd, "1.25", "1.25"},
		{"trailing zeros past the scale are no value", usd, "1.500", "1.50"},
		{"a third place of value", usd, "1.005", ""},
		{"a fraction of a dong", vnd, "0.5", ""},
		{"a large sum", vnd, "1" + strings.Repeat("0", 60), "1" + strings.Repeat("0", 60)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(tc.cur, decimal.RequireFromString(tc.d))
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), "decimal places") {
					t.Fatalf("New(%s %s) = %s, %v; want refused", tc.cur, tc.d, a, err)
				}
				return
			}
			if err != nil || a.String() != tc.want || a.Currency() != tc.cur {
				t.Fatalf("New(%s %s) = %s %s, %v; want %s", tc.cur, tc.d, a, a.Currency(), err, tc.want)
			}
		})
	}
}

func TestArithmeticKeepsCurrenciesApart(t *testing.T) {
	usd, pkr := MustLookup("USD"), MustLookup("PKR")
	a, b := mustAmount(t, usd, "10.25"), mustAmount(t, usd, "0.75")
	if sum, err := a.Add(b); err != nil || sum.String() != "11.00" || sum.Currency() != usd {
		t.Fatalf("10.25 + 0.75 = %s %s, %v", sum, sum.Currency(), err)
	}
	if diff, err := b.Sub(a); err != nil || diff.String() != "-9.50" {
		t.Fatalf("0.75 - 10.25 = %s, %v", diff, err)
	}
	p := mustAmount(t, pkr, "10.25")
	if _, err := a.Add(p); err == nil || !strings.Contains(err.Error(), "cannot add PKR to USD") {
		t.Fatalf("USD + PKR: %v, want refused", err)
	}
	if _, err := a.Sub(p); err == nil {
		t.Fatal("USD - PKR allowed")
	}
	if a.Equal(p) {
		t.Fatal("10.25 USD equals 10.25 PKR")
	}
	if !a.Equal(mustAmount(t, usd, "10.25")) || a.Equal(b) {
		t.Fatal("Equal within one currency")
	}
	if a.Cmp(b) != 1 || b.Cmp(a) != -1 || a.Cmp(a) != 0 {
		t.Fatal("Cmp")
	}
	if a.Neg().Sign() != -1 || a.Sign() != 1 || Zero(usd).Sign() != 0 || !Zero(usd).IsZero() || a.IsZero() {
		t.Fatal("Sign, IsZero")
	}
	if string(a.Append([]byte("x "))) != "x 10.25" {
		t.Fatalf("Append = %q", a.Append([]byte("x ")))
	}
}

// TestStoredRateReadsPastTheRateBound: a rate stored before the rate bound
// existed (more than MaxRateDigits digits) must still read back, while a new
// one that large is refused on entry.
func TestStoredRateReadsPastTheRateBound(t *testing.T) {
	old := "1" + strings.Repeat("0", MaxRateDigits+5) + ".25"
	if _, _, err := ParseDecimal(old, Positive, 10); err == nil {
		t.Fatal("ParseDecimal took a rate past the bound")
	}
	d, err := ParseStoredDecimal(old, 10)
	if err != nil || d.String() != old {
		t.Fatalf("ParseStoredDecimal(%s) = %v, %v", old, d, err)
	}
	if _, err := ParseStoredDecimal("1.25", 1); err == nil {
		t.Fatal("ParseStoredDecimal took more places than allowed")
	}
	if _, err := ParseStoredDecimal("-1", 10); err == nil {
		t.Fatal("ParseStoredDecimal took a negative rate")
	}
}
