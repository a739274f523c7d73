package money

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Amount is an exact quantity of one currency. Its value never carries more
// decimal places than the currency's scale.
type Amount struct {
	cur Currency
	val decimal.Decimal
}

// The bounds below make one promise: whatever the books accept they can
// always read back. Each quantity that enters from outside has a ceiling, each
// quantity derived from those has a larger one that the arithmetic proves it
// cannot pass, and the reader of stored text accepts more than any of them.
// docs/ledger.md ("Bounds") gives the same arithmetic.
const (
	// MaxDigits is the most digits before the decimal point of an amount
	// entered (a seizure, a holding, a count, proceeds, fees): every entered
	// amount is below 10^24 units. That is past any real holding (all the
	// dong, rial or wei in the world is far less) and keeps every sum below
	// the stored bound.
	MaxDigits = 24

	// MaxRateDigits is the most digits before the decimal point of a rate:
	// every rate is below 10^12 PKR per unit (a bitcoin is about 3 × 10^7).
	MaxRateDigits = 12

	// MaxPostingDigits is the most digits before the decimal point of one
	// posting. A posting is an entered amount, a difference of two of them
	// (a reconciliation), or a conversion's realised difference: proceeds
	// plus fees (below 2 × 10^24) less a valuation of an entered amount at a
	// rate (below 10^24 × 10^12 = 10^36), so below 10^37; 38 digits leave a
	// factor of ten to spare. The ledger refuses any larger posting.
	MaxPostingDigits = MaxDigits + MaxRateDigits + 2

	// MaxStoredDigits is the most digits before the decimal point that
	// ParseStored reads. A balance or a running balance is a sum of at most
	// 2^64 postings (a posting count is a uint64), each below 10^38: below
	// 2^64 × 10^38 < 1.9 × 10^57, so 58 digits. A valuation of such a balance
	// at a rate below 10^12 is below 10^70, and a total of 2^64 of those is
	// below 10^90. 100 digits hold all of them with room to spare.
	MaxStoredDigits = 100
)

// maxTextLen bounds the text of any amount or rate before it reaches the
// decimal library, so a hostile body cannot make it allocate without limit. A
// stored amount at the largest bound is 1 (sign) + 100 + 1 (point) + 18 (the
// largest scale) = 120 characters; the rest leaves room for leading zeros.
const maxTextLen = 128

// Sign says which signs ParseAmount accepts.
type Sign int

const (
	// Positive accepts amounts greater than zero: what was seized, a rate.
	Positive Sign = iota
	// NonNegative accepts zero as well: a count that found nothing.
	NonNegative
	// Signed accepts a leading minus: a posting.
	Signed
)

// ParseAmount reads an amount of cur written in plain notation: ASCII digits
// with at most one point that has digits on both sides, no exponent, no
// spaces, no '+', a '-' only where sign allows it, and no more decimal places
// than cur's scale. A longer fraction is refused, never rounded. It is the
// parser of every amount that enters the books from outside, so it also
// refuses more than MaxDigits digits before the point (leading zeros do not
// count).
func ParseAmount(cur Currency, s string, sign Sign) (Amount, error) {
	return parseAmount(cur, s, sign, MaxDigits)
}

// ParseStored reads an amount of cur as the books store it: a posting, a
// balance, a running balance. The grammar is ParseAmount's with a sign
// allowed, but the bound is MaxStoredDigits, which any sum of accepted
// amounts stays under; so what was accepted can always be read back.
func ParseStored(cur Currency, s string) (Amount, error) {
	return parseAmount(cur, s, Signed, MaxStoredDigits)
}

func parseAmount(cur Currency, s string, sign Sign, maxDigits int) (Amount, error) {
	d, places, err := parsePlain(s, sign, maxDigits)
	if err != nil {
		return Amount{}, err
	}
	if places > int(cur.Scale) {
		if cur.Scale == 0 {
			return Amount{}, fmt.Errorf("%s has no decimal places; %q has %d", cur.Code, s, places)
		}
		return Amount{}, fmt.Errorf("%s allows at most %d decimal places; %q has %d", cur.Code, cur.Scale, s, places)
	}
	return Amount{cur: cur, val: d}, nil
}

