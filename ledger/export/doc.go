// Package export writes the books out for other tools: a plain-text journal
// that hledger and ledger read with the same balances as Amanat's, a CSV of
// postings for spreadsheets, and Amanat's own balance summary that the
// journal is checked against.
package export
