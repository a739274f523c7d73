package ledger

import "strconv"

// Account names are built here and nowhere else: root:item:<id> for what
// one item holds or owes (custody, conversion, variance, superdari),
// root:case:<id> for a case's side (seized, forfeited, returned, disposed,
// proceeds). The roots are the chart's (ChartRoots); the domain decides which
// root an event posts to.

// ItemAccount is root's account of item: ItemAccount("custody", 7) is
// custody:item:7.
func ItemAccount(root string, item uint64) string {
	return ItemAccountOf(root, strconv.FormatUint(item, 10))
}

// ItemAccountOf is ItemAccount for an id already in its decimal form.
func ItemAccountOf(root, item string) string { return root + ":item:" + item }

// CaseAccount is root's account of a case: CaseAccount("seized", 3) is
// seized:case:3.
func CaseAccount(root string, caseID uint64) string {
	return CaseAccountOf(root, strconv.FormatUint(caseID, 10))
}

// CaseAccountOf is CaseAccount for an id already in its decimal form.
func CaseAccountOf(root, caseID string) string { return root + ":case:" + caseID }

// CustodyAccount is the account that holds what item holds while it is in
// custody.
func CustodyAccount(item uint64) string { return ItemAccount("custody", item) }