// ParseDecimal reads a plain-notation decimal with at most maxPlaces decimal
// places and at most MaxRateDigits digits before the point, for quantities
// that are not amounts of one currency (a rate in PKR per unit). It returns
// the value and the number of places as written.
func ParseDecimal(s string, sign Sign, maxPlaces int) (decimal.Decimal, int, error) {
	d, places, err := parsePlain(s, sign, MaxRateDigits)
	if err != nil {
		return decimal.Decimal{}, 0, err
	}
	if places > maxPlaces {
		return decimal.Decimal{}, 0, fmt.Errorf("at most %d decimal places are allowed; %q has %d", maxPlaces, s, places)
	}
	return d, places, nil
}

// ParseStoredDecimal is ParseDecimal for a decimal as the books stored it
// (a rate record): the bound is MaxStoredDigits, not MaxRateDigits, so a
// rate stored before the rate bound existed still reads back.
func ParseStoredDecimal(s string, maxPlaces int) (decimal.Decimal, error) {
	d, places, err := parsePlain(s, Positive, MaxStoredDigits)
	if err != nil {
		return decimal.Decimal{}, err
	}
	if places > maxPlaces {
		return decimal.Decimal{}, fmt.Errorf("at most %d decimal places are allowed; %q has %d", maxPlaces, s, places)
	}
	return d, nil
}

// parsePlain reads plain notation with at most maxDigits significant digits
// before the point. It counts digits on the text, before the decimal library
// sees it, so a refused value costs no allocation.
func parsePlain(s string, sign Sign, maxDigits int) (decimal.Decimal, int, error) {
	if s == "" {
		return decimal.Decimal{}, 0, fmt.Errorf("amount is empty")
	}
	if len(s) > maxTextLen {
		return decimal.Decimal{}, 0, fmt.Errorf("amount is longer than %d characters", maxTextLen)
	}
	body := s
	if body[0] == '-' {
		if sign != Signed {
			return decimal.Decimal{}, 0, fmt.Errorf("amount %q must not be negative", s)
		}
		body = body[1:]
	}
	// sigDigits counts the digits before the point that are not leading
	// zeros: the size of the value, which the bound is about.
	intPart, sigDigits, fracDigits, point := false, 0, 0, false
	for i := 0; i < len(body); i++ {
		ch := body[i]
		switch {
		case ch >= '0' && ch <= '9':
			switch {
			case point:
				fracDigits++
			case sigDigits > 0 || ch != '0':
				intPart = true
				sigDigits++
			default:
				intPart = true
			}
		case ch == '.':
			if point {
				return decimal.Decimal{}, 0, fmt.Errorf("amount %q has more than one decimal point", s)
			}
			point = true
		case ch == '+':
			return decimal.Decimal{}, 0, fmt.Errorf("amount %q must not carry a '+' sign", s)
		case ch == 'e' || ch == 'E':
			return decimal.Decimal{}, 0, fmt.Errorf("amount %q uses an exponent; write it in plain digits", s)
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			return decimal.Decimal{}, 0, fmt.Errorf("amount %q contains white space", s)
		case ch == ',' || ch == '_' || ch == '\'':
			return decimal.Decimal{}, 0, fmt.Errorf("amount %q contains a digit separator; write digits only, with '.' for the decimal point", s)
		case ch == '-':
			return decimal.Decimal{}, 0, fmt.Errorf("amount %q has a '-' that is not a leading sign", s)
		default:
			return decimal.Decimal{}, 0, fmt.Errorf("amount %q contains %q; only digits and one '.' are allowed", s, rune(ch))
		}
	}
	if !intPart {
		return decimal.Decimal{}, 0, fmt.Errorf("amount %q needs a digit before the decimal point", s)
	}
	if point && fracDigits == 0 {
		return decimal.Decimal{}, 0, fmt.Errorf("amount %q needs a digit after the decimal point", s)
	}
	if sigDigits > maxDigits {
		return decimal.Decimal{}, 0, fmt.Errorf("amount %q is too large: it has %d digits before the decimal point, at most %d are allowed", s, sigDigits, maxDigits)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, 0, fmt.Errorf("amount %q: %w", s, err)
	}
	if sign == Positive && d.Sign() <= 0 {
		return decimal.Decimal{}, 0, fmt.Errorf("amount %q must be greater than zero", s)
	}
	return d, fracDigits, nil
}

