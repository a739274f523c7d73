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

// maxTextLen bounds the text of an amount or a rate. 60 characters is far past
// any real holding (10^40 units) and keeps a hostile body from making the
// decimal library allocate without limit.
const maxTextLen = 60

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
// than cur's scale. A longer fraction is refused, never rounded.
func ParseAmount(cur Currency, s string, sign Sign) (Amount, error) {
	d, places, err := parsePlain(s, sign)
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
// places, for quantities that are not amounts of one currency (a rate in PKR
// per unit). It returns the value and the number of places as written.
func ParseDecimal(s string, sign Sign, maxPlaces int) (decimal.Decimal, int, error) {
	d, places, err := parsePlain(s, sign)
	if err != nil {
		return decimal.Decimal{}, 0, err
	}
	if places > maxPlaces {
		return decimal.Decimal{}, 0, fmt.Errorf("at most %d decimal places are allowed; %q has %d", maxPlaces, s, places)
	}
	return d, places, nil
}

func parsePlain(s string, sign Sign) (decimal.Decimal, int, error) {
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
	intDigits, fracDigits, point := 0, 0, false
	for i := 0; i < len(body); i++ {
		ch := body[i]
		switch {
		case ch >= '0' && ch <= '9':
			if point {
				fracDigits++
			} else {
				intDigits++
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
	if intDigits == 0 {
		return decimal.Decimal{}, 0, fmt.Errorf("amount %q needs a digit before the decimal point", s)
	}
	if point && fracDigits == 0 {
		return decimal.Decimal{}, 0, fmt.Errorf("amount %q needs a digit after the decimal point", s)
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
// refusing one with more places than the currency allows.
func New(cur Currency, d decimal.Decimal) (Amount, error) {
	if -d.Exponent() > cur.Scale && !d.Equal(d.Truncate(cur.Scale)) {
		return Amount{}, fmt.Errorf("%s allows at most %d decimal places; %s has more", cur.Code, cur.Scale, d.String())
	}
	return Amount{cur: cur, val: d}, nil
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
