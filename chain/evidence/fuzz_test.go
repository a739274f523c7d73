package evidence

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/chain/address"
	"github.com/amanat-ledger/amanat/ledger/money"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// FuzzDecodeSeizure feeds arbitrary bodies to the decoder and the checks.
// They must never panic, and whatever they accept must be a seizure the
// rules allow, checked here again independently of check.go.
func FuzzDecodeSeizure(f *testing.F) {
	valid, _ := json.Marshal(validSeizure())
	f.Add(valid)
	f.Add([]byte(`{"case_id":"1","seized_at":"2025-06-03T10:30:00Z","location":"House 1","seized_from":"A","officer":"B",
		"items":[{"kind":"cash","seal":"S-1","description":"d","amounts":[{"currency":"VND","amount":"0","flagged":[{"denomination":"500000","count":2,"status":"doubtful"}]}]}]}`))
	f.Add([]byte(`{"case_id":1,"seized_at":"2025-06-03T10:30:00Z","seized_from":{"name":"A"},"officer":"B",
		"items":[{"kind":"wallet","seal":"W","description":"d","chain":"ethereum","addresses":["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"],"holdings":[{"currency":"ETH","amount":"1.000000000000000001"}]}]}`))
	f.Add([]byte(`{"items":[{"kind":"cash","amounts":[{"currency":"USD","amount":"1e3"}]}]}`))
	f.Add([]byte(`{"case_id":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeSeizure(body)
		if err != nil {
			return
		}
		s, err := CheckSeizure(req, testNow)
		if err != nil {
			return
		}
		assertValidSeizure(t, &s)
	})
}

func assertValidSeizure(t *testing.T, s *Seizure) {
	t.Helper()
	if s.CaseID == 0 || s.SeizedAt.IsZero() || s.SeizedAt.After(testNow.Add(futureTolerance)) || s.Officer == "" {
		t.Fatalf("accepted a seizure without case, time or officer: %+v", s)
	}
	if len(s.Items) == 0 || len(s.Items) != len(s.values) {
		t.Fatalf("accepted %d items with %d values", len(s.Items), len(s.values))
	}
	seals := map[string]bool{}
	for i, it := range s.Items {
		if text.CheckSeal(it.Seal) != "" || seals[sealKey(it.Seal)] {
			t.Fatalf("items[%d]: bad or repeated seal %q", i, it.Seal)
		}
		seals[sealKey(it.Seal)] = true
		if it.Description == "" || it.SeizedFrom.Name == "" {
			t.Fatalf("items[%d]: no description or person", i)
		}
		for _, s := range []string{it.Description, it.Remarks, it.SeizedFrom.Name, it.SeizedFrom.IDNumber, it.SecretsLocation} {
			if text.SecretKind(s) != "" {
				t.Fatalf("items[%d]: accepted a secret in %q", i, s)
			}
		}
		value := decimal.Zero
		for _, h := range it.Value() {
			cur, err := money.Lookup(h.Currency)
			if err != nil {
				t.Fatalf("items[%d]: %v", i, err)
			}
			a, err := money.ParseAmount(cur, h.Amount, money.NonNegative)
			if err != nil || a.String() != h.Amount {
				t.Fatalf("items[%d]: amount %q of %s is not canonical: %v", i, h.Amount, cur.Code, err)
			}
			value = value.Add(a.Decimal())
		}
		posted := decimal.Zero
		for _, a := range s.values[i] {
			if a.Sign() <= 0 {
				t.Fatalf("items[%d]: a non-positive amount %s would be posted", i, a)
			}
			posted = posted.Add(a.Decimal())
		}
		if !posted.Equal(value) {
			t.Fatalf("items[%d]: posts %s but its value is %s", i, posted, value)
		}
		switch it.Kind {
		case KindCash:
			if len(it.Amounts) == 0 || it.Chain != "" || len(it.Addresses) != 0 {
				t.Fatalf("items[%d]: a cash item with wallet fields or no amounts", i)
			}
			for _, a := range it.Amounts {
				if a.Denominations == nil {
					continue
				}
				sum := decimal.Zero
				for _, d := range a.Denominations {
					v, _ := decimal.NewFromString(d.Value)
					sum = sum.Add(v.Mul(decimal.NewFromUint64(d.Count)))
				}
				if amt, _ := decimal.NewFromString(a.Amount); !sum.Equal(amt) {
					t.Fatalf("items[%d]: denominations sum to %s, amount %s", i, sum, a.Amount)
				}
			}
		case KindWallet:
			if len(it.Addresses) == 0 || len(it.Holdings) == 0 || len(it.Amounts) != 0 {
				t.Fatalf("items[%d]: a wallet without addresses or holdings", i)
			}
			for _, a := range it.Addresses {
				if res, err := address.Validate(it.Chain, it.Network, a.Address); err != nil || !res.Valid || res.Type != a.Type {
					t.Fatalf("items[%d]: accepted address %q: %+v %v", i, a.Address, res, err)
				}
			}
			for _, h := range it.Holdings {
				if !strings.Contains(strings.Join(chainAssets[it.Chain], " "), h.Currency) {
					t.Fatalf("items[%d]: a %s wallet holding %s", i, it.Chain, h.Currency)
				}
			}
			if it.SecretsSealed != (it.SecretsLocation != "") {
				t.Fatalf("items[%d]: secrets sealed %v at %q", i, it.SecretsSealed, it.SecretsLocation)
			}
		default:
			t.Fatalf("items[%d]: kind %q", i, it.Kind)
		}
	}
}
