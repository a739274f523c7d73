package ledger

// The store's schema: every bbolt bucket of an Amanat store, whichever
// package owns its records, is declared here and nowhere else, so that one
// file says what a store holds and no two packages can claim one name. The
// owners read and write their buckets through Tx (bucket.go); only this
// package touches bbolt itself.

// Bucket names one bbolt bucket of the store.
type Bucket struct {
	name  []byte
	Owner string // the package whose records it holds
	Holds string // key -> value, as stored
}

// Name is the bucket's name in the file.
func (b Bucket) Name() string { return string(b.name) }

func bucket(name, owner, holds string) Bucket {
	return Bucket{name: []byte(name), Owner: owner, Holds: holds}
}

// The ledger's own buckets.
var (
	LedgerMeta      = bucket("ledger.meta", "ledger", `"format" -> store format`)
	LedgerTxns      = bucket("ledger.txns", "ledger", "BE(id) -> canonical transaction")
	LedgerBalances  = bucket("ledger.balances", "ledger", `account 0 currency -> "balance count"`)
	LedgerHistory   = bucket("ledger.history", "ledger", `account 0 currency 0 BE(effective ns) BE(id) -> "delta balance"`)
	LedgerReversals = bucket("ledger.reversals", "ledger", "BE(original id) -> BE(reversing id)")
	LedgerIdem      = bucket("ledger.idempotency", "ledger", "caller key -> versioned reply record")
)

// The custody log's buckets (package chain).
var (
	ChainMeta    = bucket("chain.meta", "chain", `"format", "origin", "vkey", "checkpoint" -> value`)
	ChainEntries = bucket("chain.entries", "chain", "BE(seq) -> canonical entry")
	ChainItems   = bucket("chain.items", "chain", "BE(item) BE(item_seq) -> BE(seq)")
	ChainState   = bucket("chain.state", "chain", "BE(item) -> state version, JSON item state")
	ChainLeaves  = bucket("chain.leaves", "chain", "BE(leaf index) -> kind, BE(record id)[, record kind name]; Sequence() is the tree size")
	ChainHashes  = bucket("chain.hashes", "chain", "BE(tlog stored hash index) -> 32-byte hash")
	ChainTxLeaf  = bucket("chain.txleaf", "chain", "BE(ledger transaction id) -> BE(leaf index)")
	ChainRecords = bucket("chain.records", "chain", "kind 0x00 BE(id) -> BE(leaf index)")
	// The head commitment (chain/log/heads.go): a Merkle tree over each
	// item's latest entry and transaction, its root in every checkpoint.
	ChainHeads      = bucket("chain.heads", "chain", "BE(item) -> version 1, BE(entries, entry leaf, txns, txn leaf), the two leaf hashes; Sequence() is the commitment's size")
	ChainHeadHashes = bucket("chain.headhashes", "chain", "level byte (4 and up), BE(subtree index) -> 32-byte hash of the head commitment; Sequence() is the size the hashes are of")
	ChainHeadsDirty = bucket("chain.headsdirty", "chain", "always empty: once the marks of the heads an open transaction wrote, now kept in memory")
	ChainItemTxns   = bucket("chain.itemtxns", "chain", "BE(item) BE(ledger transaction id) -> empty: the transactions that post to custody:item:<item>")
)

// The evidence register's buckets (package chain/evidence).
var (
	EvidenceCases     = bucket("evidence.cases", "chain/evidence", "BE(case id) -> version 1, JSON case")
	EvidenceFIRs      = bucket("evidence.firs", "chain/evidence", "circle 0 fir -> BE(case id)")
	EvidenceItems     = bucket("evidence.items", "chain/evidence", "BE(item id) -> version 1, JSON item")
	EvidenceSeals     = bucket("evidence.seals", "chain/evidence", "upper-cased seal -> BE(item id)")
	EvidenceCaseItems = bucket("evidence.case_items", "chain/evidence", "BE(case id) BE(item id) -> empty")
	EvidenceOrders    = bucket("evidence.court_orders", "chain/evidence", "BE(order id) -> version 1, JSON court order")
	EvidenceItemOrder = bucket("evidence.item_orders", "chain/evidence", "BE(item id) BE(order id) -> empty")
	EvidenceOrderEnds = bucket("evidence.order_ends", "chain/evidence", "BE(order id) -> BE(id of the order that vacates or supersedes it)")
)

