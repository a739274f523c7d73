package chain

import "errors"

// The checks CheckBundle makes, in the order it makes them. A failure of
// CheckBundle is a *BundleCheckError naming one of them, so that a reader
// (the console's check page) can list every check: those before it passed,
// those after it were not reached.
const (
	CheckReadable     = "readable"     // one JSON object of this bundle format, for an item
	CheckCheckpoint   = "checkpoint"   // the trusted key, the checkpoint's signature and body
	CheckEntries      = "entries"      // each entry's proof, bytes, hash chain and the state machine
	CheckTransactions = "transactions" // each ledger transaction's proof and postings, exactly those the entries name
	CheckRecords      = "records"      // the item's own records and the court orders its entries name
)

// BundleChecks are the checks of CheckBundle in order.
var BundleChecks = []string{CheckReadable, CheckCheckpoint, CheckEntries, CheckTransactions, CheckRecords}

// BundleCheckError is a failure of one check of CheckBundle. Its text is
// the cause's alone, so the command line prints what it always printed.
type BundleCheckError struct {
	Check string // one of BundleChecks
	Err   error
}

func (e *BundleCheckError) Error() string { return e.Err.Error() }
func (e *BundleCheckError) Unwrap() error { return e.Err }

// FailedCheck is the check of BundleChecks that err (from CheckBundle)
// names, or "" when err is not a check's failure.
func FailedCheck(err error) string {
	var ce *BundleCheckError
	if errors.As(err, &ce) {
		return ce.Check
	}
	return ""
}

func checkFailed(check string, err error) error {
	if err == nil {
		return nil
	}
	return &BundleCheckError{Check: check, Err: err}
}
