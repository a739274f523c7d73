package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/amanat-ledger/amanat/ledger"
)

// SeizureRequest is the body of POST /v1/seizures as sent (docs/contract.md). Nothing
// in it is trusted: CheckSeizure turns it into a Seizure or names every bad
// field.
type SeizureRequest struct {
	CaseID     ID            `json:"case_id"`
	SeizedAt   string        `json:"seized_at"`
	Location   PlaceInput    `json:"location"`
	SeizedFrom PersonInput   `json:"seized_from"`
	Officer    string        `json:"officer"`
	Remarks    string        `json:"remarks,omitempty"`
	MemoNumber string        `json:"memo_number,omitempty"`
	Witnesses  []Witness     `json:"witnesses,omitempty"`
	Items      []ItemRequest `json:"items"`
}

// ItemRequest is one item of a seizure as sent. Cash fields on a wallet (and
// the other way round) are refused, not ignored.
type ItemRequest struct {
	Kind        string       `json:"kind"`
	Seal        string       `json:"seal"`
	Description string       `json:"description"`
	SeizedFrom  *PersonInput `json:"seized_from,omitempty"` // overrides the seizure's
	Remarks     string       `json:"remarks,omitempty"`

	// cash
	Amounts []CashAmount `json:"amounts,omitempty"`

	// wallet
	Chain           string    `json:"chain,omitempty"`
	Network         string    `json:"network,omitempty"`
	Address         string    `json:"address,omitempty"`
	Addresses       []string  `json:"addresses,omitempty"`
	Holdings        []Holding `json:"holdings,omitempty"`
	Device          *Device   `json:"device,omitempty"`
	SecretsSealed   bool      `json:"secrets_sealed,omitempty"`
	SecretsLocation string    `json:"secrets_location,omitempty"`
}

// CaseRequest is the body of POST /v1/cases.
type CaseRequest struct {
	FIR             string   `json:"fir"`
	FIRDate         string   `json:"fir_date,omitempty"`
	Circle          string   `json:"circle"`
	Operation       string   `json:"operation,omitempty"`
	Title           string   `json:"title,omitempty"`
	Offences        []string `json:"offences,omitempty"`
	OfficerInCharge string   `json:"officer_in_charge,omitempty"`
	OccurredFrom    string   `json:"occurred_from,omitempty"`
	OccurredTo      string   `json:"occurred_to,omitempty"`
	Remarks         string   `json:"remarks,omitempty"`
}

// ID is the ledger's one id type (a number or a string of digits).
type ID = ledger.ID

// PlaceInput is where a seizure happened: an object {circle, building, room}
// or a plain string, taken as the building (the address of the raid).
type PlaceInput struct {
	Circle   string `json:"circle,omitempty"`
	Building string `json:"building,omitempty"`
	Room     string `json:"room,omitempty"`
}

// UnmarshalJSON accepts a string or an object with no unknown fields.
func (p *PlaceInput) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &p.Building)
	}
	type plain PlaceInput
	return strictUnmarshal(b, (*plain)(p))
}

// PersonInput is who items were seized from: an object {name, nationality,
// id_type, id_number} or a plain string, taken as the name.
type PersonInput struct {
	Name        string `json:"name"`
	Nationality string `json:"nationality,omitempty"`
	IDType      string `json:"id_type,omitempty"`
	IDNumber    string `json:"id_number,omitempty"`
}

// UnmarshalJSON accepts a string or an object with no unknown fields.
func (p *PersonInput) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &p.Name)
	}
	type plain PersonInput
	return strictUnmarshal(b, (*plain)(p))
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// DecodeSeizure reads a seizure body strictly: one JSON object, no unknown
// fields, no trailing bytes. Unreadable JSON is EMalformed; JSON of the wrong
// shape is EInvalid naming the field. The HTTP layer uses its own decoder
// with the same rules; this one serves the CLI, the demo loader and the fuzz
// test.
func DecodeSeizure(body []byte) (SeizureRequest, error) {
	var req SeizureRequest
	if len(bytes.TrimSpace(body)) == 0 {
		return req, ledger.Errorf(ledger.EMalformed, "the request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			field := typ.Field
			if field == "" {
				field = "(body)"
			}
			return req, ledger.FieldErr(field, fmt.Sprintf("must not be a JSON %s", typ.Value))
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return req, ledger.FieldErr(strings.Trim(name, `"`), "unknown field")
		}
		return req, ledger.Errorf(ledger.EMalformed, "malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, ledger.Errorf(ledger.EMalformed, "the body holds more than one JSON value")
	}
	return req, nil
}
