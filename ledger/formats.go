package ledger

// StoreFormat is the format the store records in its meta bucket and checks
// on every open; `amanat version` prints it so an operator can tell which
// stores a build reads.
const StoreFormat = storeFormat

// TransactionFormat is the first line of a transaction's canonical bytes (the
// bytes the custody log covers).
const TransactionFormat = "amanat-txn/1"
