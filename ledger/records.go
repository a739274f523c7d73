package ledger

// RecordKind describes the records of one owner's bucket that the custody
// log covers (a case, an item, a rate), each written once and never changed.
// It is declared here, not in package chain, so that an owner that may not
// import chain (ledger/finance) can still describe its records; the wiring
// hands every owner's kinds to the custody log when it opens it.
type RecordKind struct {
	// Name is the record kind as the leaf names it: "<package>.<record>",
	// e.g. "evidence.item". Letters, digits, '.', '_' and '-'.
	Name string
	// Label names one record in errors and reports: "item" gives
	// "item 7: leaf hash does not match the log (log leaf 12)".
	Label string
	// Each calls fn with every stored record of the kind, in any order:
	// its id and its stored bytes exactly (valid inside tx only). It is
	// what verification checks against the log and what a read-write open
	// backfills from.
	Each func(tx *Tx, fn func(id uint64, stored []byte) error) error
	// Read, when set, reads one record by id (court bundles use it); nil
	// means Each is scanned.
	Read func(tx *Tx, id uint64) ([]byte, bool)
	// Item says the records are keyed by item id: the court bundle of item
	// N carries record N of this kind, proved like its custody entries.
	Item bool
	// Cash, when set on an Item kind, says whether the stored record is
	// of an item that holds nothing on a chain (a cash bag): the custody
	// log refuses events only a wallet can have for it. The custody log
	// does not know item kinds; the owner of the records does.
	Cash func(stored []byte) (bool, error)
	// Orders says custody entries name records of this kind by their
	// court_order_id line: the court bundle of an item carries every
	// such record its entries name. At most one kind says it; its stored
	// bytes are a version byte 1 and a JSON object with at least id, kind,
	// number, date and items (docs/custody-format.md).
	Orders bool
}
