package httpapi

import (
	"strconv"

	"github.com/amanat-ledger/amanat/ledger"
)

// ID is the ledger's one id type: a JSON number in answers, a number or a
// string of digits in requests.
type ID = ledger.ID

// idOf reads an id that a domain package keeps as decimal text, for an
// answer. Such text is written by this server, so anything else is a fault in
// the store, not in the request.
func idOf(what, text string) (ID, error) {
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil || n == 0 {
		return 0, ledger.Errorf(ledger.EInternal, "%s %q is not an id", what, text)
	}
	return ID(n), nil
}
