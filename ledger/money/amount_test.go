package money

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseAmount(t *testing.T) {
	btc, usd, vnd, eth := MustLookup("BTC"), MustLookup("USD"), MustLookup("VND"), MustLookup("ETH")
	tests := []struct {
		name    string
		cur     Currency
		in      string
		sign    Sign
		want    string // rendered at the currency's scale; "" when refused
		wantErr string // part of the reason
	}{
		{"one satoshi", btc, "0.00000001", Positive, "0.00000001", ""},
		{"whole dollars render at scale", usd, "1500", Positive, "1500.00", ""},
		{"dong has no decimals", vnd, "250000", Positive, "250000", ""},
		{"wei precision", eth, "1.000000000000000001", Positive, "1.000000000000000001", ""},
		{"leading zeros are plain digits", usd, "007.5", Positive, "7.50", ""},
		{"a ninth satoshi place is refused, not rounded", btc, "0.000000001", Positive, "", "at most 8 decimal places"},
		{"dong with a fraction", vnd, "1.5", Positive, "", "no decimal places"},
		{"trailing zero past the scale is still too many places", usd, "1.500", Positive, "", "at most 2"},
		{"exponent", usd, "1e3", Positive, "", "exponent"},
		{"plus sign", usd, "+5", Positive, "", "'+'"},
		{"space", usd, "1 000", Positive, "", "white space"},
		{"comma separator", usd, "1,000", Positive, "", "separator"},
		{"empty", usd, "", Positive, "", "empty"},
		{"bare point", usd, ".5", Positive, "", "before the decimal point"},
		{"trailing point", usd, "5.", Positive, "", "after the decimal point"},
		{"two points", usd, "1.2.3", Positive, "", "more than one"},
		{"zero seized", usd, "0", Positive, "", "greater than zero"},
		{"negative seized", usd, "-5", Positive, "", "negative"},
		{"zero count allowed", usd, "0.00", NonNegative, "0.00", ""},
		{"negative posting", usd, "-12.34", Signed, "-12.34", ""},
		{"inner minus", usd, "1-2", Signed, "", "not a leading sign"},
		{"letters", usd, "12abc", Positive, "", "only digits"},
		{"unicode digit", usd, "١٢", Positive, "", "only digits"},
		{"longer than the text limit, though only 1.00", usd, strings.Repeat("0", maxTextLen-3) + "1.00", Positive, "", "longer than"},
		{"exactly the text limit, leading zeros are not digits of the value", usd, strings.Repeat("0", maxTextLen-4) + "1.00", Positive, "1.00", ""},
		{"58 nines of cash", usd, strings.Repeat("9", 58), Positive, "", "too large"},
		{"an ETH holding of 10^40", eth, "1" + strings.Repeat("0", 40), Positive, "", "too large"},
		{"a negative amount past the bound", usd, "-1" + strings.Repeat("0", MaxDigits), Signed, "", "too large"},
		{"nines in every place", usd, "999.99", Positive, "999.99", ""},
		{"NaN", usd, "NaN", Positive, "", "only digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAmount(tt.cur, tt.in, tt.sign)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseAmount(%q) = %s, want error containing %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseAmount(%q) error %q, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAmount(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Fatalf("ParseAmount(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestToPKRRoundsHalfAwayFromZero(t *testing.T) {
	usd, vnd := MustLookup("USD"), MustLookup("VND")
	tests := []struct {
		name   string
		amount Amount
		rate   string
		want   string
	}{
		{"half a paisa rounds up", mustAmount(t, usd, "0.01"), "0.5", "0.01"},         // 0.005
		{"just under half rounds down", mustAmount(t, usd, "0.01"), "0.4999", "0.00"}, // 0.004999
		{"negative half rounds away from zero", mustAmount(t, usd, "-0.01"), "0.5", "-0.01"},
		{"banker's rounding would give 0.02", mustAmount(t, usd, "0.05"), "0.5", "0.03"}, // 0.025
		{"dong at a small rate", mustAmount(t, vnd, "1000000"), "0.010845", "10845.00"},
		{"usd at interbank", mustAmount(t, usd, "1500.00"), "282.4500", "423675.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.amount.ToPKR(decimal.RequireFromString(tt.rate))
			if got.String() != tt.want || got.Currency() != PKR {
				t.Fatalf("%s × %s = %s %s, want %s PKR", tt.amount, tt.rate, got, got.Currency(), tt.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	for code, scale := range map[string]int32{"PKR": 2, "USD": 2, "VND": 0, "IDR": 2, "KWD": 3, "JPY": 0, "BTC": 8, "ETH": 18, "USDT": 6, "TRX": 6, "CLF": 4} {
		c, err := Lookup(code)
		if err != nil || c.Scale != scale {
			t.Errorf("Lookup(%s) = %+v, %v; want scale %d", code, c, err, scale)
		}
	}
	if _, err := Lookup("usd"); err == nil || !strings.Contains(err.Error(), "upper case") {
		t.Errorf("Lookup(usd) error = %v, want an upper-case hint", err)
	}
	if _, err := Lookup("XAU"); err == nil {
		t.Errorf("Lookup(XAU) should be unknown: gold is not cash")
	}
}

func mustAmount(t testing.TB, c Currency, s string) Amount {
	t.Helper()
	a, err := ParseAmount(c, s, Signed)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// FuzzParseAmount checks that the parser never panics, that whatever it
// accepts is plain notation within scale, and that accepted text round-trips.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0.00012345", "1500", "-1.5", "1e5", "+1", ".5", "5.", "1.2.3", "0", "00.10", "9999999999999999999999999.99999999", " 1", "NaN", "Inf", "0x10", "1_000"} {
		f.Add(s, "BTC", int(Signed))
		f.Add(s, "VND", int(Positive))
	}
	f.Fuzz(func(t *testing.T, s, code string, sign int) {
		cur, err := Lookup(code)
		if err != nil {
			return
		}
		sg := Sign(((sign % 3) + 3) % 3)
		a, err := ParseAmount(cur, s, sg)
		if err != nil {
			return
		}
		for _, ch := range s {
			if !(ch >= '0' && ch <= '9') && ch != '.' && ch != '-' {
				t.Fatalf("accepted %q with character %q", s, ch)
			}
		}
		if sg == Positive && a.Sign() <= 0 {
			t.Fatalf("accepted non-positive %q as Positive", s)
		}
		back, err := ParseAmount(cur, a.String(), Signed)
		if err != nil || !back.Equal(a) {
			t.Fatalf("round trip of %q via %q: %v, %v", s, a.String(), back, err)
		}
	})
}

func TestAllIsEveryCurrencyInCodeOrder(t *testing.T) {
	all := All()
	if len(all) != len(iso4217)+len(cryptoAssets) {
		t.Fatalf("All has %d currencies, the tables %d", len(all), len(iso4217)+len(cryptoAssets))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Code >= all[i].Code {
			t.Fatalf("All is not in code order: %s before %s", all[i-1].Code, all[i].Code)
		}
	}
	if all[0].Code != "AED" || !MustLookup("ETH").Crypto || MustLookup("USD").Crypto {
		t.Fatalf("All starts at %s; ETH crypto %v, USD crypto %v", all[0].Code, MustLookup("ETH").Crypto, MustLookup("USD").Crypto)
	}
}
