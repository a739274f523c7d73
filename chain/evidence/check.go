package evidence

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/amanat-ledger/amanat/chain/address"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// Limits on one seizure. They are far past a real raid and keep one request
// from tying up the writer.
const (
	MaxItems         = 1000
	maxPerItem       = 100 // amounts, holdings, addresses, denominations, flagged
	maxSerials       = 10000
	maxNoteCount     = 100_000_000
	maxShortText     = 200
	maxLongText      = 4000
	maxOffences      = 50
	maxSerialLen     = 40
	futureTolerance  = time.Minute
	earliestSeizedAt = 1990
)

// chainAssets says which assets a wallet on each chain can hold: USDT on TRON
// (TRC-20) or Ethereum (ERC-20), TRX on TRON, ETH on Ethereum, BTC on Bitcoin.
var chainAssets = map[string][]string{
	address.Bitcoin:  {"BTC"},
	address.Ethereum: {"ETH", "USDT"},
	address.Tron:     {"TRX", "USDT"},
}

var serialRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 -]*$`)

// sealKey is the form a seal is unique in (see text.SealKey).
func sealKey(seal string) string { return text.SealKey(seal) }

// Seizure is a checked seizure, ready to register.
type Seizure struct {
	CaseID     uint64
	SeizedAt   time.Time
	Place      Place // Circle may be empty: the case's circle is used
	SeizedFrom Person
	Officer    string
	Remarks    string
	MemoNumber string
	Witnesses  []Witness
	Items      []Item // ID, CaseID, Recorded, RecordedBy and LedgerTxn are set on registration

	values [][]money.Amount // per item, the positive amounts it puts into custody
	found  *Case            // the case as Precheck read it
}

// checker collects field errors.
type checker struct{ p ledger.Problems }

// text checks a free-text field: required or not, then the one shared
// check of every free-text field (UTF-8, length, control characters, secrets).
// Long fields (descriptions, remarks) may span lines.
func (c *checker) text(field, v string, maxLen int, required bool) {
	if v == "" {
		if required {
			c.p.Add(field, "is required")
		}
		return
	}
	form := text.Line
	if maxLen >= maxLongText {
		form = text.Block
	}
	if reason := text.Check(v, maxLen, form); reason != "" {
		c.p.Add(field, reason)
	}
}

func (c *checker) person(field string, in PersonInput, required bool) Person {
	c.text(field+".name", in.Name, maxShortText, required)
	c.text(field+".nationality", in.Nationality, maxShortText, false)
	c.text(field+".id_type", in.IDType, maxShortText, false)
	c.text(field+".id_number", in.IDNumber, maxShortText, false)
	if in.IDNumber != "" && in.IDType == "" {
		c.p.Add(field+".id_type", "is required with id_number (passport, cnic, ...)")
	}
	return Person(in)
}

// CheckSeizure checks everything about a seizure that does not need the
// store, and names every bad field. now bounds seized_at.
func CheckSeizure(req SeizureRequest, now time.Time) (Seizure, error) {
	var c checker
	s := Seizure{CaseID: uint64(req.CaseID), Officer: req.Officer, Remarks: req.Remarks}
	if req.CaseID == 0 {
		c.p.Add("case_id", "is required (the id POST /v1/cases answered)")
	}
	s.SeizedAt = c.instant("seized_at", req.SeizedAt, now)
	if req.Location.Circle != "" && !text.ValidCircle(req.Location.Circle) {
		c.p.Add("location.circle", "must be a lower-case name such as islamabad")
	}
	c.text("location.building", req.Location.Building, maxShortText, false)
	c.text("location.room", req.Location.Room, maxShortText, false)
	s.Place = Place(req.Location)
	s.SeizedFrom = c.person("seized_from", req.SeizedFrom, false)
	c.text("officer", req.Officer, maxShortText, true)
	c.text("remarks", req.Remarks, maxLongText, false)
	c.text("memo_number", req.MemoNumber, maxShortText, false)
	s.MemoNumber = req.MemoNumber
	s.Witnesses = c.witnesses(req)

	switch {
	case len(req.Items) == 0:
		c.p.Add("items", "a seizure needs at least one item")
	case len(req.Items) > MaxItems:
		c.p.Addf("items", "at most %d items per seizure; register the rest in another seizure", MaxItems)
		return Seizure{}, c.p.Err()
	}
	seals := map[string]int{}
	s.Items = make([]Item, len(req.Items))
	s.values = make([][]money.Amount, len(req.Items))
	for i, in := range req.Items {
		f := fmt.Sprintf("items[%d]", i)
		it := &s.Items[i]
		it.Kind, it.Seal, it.Description, it.Remarks = in.Kind, in.Seal, in.Description, in.Remarks
		it.SeizedAt, it.Officer, it.SeizureRemarks = s.SeizedAt, s.Officer, s.Remarks
		it.MemoNumber, it.Witnesses = s.MemoNumber, s.Witnesses
		switch {
		case in.Seal == "":
			c.p.Add(f+".seal", "is required")
		case text.CheckSeal(in.Seal) != "":
			c.p.Add(f+".seal", text.CheckSeal(in.Seal))
		default:
			if j, dup := seals[sealKey(in.Seal)]; dup {
				c.p.Addf(f+".seal", "seal %q is also given to items[%d]; every item has its own seal", in.Seal, j)
			} else {
				seals[sealKey(in.Seal)] = i
			}
		}
		c.text(f+".description", in.Description, maxLongText, true)
		c.text(f+".remarks", in.Remarks, maxLongText, false)
		if in.SeizedFrom != nil {
			it.SeizedFrom = c.person(f+".seized_from", *in.SeizedFrom, true)
			c.notWitness(f+".seized_from.name", it.SeizedFrom.Name, s.Witnesses)
		} else {
			it.SeizedFrom = s.SeizedFrom
			if s.SeizedFrom.Name == "" {
				c.p.Add(f+".seized_from", "is required: name who the item was seized from here or in the seizure's seized_from")
			}
		}
		switch in.Kind {
		case KindCash:
			c.cash(f, in, it, &s.values[i])
		case KindWallet:
			c.wallet(f, in, it, &s.values[i])
		case "":
			c.p.Add(f+".kind", "is required: cash or wallet")
		default:
			c.p.Addf(f+".kind", "%q is not a kind of item: cash or wallet", in.Kind)
		}
	}
	if err := c.p.Err(); err != nil {
		return Seizure{}, err
	}
	return s, nil
}

// MaxWitnesses bounds the witnesses of one seizure.
const MaxWitnesses = 20

// witnesses checks the witnesses of a seizure. None is accepted (a seizure
// recorded after the fact, a wallet taken over the network); each one given
// is named, told apart by a father's name or an id number, has an address,
// and is neither the seizing officer nor the person the items were seized
// from, nor the same witness twice: a memo witnessed by the officer who
// wrote it proves nothing.
func (c *checker) witnesses(req SeizureRequest) []Witness {
	if len(req.Witnesses) > MaxWitnesses {
		c.p.Addf("witnesses", "at most %d witnesses per seizure", MaxWitnesses)
		return nil
	}
	seen := map[string]int{}
	for i, w := range req.Witnesses {
		f := fmt.Sprintf("witnesses[%d]", i)
		c.text(f+".name", w.Name, maxShortText, true)
		c.text(f+".father_name", w.FatherName, maxShortText, false)
		c.text(f+".address", w.Address, maxLongText, true)
		c.text(f+".id_number", w.IDNumber, maxShortText, false)
		if w.Name != "" && w.FatherName == "" && w.IDNumber == "" {
			c.p.Add(f+".father_name", "is required when no id_number is given: a witness is told apart by father's name or an id number")
		}
		switch key := sameName(w.Name); {
		case key == "":
		case key == sameName(req.Officer):
			c.p.Add(f+".name", "is the seizing officer; a witness is someone other than the officer who made the seizure")
		case key == sameName(req.SeizedFrom.Name):
			c.p.Add(f+".name", "is the person the items were seized from; a witness is someone else")
		default:
			who := key + "\x00" + sameName(w.FatherName) + "\x00" + sameName(w.IDNumber)
			if j, dup := seen[who]; dup {
				c.p.Addf(f, "is the same witness as witnesses[%d]", j)
			}
			seen[who] = i
		}
	}
	return req.Witnesses
}

// notWitness refuses a person seized from who is also a witness.
func (c *checker) notWitness(field, name string, ws []Witness) {
	for i, w := range ws {
		if name != "" && sameName(name) == sameName(w.Name) {
			c.p.Addf(field, "is witnesses[%d]; a witness is someone other than the person the item was seized from", i)
		}
	}
}

// sameName is the form two names are compared in: case and runs of spaces
// do not tell people apart.
func sameName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func (c *checker) instant(field, v string, now time.Time) time.Time {
	if v == "" {
		c.p.Add(field, "is required (RFC 3339, e.g. 2025-06-03T10:30:00Z)")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	switch {
	case err != nil:
		c.p.Addf(field, "%q is not an RFC 3339 instant such as 2025-06-03T10:30:00Z", v)
	case t.After(now.Add(futureTolerance)):
		c.p.Addf(field, "%s is in the future", v)
	case t.Year() < earliestSeizedAt:
		c.p.Addf(field, "%s is before %d", v, earliestSeizedAt)
	default:
		return t.UTC()
	}
	return time.Time{}
}

func (c *checker) cash(f string, in ItemRequest, it *Item, values *[]money.Amount) {
	c.notFor(f, KindCash, "chain", in.Chain != "")
	c.notFor(f, KindCash, "network", in.Network != "")
	c.notFor(f, KindCash, "address", in.Address != "")
	c.notFor(f, KindCash, "addresses", in.Addresses != nil)
	c.notFor(f, KindCash, "holdings", in.Holdings != nil)
	c.notFor(f, KindCash, "device", in.Device != nil)
	c.notFor(f, KindCash, "secrets_sealed", in.SecretsSealed)
	c.notFor(f, KindCash, "secrets_location", in.SecretsLocation != "")
	switch {
	case len(in.Amounts) == 0:
		c.p.Add(f+".amounts", "a cash item needs at least one {currency, amount}")
		return
	case len(in.Amounts) > maxPerItem:
		c.p.Addf(f+".amounts", "at most %d currencies per item", maxPerItem)
		return
	}
	seen := map[string]int{}
	serials := map[string]string{}
	it.Amounts = make([]CashAmount, len(in.Amounts))
	for j, a := range in.Amounts {
		af := fmt.Sprintf("%s.amounts[%d]", f, j)
		out := &it.Amounts[j]
		cur, ok := c.currency(af+".currency", a.Currency)
		if !ok {
			continue
		}
		if cur.Crypto {
			// Banknotes only: a crypto asset in a cash bag would put
			// value into custody that no count of the bag can find.
			c.p.Addf(af+".currency", "a cash item cannot hold %s, a crypto asset (seize it as a wallet item)", cur.Code)
			continue
		}
		if k, dup := seen[cur.Code]; dup {
			c.p.Addf(af+".currency", "%s is already counted in amounts[%d]; give one amount per currency", cur.Code, k)
			continue
		}
		seen[cur.Code] = j
		out.Currency = cur.Code
		amt, err := money.ParseAmount(cur, a.Amount, money.NonNegative)
		if err != nil {
			c.p.Add(af+".amount", err.Error())
			continue
		}
		if amt.IsZero() && len(a.Flagged) == 0 {
			c.p.Add(af+".amount", "must be greater than zero (a currency of only counterfeit or doubtful notes has amount \"0\" and lists them under flagged)")
			continue
		}
		out.Amount = amt.String()
		if !amt.IsZero() {
			*values = append(*values, amt)
		}
		notes := c.denominations(af, cur, amt, a.Denominations, out)
		c.serials(af+".serials", a.Serials, notes, serials, &out.Serials)
		c.flagged(af, cur, a.Flagged, serials, out)
	}
}

// denominations checks a count by face value and that it adds up to the
// amount exactly. It returns the number of notes, or -1 when there is no count.
func (c *checker) denominations(af string, cur money.Currency, amt money.Amount, in []Denomination, out *CashAmount) int64 {
	if in == nil {
		return -1
	}
	if len(in) == 0 || len(in) > maxPerItem {
		c.p.Addf(af+".denominations", "give 1 to %d face values, or leave denominations out", maxPerItem)
		return -1
	}
	sum := decimal.Zero
	var notes int64
	seen := map[string]bool{}
	ok := true
	for k, d := range in {
		df := fmt.Sprintf("%s.denominations[%d]", af, k)
		v, err := money.ParseAmount(cur, d.Value, money.Positive)
		if err != nil {
			c.p.Add(df+".value", err.Error())
			ok = false
			continue
		}
		if seen[v.String()] {
			c.p.Addf(df+".value", "%s %s is counted twice; give one count per face value", v, cur.Code)
			ok = false
			continue
		}
		seen[v.String()] = true
		if d.Count == 0 || d.Count > maxNoteCount {
			c.p.Addf(df+".count", "must be 1 to %d notes", maxNoteCount)
			ok = false
			continue
		}
		out.Denominations = append(out.Denominations, Denomination{Value: v.String(), Count: d.Count})
		sum = sum.Add(v.Decimal().Mul(decimal.NewFromUint64(d.Count)))
		notes += int64(d.Count)
	}
	if ok && !sum.Equal(amt.Decimal()) {
		total, _ := money.New(cur, sum)
		c.p.Addf(af+".denominations", "the notes add up to %s %s, not the amount %s", total, cur.Code, amt)
	}
	return notes
}

// serials checks banknote serial numbers; seen holds every serial of the item
// (genuine and flagged) with the field that gave it.
func (c *checker) serials(field string, in []string, notes int64, seen map[string]string, out *[]string) {
	if len(in) == 0 {
		return
	}
	if len(in) > maxSerials {
		c.p.Addf(field, "at most %d serial numbers per currency", maxSerials)
		return
	}
	if notes >= 0 && int64(len(in)) > notes {
		c.p.Addf(field, "%d serial numbers for %d notes", len(in), notes)
	}
	for k, sn := range in {
		sf := fmt.Sprintf("%s[%d]", field, k)
		if len(sn) > maxSerialLen || !serialRE.MatchString(sn) {
			c.p.Addf(sf, "a serial number is 1 to %d letters, digits, spaces or '-'", maxSerialLen)
			continue
		}
		if prev, dup := seen[sn]; dup {
			c.p.Addf(sf, "serial %s is also listed at %s", sn, prev)
			continue
		}
		seen[sn] = sf
		*out = append(*out, sn)
	}
}

func (c *checker) flagged(af string, cur money.Currency, in []FlaggedNotes, serials map[string]string, out *CashAmount) {
	if len(in) > maxPerItem {
		c.p.Addf(af+".flagged", "at most %d groups of flagged notes", maxPerItem)
		return
	}
	for k, fl := range in {
		ff := fmt.Sprintf("%s.flagged[%d]", af, k)
		o := FlaggedNotes{Count: fl.Count, Status: fl.Status, Remarks: fl.Remarks}
		if v, err := money.ParseAmount(cur, fl.Denomination, money.Positive); err != nil {
			c.p.Add(ff+".denomination", err.Error())
		} else {
			o.Denomination = v.String()
		}
		if fl.Count == 0 || fl.Count > maxNoteCount {
			c.p.Addf(ff+".count", "must be 1 to %d notes", maxNoteCount)
		}
		if fl.Status != NoteCounterfeit && fl.Status != NoteDoubtful {
			c.p.Addf(ff+".status", "%q is not a status: counterfeit or doubtful", fl.Status)
		}
		c.text(ff+".remarks", fl.Remarks, maxLongText, false)
		c.serials(ff+".serials", fl.Serials, int64(fl.Count), serials, &o.Serials)
		out.Flagged = append(out.Flagged, o)
	}
}

func (c *checker) currency(field, code string) (money.Currency, bool) {
	if code == "" {
		c.p.Add(field, "is required")
		return money.Currency{}, false
	}
	cur, err := money.Lookup(code)
	if err != nil {
		c.p.Add(field, err.Error())
		return money.Currency{}, false
	}
	return cur, true
}

func (c *checker) notFor(f, kind, field string, given bool) {
	if given {
		c.p.Addf(f+"."+field, "is not a field of a %s item", kind)
	}
}

// wallet checks a wallet item: its chain and network, its addresses, what
// it held at seizure and where its secrets are kept. Problems are named in
// that order.
func (c *checker) wallet(f string, in ItemRequest, it *Item, values *[]money.Amount) {
	c.notFor(f, KindWallet, "amounts", in.Amounts != nil)
	network, chainOK := c.walletChain(f, in)
	it.Chain, it.Network = in.Chain, network
	c.walletAddresses(f, in, network, chainOK, it)
	c.walletHoldings(f, in, chainOK, it, values)
	c.walletDevice(f, in, it)
}

// walletChain checks the chain and network (mainnet when not given); ok is
// false when addresses and assets cannot be judged against them.
func (c *checker) walletChain(f string, in ItemRequest) (network string, ok bool) {
	ok = true
	switch {
	case in.Chain == "":
		c.p.Addf(f+".chain", "is required: one of %s", strings.Join(address.Chains(), ", "))
		ok = false
	case chainAssets[in.Chain] == nil:
		c.p.Addf(f+".chain", "unknown chain %q; known chains: %s", in.Chain, strings.Join(address.Chains(), ", "))
		ok = false
	}
	network = in.Network
	if network == "" {
		network = address.Mainnet
	}
	if ok && !slices.Contains(address.Networks(in.Chain), network) {
		c.p.Addf(f+".network", "unknown %s network %q; known networks: %s", in.Chain, network, strings.Join(address.Networks(in.Chain), ", "))
		ok = false
	}
	return network, ok
}

// walletAddresses checks the wallet's addresses (address, or addresses for
// several): none a secret, each valid on the chain's network, none twice.
func (c *checker) walletAddresses(f string, in ItemRequest, network string, chainOK bool, it *Item) {
	type given struct{ field, addr string }
	var addrs []given
	if in.Address != "" {
		addrs = append(addrs, given{f + ".address", in.Address})
	}
	for k, a := range in.Addresses {
		addrs = append(addrs, given{fmt.Sprintf("%s.addresses[%d]", f, k), a})
	}
	switch {
	case len(addrs) == 0:
		c.p.Add(f+".address", "a wallet item needs at least one address (address, or addresses for several)")
	case len(addrs) > maxPerItem:
		c.p.Addf(f+".addresses", "at most %d addresses per wallet item", maxPerItem)
		addrs = nil
	}
	seen := map[string]string{}
	for _, a := range addrs {
		if !chainOK {
			if k := text.SecretKind(a.addr); k != "" {
				c.p.Add(a.field, text.SecretReason(k))
			}
			continue
		}
		typ, field, reason := CheckWalletAddress(in.Chain, network, a.addr)
		switch field {
		case "":
		case "address":
			c.p.Add(a.field, reason)
			continue
		default:
			c.p.Add(f+"."+field, reason)
			continue
		}
		key := a.addr
		if in.Chain == address.Ethereum {
			key = strings.ToLower(a.addr) // EIP-55 case is a checksum, not part of the address
		}
		if prev, dup := seen[key]; dup {
			c.p.Addf(a.field, "the same address is listed at %s", prev)
			continue
		}
		seen[key] = a.field
		it.Addresses = append(it.Addresses, Address{Address: a.addr, Type: typ})
	}
}

// CheckWalletAddress checks one address of a wallet item as a seizure
// does: not a secret, then valid on chain's network (mainnet when network
// is empty). It returns the address's type, or the field at fault
// ("address", or "chain" or "network" when those are unknown) and why. The
// console checks an address with it as it is typed, so that the reason
// shown then is the one the seizure would give.
func CheckWalletAddress(chainName, network, addr string) (typ, field, reason string) {
	if k := text.SecretKind(addr); k != "" {
		return "", "address", text.SecretReason(k)
	}
	if chainName == "" {
		return "", "chain", "is required: one of " + strings.Join(address.Chains(), ", ")
	}
	if network == "" {
		network = address.Mainnet
	}
	res, err := address.Validate(chainName, network, addr)
	var pe *address.ParamError
	switch {
	case errors.As(err, &pe):
		return "", pe.Field, pe.Reason
	case err != nil:
		return "", "address", err.Error()
	case !res.Valid:
		return "", "address", fmt.Sprintf("not a valid %s %s address: %s", chainName, network, res.Reason)
	}
	return res.Type, "", ""
}

// walletHoldings checks what the wallet held at seizure: each a crypto
// asset its chain can hold, once, with a positive amount.
func (c *checker) walletHoldings(f string, in ItemRequest, chainOK bool, it *Item, values *[]money.Amount) {
	switch {
	case len(in.Holdings) == 0:
		c.p.Add(f+".holdings", "a wallet item needs at least one {currency, amount} as read at seizure")
		return
	case len(in.Holdings) > maxPerItem:
		c.p.Addf(f+".holdings", "at most %d holdings per wallet item", maxPerItem)
		return
	}
	held := map[string]int{}
	for j, h := range in.Holdings {
		hf := fmt.Sprintf("%s.holdings[%d]", f, j)
		cur, ok := c.currency(hf+".currency", h.Currency)
		if !ok {
			continue
		}
		if !cur.Crypto {
			// Said on its own, not only through the chain's assets,
			// so it holds even when the chain is unknown or mistyped.
			c.p.Addf(hf+".currency", "a wallet item cannot hold %s, a fiat currency (seize banknotes as a cash item)", cur.Code)
			continue
		}
		if chainOK && !slices.Contains(chainAssets[in.Chain], cur.Code) {
			c.p.Addf(hf+".currency", "a %s wallet cannot hold %s (it holds %s)", in.Chain, cur.Code, strings.Join(chainAssets[in.Chain], " or "))
			continue
		}
		if k, dup := held[cur.Code]; dup {
			c.p.Addf(hf+".currency", "%s is already given in holdings[%d]", cur.Code, k)
			continue
		}
		held[cur.Code] = j
		amt, err := money.ParseAmount(cur, h.Amount, money.Positive)
		if err != nil {
			c.p.Add(hf+".amount", err.Error())
			continue
		}
		it.Holdings = append(it.Holdings, Holding{Currency: cur.Code, Amount: amt.String()})
		*values = append(*values, amt)
	}
}

// walletDevice checks the device the wallet was found on and where its
// sealed secrets are kept: a location exactly when secrets are sealed.
func (c *checker) walletDevice(f string, in ItemRequest, it *Item) {
	if in.Device != nil {
		c.text(f+".device.make", in.Device.Make, maxShortText, false)
		c.text(f+".device.model", in.Device.Model, maxShortText, false)
		c.text(f+".device.serial", in.Device.Serial, maxShortText, false)
		d := *in.Device
		it.Device = &d
	}
	c.text(f+".secrets_location", in.SecretsLocation, maxShortText, false)
	switch {
	case in.SecretsSealed && in.SecretsLocation == "":
		c.p.Add(f+".secrets_location", "is required when secrets_sealed is true: say where the sealed envelope is kept")
	case !in.SecretsSealed && in.SecretsLocation != "":
		c.p.Add(f+".secrets_sealed", "must be true when secrets_location is given")
	}
	it.SecretsSealed, it.SecretsLocation = in.SecretsSealed, in.SecretsLocation
}

// CheckCase checks a case request.
func CheckCase(req CaseRequest) (Case, error) {
	var c checker
	c.text("fir", req.FIR, 100, true)
	switch {
	case req.Circle == "":
		c.p.Add("circle", "is required (a lower-case name such as islamabad)")
	case !text.ValidCircle(req.Circle):
		c.p.Add("circle", "must be a lower-case name such as islamabad: a-z, 0-9, '_' or '-', starting with a letter")
	}
	c.text("operation", req.Operation, maxShortText, false)
	c.text("title", req.Title, maxShortText, false)
	c.text("officer_in_charge", req.OfficerInCharge, maxShortText, false)
	c.text("remarks", req.Remarks, maxLongText, false)
	if len(req.Offences) > maxOffences {
		c.p.Addf("offences", "at most %d offences", maxOffences)
	}
	for i, o := range req.Offences {
		c.text(fmt.Sprintf("offences[%d]", i), o, maxShortText, true)
	}
	dates := map[string]string{"fir_date": req.FIRDate, "occurred_from": req.OccurredFrom, "occurred_to": req.OccurredTo}
	for _, name := range []string{"fir_date", "occurred_from", "occurred_to"} {
		if v := dates[name]; v != "" {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				c.p.Addf(name, "%q is not a date YYYY-MM-DD", v)
			}
		}
	}
	if req.OccurredFrom != "" && req.OccurredTo != "" && req.OccurredTo < req.OccurredFrom {
		c.p.Add("occurred_to", "is before occurred_from")
	}
	if err := c.p.Err(); err != nil {
		return Case{}, err
	}
	return Case{FIR: req.FIR, FIRDate: req.FIRDate, Circle: req.Circle, Operation: req.Operation, Title: req.Title,
		Offences: req.Offences, OfficerInCharge: req.OfficerInCharge, OccurredFrom: req.OccurredFrom,
		OccurredTo: req.OccurredTo, Remarks: req.Remarks}, nil
}
