package finance

import (
	"testing"
)

// FuzzCheckRate checks that rate input never panics the checker and that an
// accepted rate is kept exactly as written, positive, within RatePlaces, on a
// real date.
func FuzzCheckRate(f *testing.F) {
	for _, s := range []string{"278.6500", "0.0108450000", "1", "0", "-1", "1e3", "0.00000000001", ".5", "5.", "١٢", "NaN", " 1", "1,000.00"} {
		f.Add("USD", s, "2025-06-02", "sbp-interbank")
	}
	f.Add("VND", "0.01", "2025-02-29", "x")
	f.Add("usd", "1", "1969-12-31", "State Bank")
	f.Fuzz(func(t *testing.T, cur, rate, eff, src string) {
		r, err := CheckRate(RateInput{Currency: cur, Rate: rate, Effective: eff, Source: src})
		if err != nil {
			return
		}
		if r.Text != rate || r.Value.Sign() <= 0 || -r.Value.Exponent() > RatePlaces && !r.Value.Equal(r.Value.Truncate(RatePlaces)) {
			t.Fatalf("accepted rate %q as %+v", rate, r)
		}
		d, err := ParseDate(eff)
		if err != nil || FormatDate(d) != eff {
			t.Fatalf("accepted date %q: %v", eff, err)
		}
	})
}
