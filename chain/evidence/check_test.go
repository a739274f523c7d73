package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	bip39 "github.com/cosmos/go-bip39"

	"github.com/amanat-ledger/amanat/ledger"
)

var testNow = time.Date(2025, 6, 4, 12, 0, 0, 0, time.UTC)

// validSeizure is a raid a custodian would register: a cash bag in two
// currencies with a count by denomination, and a TRON wallet on a phone.
func validSeizure() SeizureRequest {
	return SeizureRequest{
		CaseID:     1,
		SeizedAt:   "2025-06-03T10:30:00Z",
		Location:   PlaceInput{Building: "House 12, Street 4, F-7/2", Room: "upstairs office"},
		SeizedFrom: PersonInput{Name: "Li Wei", Nationality: "CN", IDType: "passport", IDNumber: "E12345678"},
		Officer:    "Inspector Ayesha Khan",
		Items: []ItemRequest{
			{Kind: KindCash, Seal: "ISB-0001", Description: "brown envelope of banknotes",
				Amounts: []CashAmount{
					{Currency: "USD", Amount: "1500.00", Denominations: []Denomination{{Value: "100", Count: 14}, {Value: "50", Count: 2}}},
					{Currency: "CNY", Amount: "2000", Serials: []string{"AB12345678"}},
				}},
			{Kind: KindWallet, Seal: "ISB-0002", Description: "TronLink wallet on a phone",
				Chain: "tron", Network: "mainnet", Address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
				Holdings:      []Holding{{Currency: "USDT", Amount: "25000.5"}, {Currency: "TRX", Amount: "12.000001"}},
				Device:        &Device{Make: "Samsung", Model: "A54", Serial: "R58T123"},
				SecretsSealed: true, SecretsLocation: "envelope ISB-0002-S in the malkhana safe"},
		},
	}
}

// fieldsOf returns the fields an EInvalid error names.
func fieldsOf(t testing.TB, err error) map[string]string {
	t.Helper()
	var de *ledger.Error
	if !errors.As(err, &de) || de.Code != ledger.EInvalid {
		t.Fatalf("want an EInvalid error, got %v", err)
	}
	out := map[string]string{}
	for _, f := range de.Fields {
		out[f.Field] = f.Reason
	}
	return out
}

