package evidence

import (
	"strings"
	"testing"
)

func witnessed() SeizureRequest {
	req := validSeizure()
	req.MemoNumber = "FM-17/2025"
	req.Witnesses = []Witness{
		{Name: "Muhammad Aslam", FatherName: "Ghulam Rasool", Address: "House 3, Street 4, F-7/2, Islamabad"},
		{Name: "Tariq Mehmood", Address: "Shop 9, Jinnah Super, F-7", IDNumber: "61101-1234567-1"},
	}
	return req
}

func TestWitnessesAndMemoAreStoredOnEveryItem(t *testing.T) {
	s, err := CheckSeizure(witnessed(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range s.Items {
		if it.MemoNumber != "FM-17/2025" || len(it.Witnesses) != 2 || it.Witnesses[1].IDNumber != "61101-1234567-1" {
			t.Fatalf("items[%d]: memo %q, witnesses %+v", i, it.MemoNumber, it.Witnesses)
		}
	}
}

func TestAnItemWithoutWitnessesKeepsItsStoredBytes(t *testing.T) {
	s, err := CheckSeizure(validSeizure(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	data, err := encodeRecord(s.Items[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "witnesses") || strings.Contains(string(data), "memo_number") {
		t.Fatalf("a seizure without witnesses or memo changed the record: %s", data)
	}
}

func TestWitnessRefusals(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(r *SeizureRequest)
		field string
	}{
		{"a witness without a name", func(r *SeizureRequest) { r.Witnesses[1].Name = "" }, "witnesses[1].name"},
		{"a witness without an address", func(r *SeizureRequest) { r.Witnesses[0].Address = "" }, "witnesses[0].address"},
		{"a witness with neither father's name nor id", func(r *SeizureRequest) { r.Witnesses[0].FatherName = "" }, "witnesses[0].father_name"},
		{"a control character in a name", func(r *SeizureRequest) { r.Witnesses[1].Name = "Tariq\x07" }, "witnesses[1].name"},
		{"a seed phrase in an address", func(r *SeizureRequest) {
			r.Witnesses[1].Address = strings.Repeat("abandon ", 11) + "about"
		}, "witnesses[1].address"},
		{"a name too long", func(r *SeizureRequest) { r.Witnesses[1].Name = strings.Repeat("a", maxShortText+1) }, "witnesses[1].name"},
		{"the officer witnesses his own seizure", func(r *SeizureRequest) { r.Witnesses[1].Name = "  inspector  AYESHA khan" }, "witnesses[1].name"},
		{"the person seized from as witness", func(r *SeizureRequest) { r.Witnesses[0].Name = "li wei" }, "witnesses[0].name"},
		{"an item's own seized-from person as witness", func(r *SeizureRequest) {
			r.Items[1].SeizedFrom = &PersonInput{Name: "Tariq Mehmood"}
		}, "items[1].seized_from.name"},
		{"the same witness twice", func(r *SeizureRequest) { r.Witnesses[1] = r.Witnesses[0] }, "witnesses[1]"},
		{"too many witnesses", func(r *SeizureRequest) {
			r.Witnesses = make([]Witness, MaxWitnesses+1)
		}, "witnesses"},
		{"a memo number with a newline", func(r *SeizureRequest) { r.MemoNumber = "FM-1\nFM-2" }, "memo_number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := witnessed()
			tc.edit(&req)
			_, err := CheckSeizure(req, testNow)
			if _, ok := fieldsOf(t, err)[tc.field]; !ok {
				t.Fatalf("%v does not name %s", err, tc.field)
			}
		})
	}
}

func TestDecodeSeizureRefusesAnUnknownWitnessField(t *testing.T) {
	_, err := DecodeSeizure([]byte(`{"witnesses":[{"name":"A","adress":"x"}]}`))
	if _, ok := fieldsOf(t, err)["adress"]; !ok {
		t.Fatalf("%v", err)
	}
}
