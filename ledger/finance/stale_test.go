package finance

import (
	"testing"
	"time"
)

func TestStaleRateAtTheBoundary(t *testing.T) {
	s, _ := mustOpen(t, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	seize(t, s, "1", "1", june(1, 10), amt(t, "USD", "1000.00"), amt(t, "PKR", "50.00"))
	addRate(t, s, New(Config{}), "USD", "278.50", "2025-06-02", "sbp-interbank")
	tests := []struct {
		name, asOf string
		days       int // Config.StaleRateDays; 0 for the default
		age        int
		stale      bool
	}{
		{"a rate of the valuation day is fresh", "2025-06-02", 0, 0, false},
		{"seven days old is not yet stale", "2025-06-09", 0, 7, false},
		{"eight days old is stale", "2025-06-10", 0, 8, true},
		{"a longer configured age keeps it fresh", "2025-06-10", 8, 8, false},
		{"and past it, stale", "2025-06-11", 8, 9, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := value(t, s, New(Config{StaleRateDays: tt.days}), tt.asOf, ByCurrency)
			for _, r := range v.Rows {
				if r.Currency == "PKR" {
					if r.StaleRate || r.RateAgeDays == nil || *r.RateAgeDays != 0 {
						t.Fatalf("PKR at par: %+v", r)
					}
					continue
				}
				if r.RateAgeDays == nil || *r.RateAgeDays != tt.age || r.StaleRate != tt.stale {
					t.Fatalf("USD row: age %v stale %v, want %d %v", r.RateAgeDays, r.StaleRate, tt.age, tt.stale)
				}
			}
		})
	}
	v := value(t, s, New(Config{}), "2025-06-01", ByCurrency)
	for _, r := range v.Rows {
		if r.Currency == "USD" && (!r.MissingRate || r.RateAgeDays != nil || r.StaleRate) {
			t.Fatalf("a missing rate is missing, not stale: %+v", r)
		}
	}
}