func TestCheckSeizureAcceptsAValidRaid(t *testing.T) {
	s, err := CheckSeizure(validSeizure(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Items) != 2 || len(s.values[0]) != 2 || len(s.values[1]) != 2 {
		t.Fatalf("items %d, values %v", len(s.Items), s.values)
	}
	if got := s.Items[0].Amounts[0].Amount; got != "1500.00" {
		t.Errorf("USD amount rendered %q, want 1500.00", got)
	}
	if got := s.Items[1].Holdings[0].Amount; got != "25000.500000" {
		t.Errorf("USDT rendered %q, want 25000.500000", got)
	}
	if s.Items[1].Addresses[0].Type != "address" || s.Items[0].SeizedFrom.Name != "Li Wei" {
		t.Errorf("item fields not carried: %+v", s.Items)
	}
}

func TestCheckSeizureRules(t *testing.T) {
	seed := mnemonic(t, 128)
	tests := []struct {
		name   string
		change func(r *SeizureRequest)
		field  string
		reason string // a part of the reason
	}{
		{"case is required", func(r *SeizureRequest) { r.CaseID = 0 }, "case_id", "required"},
		{"seized_at is required", func(r *SeizureRequest) { r.SeizedAt = "" }, "seized_at", "required"},
		{"seized_at must be RFC 3339", func(r *SeizureRequest) { r.SeizedAt = "03/06/2025" }, "seized_at", "RFC 3339"},
		{"seized_at cannot be in the future", func(r *SeizureRequest) { r.SeizedAt = "2025-06-05T00:00:00Z" }, "seized_at", "future"},
		{"the officer is required", func(r *SeizureRequest) { r.Officer = "" }, "officer", "required"},
		{"a name is bounded in bytes, as the custody log bounds it", func(r *SeizureRequest) { r.Officer = strings.Repeat("ع", 101) }, "officer", "longer than 200 bytes"},
		{"someone it was seized from", func(r *SeizureRequest) { r.SeizedFrom = PersonInput{} }, "items[0].seized_from", "required"},
		{"an id number needs its type", func(r *SeizureRequest) { r.SeizedFrom.IDType = "" }, "seized_from.id_type", "required"},
		{"a circle is a lower-case name", func(r *SeizureRequest) { r.Location.Circle = "Islamabad HQ" }, "location.circle", "lower-case"},
		{"at least one item", func(r *SeizureRequest) { r.Items = nil }, "items", "at least one"},
		{"kind is cash or wallet", func(r *SeizureRequest) { r.Items[1].Kind = "gold" }, "items[1].kind", "cash or wallet"},
		{"a seal is required", func(r *SeizureRequest) { r.Items[0].Seal = "" }, "items[0].seal", "required"},
		{"a seal has no spaces", func(r *SeizureRequest) { r.Items[0].Seal = "ISB 1" }, "items[0].seal", "letters"},
		{"a seal is unique within the seizure, whatever the case", func(r *SeizureRequest) { r.Items[1].Seal = "isb-0001" }, "items[1].seal", "also given to items[0]"},
		{"a description is required", func(r *SeizureRequest) { r.Items[0].Description = "" }, "items[0].description", "required"},
		{"cash needs amounts", func(r *SeizureRequest) { r.Items[0].Amounts = nil }, "items[0].amounts", "at least one"},
		{"currency must be known", func(r *SeizureRequest) { r.Items[0].Amounts[1].Currency = "XYZ" }, "items[0].amounts[1].currency", "unknown currency"},
		{"currency codes are upper case", func(r *SeizureRequest) { r.Items[0].Amounts[1].Currency = "cny" }, "items[0].amounts[1].currency", "upper case"},
		{"one amount per currency", func(r *SeizureRequest) { r.Items[0].Amounts[1].Currency = "USD" }, "items[0].amounts[1].currency", "already counted"},
		{"an amount is plain decimal text", func(r *SeizureRequest) { r.Items[0].Amounts[1].Amount = "2e3" }, "items[0].amounts[1].amount", "exponent"},
		{"no more places than the currency has", func(r *SeizureRequest) { r.Items[0].Amounts[0].Amount = "1500.001" }, "items[0].amounts[0].amount", "at most 2 decimal places"},
		{"VND has no decimal places", func(r *SeizureRequest) { r.Items[0].Amounts[1] = CashAmount{Currency: "VND", Amount: "500000.5"} }, "items[0].amounts[1].amount", "no decimal places"},
		{"a seized amount is positive", func(r *SeizureRequest) { r.Items[0].Amounts[1].Amount = "-5" }, "items[0].amounts[1].amount", "negative"},
		{"zero only with flagged notes", func(r *SeizureRequest) { r.Items[0].Amounts[1].Amount = "0" }, "items[0].amounts[1].amount", "greater than zero"},
		{"denominations add up exactly", func(r *SeizureRequest) { r.Items[0].Amounts[0].Denominations[1].Count = 3 }, "items[0].amounts[0].denominations", "add up to 1550.00 USD, not the amount 1500.00"},
		{"a face value is counted once", func(r *SeizureRequest) { r.Items[0].Amounts[0].Denominations[1].Value = "100.00" }, "items[0].amounts[0].denominations[1].value", "counted twice"},
		{"a denomination counts notes", func(r *SeizureRequest) { r.Items[0].Amounts[0].Denominations[1].Count = 0 }, "items[0].amounts[0].denominations[1].count", "1 to"},
		{"no more serials than notes", func(r *SeizureRequest) {
			r.Items[0].Amounts[0].Serials = make([]string, 17)
			for i := range r.Items[0].Amounts[0].Serials {
				r.Items[0].Amounts[0].Serials[i] = "A" + strings.Repeat("1", i+1)
			}
		}, "items[0].amounts[0].serials", "17 serial numbers for 16 notes"},
		{"a serial is listed once", func(r *SeizureRequest) {
			r.Items[0].Amounts[0].Flagged = []FlaggedNotes{{Denomination: "100", Count: 1, Status: NoteCounterfeit, Serials: []string{"AB12345678"}}}
		}, "items[0].amounts[1].serials[0]", "also listed at items[0].amounts[0].flagged[0].serials[0]"},
		{"flagged notes are counterfeit or doubtful", func(r *SeizureRequest) {
			r.Items[0].Amounts[0].Flagged = []FlaggedNotes{{Denomination: "100", Count: 1, Status: "fake"}}
		}, "items[0].amounts[0].flagged[0].status", "counterfeit or doubtful"},
		{"cash has no chain", func(r *SeizureRequest) { r.Items[0].Chain = "tron" }, "items[0].chain", "not a field of a cash item"},
		{"a wallet has no cash amounts", func(r *SeizureRequest) { r.Items[1].Amounts = []CashAmount{{Currency: "USD", Amount: "1"}} }, "items[1].amounts", "not a field of a wallet item"},
		{"a wallet needs a chain", func(r *SeizureRequest) { r.Items[1].Chain = "" }, "items[1].chain", "required"},
		{"an unknown chain", func(r *SeizureRequest) { r.Items[1].Chain = "dogecoin" }, "items[1].chain", "unknown chain"},
		{"an unknown network", func(r *SeizureRequest) { r.Items[1].Network = "testnet" }, "items[1].network", "unknown tron network"},
		{"a wallet needs an address", func(r *SeizureRequest) { r.Items[1].Address = "" }, "items[1].address", "at least one address"},
		{"the address must be valid", func(r *SeizureRequest) { r.Items[1].Address = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u" }, "items[1].address", "not a valid tron mainnet address"},
		{"a bitcoin address of another network", func(r *SeizureRequest) {
			r.Items[1].Chain, r.Items[1].Address, r.Items[1].Holdings = "bitcoin", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", []Holding{{Currency: "BTC", Amount: "0.5"}}
		}, "items[1].address", "not a valid bitcoin mainnet address"},
		{"each of several addresses is checked", func(r *SeizureRequest) {
			r.Items[1].Addresses = []string{"TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}
		}, "items[1].addresses[1]", "not a valid tron"},
		{"an address is listed once", func(r *SeizureRequest) { r.Items[1].Addresses = []string{"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"} }, "items[1].addresses[0]", "same address"},
		{"USDT on bitcoin is not a thing", func(r *SeizureRequest) {
			r.Items[1].Chain, r.Items[1].Address = "bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
		}, "items[1].holdings[0].currency", "cannot hold USDT"},
		{"ETH is not on tron", func(r *SeizureRequest) { r.Items[1].Holdings[1].Currency = "ETH" }, "items[1].holdings[1].currency", "cannot hold ETH"},
		{"a wallet needs holdings", func(r *SeizureRequest) { r.Items[1].Holdings = nil }, "items[1].holdings", "at least one"},
		{"one holding per asset", func(r *SeizureRequest) { r.Items[1].Holdings[1].Currency = "USDT" }, "items[1].holdings[1].currency", "already given"},
		{"USDT has 6 places", func(r *SeizureRequest) { r.Items[1].Holdings[0].Amount = "1.0000001" }, "items[1].holdings[0].amount", "at most 6"},
		{"sealed secrets say where", func(r *SeizureRequest) { r.Items[1].SecretsLocation = "" }, "items[1].secrets_location", "required"},
		{"a secrets location means they were sealed", func(r *SeizureRequest) { r.Items[1].SecretsSealed = false }, "items[1].secrets_sealed", "must be true"},
		{"a seed phrase in the description", func(r *SeizureRequest) { r.Items[1].Description = "paper with " + seed }, "items[1].description", "seed phrase"},
		{"a seed phrase where the secrets are", func(r *SeizureRequest) { r.Items[1].SecretsLocation = seed }, "items[1].secrets_location", "seed phrase"},
		{"an xprv in the device serial", func(r *SeizureRequest) {
			r.Items[1].Device.Serial = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
		}, "items[1].device.serial", "extended private key"},
		{"a WIF pasted as the address", func(r *SeizureRequest) {
			r.Items[1].Address = "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617"
		}, "items[1].address", "WIF private key"},
		{"a WIF in remarks", func(r *SeizureRequest) { r.Remarks = "key 5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ" }, "remarks", "WIF"},
		{"a seed phrase as the suspect's name", func(r *SeizureRequest) { r.SeizedFrom.Name = seed }, "seized_from.name", "seed phrase"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := validSeizure()
			tc.change(&req)
			_, err := CheckSeizure(req, testNow)
			fields := fieldsOf(t, err)
			reason, ok := fields[tc.field]
			if !ok {
				t.Fatalf("no error on %s; got %v", tc.field, fields)
			}
			if !strings.Contains(reason, tc.reason) {
				t.Fatalf("%s: reason %q does not say %q", tc.field, reason, tc.reason)
			}
		})
	}
}

func TestCheckSeizureNamesEveryBadItem(t *testing.T) {
	req := validSeizure()
	req.Items[0].Amounts[0].Amount = "abc"
	req.Items[1].Address = "nope"
	fields := fieldsOf(t, func() error { _, err := CheckSeizure(req, testNow); return err }())
	for _, f := range []string{"items[0].amounts[0].amount", "items[1].address"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("missing %s in %v", f, fields)
		}
	}
}

func TestCashOfOnlyCounterfeitNotes(t *testing.T) {
	req := validSeizure()
	req.Items[0].Amounts = []CashAmount{{Currency: "USD", Amount: "0", Flagged: []FlaggedNotes{{Denomination: "100", Count: 40, Status: NoteCounterfeit}}}}
	s, err := CheckSeizure(req, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.values[0]) != 0 {
		t.Fatalf("counterfeit notes entered the value: %v", s.values[0])
	}
}

func TestDecodeSeizure(t *testing.T) {
	tests := []struct {
		name, body string
		code       ledger.Code
		field      string
	}{
		{"empty", ``, ledger.EMalformed, ""},
		{"not JSON", `{"case_id":`, ledger.EMalformed, ""},
		{"two values", `{} {}`, ledger.EMalformed, ""},
		{"unknown field", `{"case":1}`, ledger.EInvalid, "case"},
		{"an amount as a number", `{"items":[{"amounts":[{"currency":"USD","amount":15}]}]}`, ledger.EInvalid, "items.amounts.amount"},
		{"a case id of letters", `{"case_id":"seven"}`, ledger.EInvalid, "case_id"},
		{"an unknown field in location", `{"location":{"city":"x"}}`, ledger.EInvalid, "city"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeSeizure([]byte(tc.body))
			var de *ledger.Error
			if !errors.As(err, &de) || de.Code != tc.code {
				t.Fatalf("got %v, want code %s", err, tc.code)
			}
			if tc.field != "" && (len(de.Fields) == 0 || de.Fields[0].Field != tc.field) {
				t.Fatalf("fields %v, want %s", de.Fields, tc.field)
			}
		})
	}
	t.Run("strings for location, seized_from and case_id", func(t *testing.T) {
		req, err := DecodeSeizure([]byte(`{"case_id":"7","location":"House 12","seized_from":"Li Wei"}`))
		if err != nil {
			t.Fatal(err)
		}
		if req.CaseID != 7 || req.Location.Building != "House 12" || req.SeizedFrom.Name != "Li Wei" {
			t.Fatalf("%+v", req)
		}
	})
	t.Run("the valid raid survives a round trip", func(t *testing.T) {
		data, _ := json.Marshal(validSeizure())
		req, err := DecodeSeizure(data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := CheckSeizure(req, testNow); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCheckCase(t *testing.T) {
	ok := CaseRequest{FIR: "112/2025", Circle: "islamabad", Operation: "Grey", Title: "Call centre, F-7", FIRDate: "2025-06-02"}
	if _, err := CheckCase(ok); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*CaseRequest)
		field  string
	}{
		{"fir required", func(c *CaseRequest) { c.FIR = "" }, "fir"},
		{"circle required", func(c *CaseRequest) { c.Circle = "" }, "circle"},
		{"circle lower case", func(c *CaseRequest) { c.Circle = "Lahore" }, "circle"},
		{"fir_date is a date", func(c *CaseRequest) { c.FIRDate = "2/6/2025" }, "fir_date"},
		{"occurrence in order", func(c *CaseRequest) { c.OccurredFrom, c.OccurredTo = "2025-06-02", "2025-06-01" }, "occurred_to"},
		{"an offence is not empty", func(c *CaseRequest) { c.Offences = []string{"PECA s.14", ""} }, "offences[1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.change(&c)
			_, err := CheckCase(c)
			if _, found := fieldsOf(t, err)[tc.field]; !found {
				t.Fatalf("no error on %s: %v", tc.field, err)
			}
		})
	}
}

func mnemonic(t testing.TB, bits int) string {
	t.Helper()
	m, err := bip39.NewMnemonic(bytes.Repeat([]byte{0x5a}, bits/8))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCashItemCannotHoldCrypto: a cash bag holds banknotes; a crypto asset
// entered as cash would sit in custody where no count of the bag finds it.
// A wallet holds crypto assets only, said as its own rule, whatever the
// chain.
func TestCashItemCannotHoldCrypto(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *SeizureRequest)
		field  string
		reason string
	}{
		{"BTC in a cash bag", func(r *SeizureRequest) { r.Items[0].Amounts[1] = CashAmount{Currency: "BTC", Amount: "0.5"} }, "items[0].amounts[1].currency", "a cash item cannot hold BTC, a crypto asset"},
		{"USDT in a cash bag", func(r *SeizureRequest) { r.Items[0].Amounts[0] = CashAmount{Currency: "USDT", Amount: "10"} }, "items[0].amounts[0].currency", "a cash item cannot hold USDT"},
		{"USD in a wallet", func(r *SeizureRequest) { r.Items[1].Holdings[1] = Holding{Currency: "USD", Amount: "10.00"} }, "items[1].holdings[1].currency", "a wallet item cannot hold USD, a fiat currency"},
		{"PKR in a wallet of an unknown chain", func(r *SeizureRequest) {
			r.Items[1].Chain = "dogecoin"
			r.Items[1].Holdings = []Holding{{Currency: "PKR", Amount: "10.00"}}
		}, "items[1].holdings[0].currency", "a fiat currency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := validSeizure()
			tc.change(&req)
			_, err := CheckSeizure(req, testNow)
			reason, ok := fieldsOf(t, err)[tc.field]
			if !ok || !strings.Contains(reason, tc.reason) {
				t.Fatalf("%s: reason %q, want it to say %q (all: %v)", tc.field, reason, tc.reason, fieldsOf(t, err))
			}
		})
	}
}