// New makes an amount from a decimal that the caller has already checked,
// refusing one with more places than the currency allows. It puts no bound on
// the size: New makes derived amounts (sums, valuations), and the ledger
// bounds what it stores (MaxPostingDigits).
func New(cur Currency, d decimal.Decimal) (Amount, error) {
	if -d.Exponent() > cur.Scale && !d.Equal(d.Truncate(cur.Scale)) {
		return Amount{}, fmt.Errorf("%s allows at most %d decimal places; %s has more", cur.Code, cur.Scale, d.String())
	}
	return Amount{cur: cur, val: d}, nil
}

// Digits is the number of digits before the decimal point of the amount's
// absolute value: 0 below one unit, 4 for 1500.00, 24 for 10^24 − 1.
func (a Amount) Digits() int {
	if a.val.IsZero() {
		return 0
	}
	return max(0, a.val.NumDigits()+int(a.val.Exponent()))
}

// CheckPosting says why a is too large to be posted (more than
// MaxPostingDigits digits before the point), or nil.
func (a Amount) CheckPosting() error {
	if n := a.Digits(); n > MaxPostingDigits {
		return fmt.Errorf("%s amount is too large: it has %d digits before the decimal point, a posting at most %d", a.cur.Code, n, MaxPostingDigits)
	}
	return nil
}

// Zero is the zero amount of cur.
func Zero(cur Currency) Amount { return Amount{cur: cur} }

// Currency is the amount's currency.
func (a Amount) Currency() Currency { return a.cur }

// Decimal is the amount's value; for arithmetic with rates only.
func (a Amount) Decimal() decimal.Decimal { return a.val }

// String renders the amount in plain notation at its currency's scale:
// "0.00012345", "1500.00", "250000".
func (a Amount) String() string { return a.val.StringFixed(a.cur.Scale) }

// Append appends String's rendering to b.
func (a Amount) Append(b []byte) []byte { return append(b, a.val.StringFixed(a.cur.Scale)...) }

// Sign is -1, 0 or +1.
func (a Amount) Sign() int { return a.val.Sign() }

// IsZero says whether the amount is zero.
func (a Amount) IsZero() bool { return a.val.IsZero() }

// Neg is the amount with its sign flipped.
func (a Amount) Neg() Amount { return Amount{cur: a.cur, val: a.val.Neg()} }

// Add adds b, which must be of the same currency.
func (a Amount) Add(b Amount) (Amount, error) {
	if a.cur.Code != b.cur.Code {
		return Amount{}, fmt.Errorf("cannot add %s to %s", b.cur.Code, a.cur.Code)
	}
	return Amount{cur: a.cur, val: a.val.Add(b.val)}, nil
}

// Sub subtracts b, which must be of the same currency.
func (a Amount) Sub(b Amount) (Amount, error) { return a.Add(b.Neg()) }

// Equal says whether two amounts are of the same currency and value.
func (a Amount) Equal(b Amount) bool { return a.cur.Code == b.cur.Code && a.val.Equal(b.val) }

// Cmp compares two amounts of the same currency.
func (a Amount) Cmp(b Amount) int { return a.val.Cmp(b.val) }

// ToPKR converts the amount at rate (PKR per one unit) by the product rounded
// to 0.01 PKR, half away from zero. decimal.Round rounds half away from zero;
// RoundBank would not be our rule.
func (a Amount) ToPKR(rate decimal.Decimal) Amount {
	return Amount{cur: PKR, val: a.val.Mul(rate).Round(PKR.Scale)}
}
