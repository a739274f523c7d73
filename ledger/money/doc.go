// Package money holds currencies, exact amounts and the one parser that turns
// text into an amount. Amounts are decimal.Decimal values tied to a Currency and
// never leave this package as bare decimals or floats.
package money
