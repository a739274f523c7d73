package ledger

import "testing"

func TestCheckAccount(t *testing.T) {
	for name, ok := range map[string]bool{
		"custody:item:12":            true,
		"custody:islamabad:malkhana": true,
		"seized:case:fir-112_2025.a": true,
		"custody":                    true,
		"":                           false,
		"custody:":                   false,
		":custody":                   false,
		"custody::item":              false,
		"custody:-item":              false,
		"custody:Item":               false,
		"custody:item 1":             false,
		"custody:ítem":               false,
		"unknownroot:x":              false,
	} {
		if err := CheckAccount(name); (err == nil) != ok {
			t.Errorf("CheckAccount(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
