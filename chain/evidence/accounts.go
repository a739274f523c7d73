package evidence

import (
	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// The register names every ledger account its events post to, here and
// nowhere else: a seizure moves holdings from seized:case:<case> into
// custody:item:<item>, and an event that ends custody moves them on to
// <root>:case:<case>, so that a case's accounts show what it took in and
// what left it, and how.

// ItemAccount is the ledger account that holds item id.
func ItemAccount(id uint64) string { return ledger.CustodyAccount(id) }

// SuperdariAccount is the ledger account that holds item id while it is
// out on a bond (superdari).
func SuperdariAccount(id uint64) string { return ledger.ItemAccount("superdari", id) }

// CaseAccount is the ledger account of the trust owed for case id.
func CaseAccount(id uint64) string { return ledger.CaseAccount("seized", id) }

// releaseRoots names, for each event that ends custody by court order or
// disposal, the ledger root its holdings move to.
var releaseRoots = map[string]string{
	chain.EventForfeited:  "forfeited",
	chain.EventReturned:   "returned",
	chain.EventDestroyed:  "disposed",
	chain.EventWrittenOff: "disposed",
}

// ReleaseAccount is the account that an event ending custody moves a case's
// holdings to (forfeited:case:7, returned:case:7, disposed:case:7); ok is
// false for an event that releases nothing.
func ReleaseAccount(event string, caseID uint64) (account string, ok bool) {
	root, ok := releaseRoots[event]
	if !ok {
		return "", false
	}
	return ledger.CaseAccount(root, caseID), true
}