// The two-person rule's buckets (package chain/evidence): a proposal and
// its decision are two records, each written once, so both can be leaves of
// the custody log.
var (
	ApprovalProposals = bucket("approval.proposals", "chain/evidence", "BE(approval id) -> version 1, JSON proposal")
	ApprovalDecisions = bucket("approval.decisions", "chain/evidence", "BE(approval id) -> version 1, JSON decision")
)

// The search index (package chain/evidence): one key per normalised term of
// a searchable field of a case or item, written in the same transaction as
// the record or custody entry it comes from.
var (
	SearchTerms = bucket("search.terms", "chain/evidence", "normalised term 0 kind byte BE(id) 0 field -> the field's text as recorded")
)

// Finance's buckets (package ledger/finance).
var (
	FinanceRates       = bucket("finance.rates", "ledger/finance", "currency 0 date 0 BE(id) -> rate record")
	FinanceConversions = bucket("finance.conversions", "ledger/finance", "BE(id) -> conversion record")
	FinanceRecons      = bucket("finance.reconciliations", "ledger/finance", "BE(id) -> reconciliation record")
	FinanceReconLatest = bucket("finance.recon.latest", "ledger/finance", "item or location key -> latest count")
)

// Access's buckets (API tokens).
var (
	AuthTokens = bucket("auth.tokens", "auth", "hex SHA-256 of the token -> token record (JSON, version 1)")
)

// Access's buckets (user accounts and their console sessions).
var (
	AuthUsers    = bucket("auth.users", "chain/access", "lower-cased login -> user record (JSON, version 1, with the Argon2id PHC hash of the password)")
	AuthSessions = bucket("auth.sessions", "chain/access", "hex SHA-256 of the session token -> session record (JSON, version 1)")
)

// The audit log of reads and writes (package chain/audit): its own Merkle
// tree, apart from the custody log's, so that reading never changes the
// custody log or a court bundle; the indexes are written in the same
// transaction as the record.
var (
	AuditMeta    = bucket("audit.meta", "chain/audit", `"checkpoint" -> the signed checkpoint of the audit tree`)
	AuditRecords = bucket("audit.records", "chain/audit", "BE(seq) -> version 1, JSON record; Sequence() is the tree size")
	AuditHashes  = bucket("audit.hashes", "chain/audit", "BE(tlog stored hash index) -> 32-byte hash")
	AuditActors  = bucket("audit.by_actor", "chain/audit", "actor 0 BE(seq) -> empty")
	AuditItems   = bucket("audit.by_item", "chain/audit", "BE(item id) BE(seq) -> empty")
	AuditTimes   = bucket("audit.by_time", "chain/audit", "BE(unix ns) BE(seq) -> empty")
)

// The cosignatures witnesses in other circles gave the custody log's
// checkpoints (package chain/witness).
var (
	WitnessCosigs = bucket("witness.cosignatures", "chain/witness", "BE(tree size) 0 witness public key -> version 1, JSON {checkpoint, witness, lines, time}")
)

// Schema lists every bucket of a store, in the order Create makes them.
var Schema = []Bucket{
	LedgerMeta, LedgerTxns, LedgerBalances, LedgerHistory, LedgerReversals, LedgerIdem,
	ChainMeta, ChainEntries, ChainItems, ChainState, ChainLeaves, ChainHashes, ChainTxLeaf, ChainRecords,
	ChainHeads, ChainHeadHashes, ChainHeadsDirty, ChainItemTxns,
	EvidenceCases, EvidenceFIRs, EvidenceItems, EvidenceSeals, EvidenceCaseItems,
	EvidenceOrders, EvidenceItemOrder, EvidenceOrderEnds,
	ApprovalProposals, ApprovalDecisions,
	SearchTerms,
	FinanceRates, FinanceConversions, FinanceRecons, FinanceReconLatest,
	AuthTokens,
	AuthUsers, AuthSessions,
	AuditMeta, AuditRecords, AuditHashes, AuditActors, AuditItems, AuditTimes,
	WitnessCosigs,
}
