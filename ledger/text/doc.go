// Package text holds the one check that every free-text field of every write
// goes through before it can reach the books, the custody log, a court
// bundle or an export: valid UTF-8, bounded in bytes, no control characters
// (line breaks and tabs only where a field may span lines), and no wallet
// secret. It also holds the rules of a seal number, which are the same on
// every path that writes one.
//
// Callers collect the reasons into their own field problems; this package
// imports nothing of the project, so the ledger, finance, the evidence
// register and the custody chain all use it.
package text
