// Package register computes the malkhana register: one row per seized item,
// as the store stood at the end of a date (its custody state replayed to
// then, its balances then, the court orders dated by then, its last count
// by then and its value in PKR at that date's rates). The API and the
// export command only call it; it writes nothing.
package register
