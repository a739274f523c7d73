package evidence

import (
	"encoding/json"
	"time"
)

// Item kinds.
const (
	KindCash   = "cash"
	KindWallet = "wallet"
)

// Note statuses of banknotes kept out of an item's value.
const (
	NoteCounterfeit = "counterfeit"
	NoteDoubtful    = "doubtful"
)

// Case is one FIR or inquiry.
type Case struct {
	ID              uint64    `json:"id"`
	FIR             string    `json:"fir"`
	FIRDate         string    `json:"fir_date,omitempty"` // YYYY-MM-DD
	Circle          string    `json:"circle"`
	Operation       string    `json:"operation,omitempty"`
	Title           string    `json:"title,omitempty"`
	Offences        []string  `json:"offences,omitempty"`
	OfficerInCharge string    `json:"officer_in_charge,omitempty"`
	OccurredFrom    string    `json:"occurred_from,omitempty"` // YYYY-MM-DD
	OccurredTo      string    `json:"occurred_to,omitempty"`   // YYYY-MM-DD
	Remarks         string    `json:"remarks,omitempty"`
	Created         time.Time `json:"created"`
	CreatedBy       string    `json:"created_by"`
}

// Person is who an item was seized from, as given: the id document is recorded
// exactly as written on it, never normalised.
type Person struct {
	Name        string `json:"name"`
	Nationality string `json:"nationality,omitempty"`
	IDType      string `json:"id_type,omitempty"`   // "passport", "cnic", ...
	IDNumber    string `json:"id_number,omitempty"` // as written on the document
}

// Witness is one witness of a seizure who signed its memo (the search list
// of s.103 CrPC): a name, the father's name or an id number to tell him
// apart, and an address. The id number is recorded as written.
type Witness struct {
	Name       string `json:"name"`
	FatherName string `json:"father_name,omitempty"`
	Address    string `json:"address"`
	IDNumber   string `json:"id_number,omitempty"`
}

// Place is where a seizure happened.
type Place struct {
	Circle   string `json:"circle"`
	Building string `json:"building,omitempty"`
	Room     string `json:"room,omitempty"`
}

// Holding is an amount of one currency: a cash amount or a wallet balance.
// Amount is rendered at the currency's scale.
type Holding struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

// Denomination counts the notes of one face value.
type Denomination struct {
	Value string `json:"value"`
	Count uint64 `json:"count"`
}

// FlaggedNotes are counterfeit or doubtful notes: recorded, kept out of the value.
type FlaggedNotes struct {
	Denomination string   `json:"denomination"`
	Count        uint64   `json:"count"`
	Status       string   `json:"status"` // counterfeit | doubtful
	Serials      []string `json:"serials,omitempty"`
	Remarks      string   `json:"remarks,omitempty"`
}

// CashAmount is one currency in a cash bag. Amount is the genuine value only.
type CashAmount struct {
	Currency      string         `json:"currency"`
	Amount        string         `json:"amount"`
	Denominations []Denomination `json:"denominations,omitempty"`
	Serials       []string       `json:"serials,omitempty"`
	Flagged       []FlaggedNotes `json:"flagged,omitempty"`
}

// Device is what a wallet was found on.
type Device struct {
	Make   string `json:"make,omitempty"`
	Model  string `json:"model,omitempty"`
	Serial string `json:"serial,omitempty"`
}

// Item is one piece of seized evidence with a seal.
type Item struct {
	ID          uint64    `json:"id"`
	CaseID      uint64    `json:"case_id"`
	Kind        string    `json:"kind"`
	Seal        string    `json:"seal"`
	Description string    `json:"description"`
	SeizedFrom  Person    `json:"seized_from"`
	SeizedAt    time.Time `json:"seized_at"`
	Place       Place     `json:"place"`
	Officer     string    `json:"officer"`
	Remarks     string    `json:"remarks,omitempty"`
	// SeizureRemarks are the remarks of the whole seizure the item came in.
	SeizureRemarks string `json:"seizure_remarks,omitempty"`
	// MemoNumber and Witnesses are the seizure memo's (fard maqbuzgi) number
	// and the witnesses who signed it, copied onto every item of the
	// seizure. Items recorded before they existed have neither, and their
	// stored bytes stay as they were.
	MemoNumber string    `json:"memo_number,omitempty"`
	Witnesses  []Witness `json:"witnesses,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	Recorded   time.Time `json:"recorded"`
	LedgerTxn  uint64    `json:"ledger_txn,omitempty"` // 0 when the item carried no value

	// cash
	Amounts []CashAmount `json:"amounts,omitempty"`

	// wallet
	Chain           string    `json:"chain,omitempty"`
	Network         string    `json:"network,omitempty"`
	Addresses       []Address `json:"addresses,omitempty"`
	Holdings        []Holding `json:"holdings,omitempty"`
	Device          *Device   `json:"device,omitempty"`
	SecretsSealed   bool      `json:"secrets_sealed,omitempty"`
	SecretsLocation string    `json:"secrets_location,omitempty"`
}

// Address is a validated address of a wallet item.
type Address struct {
	Address string `json:"address"`
	Type    string `json:"type"`
}

// Value is what the item puts into custody: its genuine cash amounts or its
// wallet holdings, one per currency.
func (it *Item) Value() []Holding {
	if it.Kind == KindWallet {
		return it.Holdings
	}
	out := make([]Holding, 0, len(it.Amounts))
	for _, a := range it.Amounts {
		out = append(out, Holding{Currency: a.Currency, Amount: a.Amount})
	}
	return out
}

// Account is the ledger account that holds the item.
func (it *Item) Account() string { return ItemAccount(it.ID) }

// Stored records are a version byte followed by JSON: readable by anyone with
// the file, and a later format can change the byte.
const recordVersion = 1

func encodeRecord(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte{recordVersion}, data...), nil
}

func decodeRecord(data []byte, v any) error {
	if len(data) == 0 || data[0] != recordVersion {
		return errBadRecord
	}
	return json.Unmarshal(data[1:], v)
}
