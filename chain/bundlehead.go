package chain

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// A bundle of format 2 proves it is complete: the checkpoint signs the root
// of the head commitment (chain/log/heads.go), and the bundle carries its
// item's head with an inclusion proof against it. The head says how many
// custody entries and ledger transactions the item has and which leaf is
// the latest of each, so a bundle missing any of them, or showing an older
// state under a newer checkpoint, is refused.

// exportHead fills in b's head and its proof, after checking that cp is the
// checkpoint of the log as tx sees it, and returns every ledger transaction
// of item (those that post to custody:item:<item>), by id.
func (c *Custody) exportHead(tx *ledger.Tx, b *Bundle, es []Entry, cp Checkpoint) ([]uint64, error) {
	for _, e := range es {
		if e.LeafIndex >= cp.Size {
			return nil, ledger.Errorf(ledger.EConflict, "custody entry %d is not yet under a signed checkpoint (size %d); sign one first", e.Seq, cp.Size)
		}
	}
	p, err := log.ProveHead(tx, b.Item)
	if err != nil {
		return nil, err
	}
	if !cp.Ext.HasHeads || cp.Ext.HeadsSize != p.HeadsSize || cp.Ext.HeadsRoot != p.Root {
		return nil, ledger.Errorf(ledger.EConflict, "the checkpoint (size %d) does not sign the head commitment as it is now; sign one first", cp.Size)
	}
	r := BundleRecord{ID: b.Item, LeafIndex: p.Leaf, LeafHash: log.HashHex(p.LeafHash), Canonical: string(p.Canonical), Proof: []string{}}
	for _, h := range p.Hashes {
		r.Proof = append(r.Proof, log.HashHex(h))
	}
	b.HeadsSize, b.HeadsRoot, b.Head = p.HeadsSize, log.HashHex(p.Root), &r
	txns := log.ItemTxns(tx, b.Item)
	if uint64(len(txns)) != p.Head.Txns {
		return nil, ledger.Errorf(ledger.EInternal, "item %d's head counts %d ledger transactions, its index %d", b.Item, p.Head.Txns, len(txns))
	}
	for _, e := range es {
		if e.LedgerTxn != 0 && !slices.Contains(txns, e.LedgerTxn) {
			return nil, ledger.Errorf(ledger.EInternal, "custody entry %d names ledger transaction %d, which is not indexed under item %d", e.Seq, e.LedgerTxn, b.Item)
		}
	}
	return txns, nil
}

// checkBundleHead checks a format 2 bundle's head: the checkpoint's heads
// line, the head's proof against it, and that the head names the bundle's
// last entry and last transaction and counts exactly the ones it holds.
func checkBundleHead(b Bundle, tree bundleTree) error {
	x := tree.ext
	switch {
	case !x.HasHeads:
		return fmt.Errorf("the checkpoint has no heads line, so the bundle cannot prove it is complete")
	case b.Head == nil:
		return fmt.Errorf("the bundle has no head of item %d, so it cannot prove it is complete", b.Item)
	case b.HeadsSize != x.HeadsSize || b.HeadsRoot != log.HashHex(x.HeadsRoot):
		return fmt.Errorf("heads_size and heads_root (%d, %s) differ from the checkpoint's heads line (%d, %s)", b.HeadsSize, b.HeadsRoot, x.HeadsSize, log.HashHex(x.HeadsRoot))
	}
	r := *b.Head
	if r.Kind != "" || r.ID != b.Item || r.LeafIndex != b.Item-1 {
		return fmt.Errorf("head: is the head of item %d at leaf %d, not item %d's at leaf %d", r.ID, r.LeafIndex, b.Item, b.Item-1)
	}
	heads := bundleTree{size: x.HeadsSize, root: x.HeadsRoot}
	if err := heads.prove(r); err != nil {
		return fmt.Errorf("head: %w (against the checkpoint's heads root)", err)
	}
	h, err := log.ParseHead([]byte(r.Canonical))
	if err != nil {
		return fmt.Errorf("head: %w", err)
	}
	if h.Item != b.Item {
		return fmt.Errorf("head: is the head of item %d, not %d", h.Item, b.Item)
	}
	if err := headNames("custody entries", h.Entries, h.EntryLeaf, h.EntryHash, b.Entries); err != nil {
		return err
	}
	return headNames("ledger transactions", h.Txns, h.TxnLeaf, h.TxnHash, b.Transactions)
}

// headNames checks that the head's count of what (entries or transactions)
// and its latest leaf are those of rs.
func headNames(what string, n, leaf uint64, hash tlog.Hash, rs []BundleRecord) error {
	if uint64(len(rs)) != n {
		return fmt.Errorf("the item's head counts %d %s at the checkpoint, the bundle holds %d (%s missing)", n, what, len(rs), missing(n, len(rs)))
	}
	if n == 0 {
		return nil
	}
	last := rs[len(rs)-1]
	if last.LeafIndex != leaf || last.LeafHash != log.HashHex(hash) {
		return fmt.Errorf("the item's head names leaf %d as its latest of its %s, the bundle's last is leaf %d (the latest is missing or the head is outdated)", leaf, what, last.LeafIndex)
	}
	return nil
}

func missing(n uint64, have int) string {
	if uint64(have) < n {
		return fmt.Sprintf("%d are", n-uint64(have))
	}
	return "the head is outdated or none are"
}

// holdingRoots are the accounts of an item that hold it: in custody and out
// on superdari. Neither is ever below zero.
var holdingRoots = []string{"custody", "superdari"}

// zeroAfter names, for an event, the holding accounts it leaves empty: the
// events that end custody (a conversion sells all of it) move everything
// out; superdari moves it all to
// the bond and receiving it back all into custody.
var zeroAfter = map[string][]string{
	EventForfeited:  {"custody", "superdari"},
	EventReturned:   {"custody", "superdari"},
	EventDestroyed:  {"custody", "superdari"},
	EventWrittenOff: {"custody", "superdari"},
	EventConverted:  {"custody", "superdari"},
	EventSuperdari:  {"custody"},
	EventReceived:   {"superdari"},
}

// checkBundleBalances replays the postings of a format 2 bundle's
// transactions to the item's holding accounts in log order, interleaved
// with its entries, and requires that they explain the item's balances at
// each entry: an entry's transaction comes before it, no holding account is
// below zero, and an event that moves the item's holdings out leaves the
// account it empties at zero. It returns what custody:item:<item> holds at
// the end.
func checkBundleBalances(b Bundle) ([]string, error) {
	txns := make([]ledger.Transaction, len(b.Transactions))
	for i, r := range b.Transactions {
		t, err := ledger.DecodeTransaction([]byte(r.Canonical))
		if err != nil {
			return nil, fmt.Errorf("ledger transaction %d: %w", r.ID, err)
		}
		txns[i] = t
	}
	bal := map[string]money.Amount{} // "account currency" -> balance
	post := func(t ledger.Transaction) error {
		for _, p := range t.Postings {
			if !isHolding(p.Account, b.Item) {
				continue
			}
			key := p.Account + " " + p.Amount.Currency().Code
			cur, ok := bal[key]
			if !ok {
				cur = money.Zero(p.Amount.Currency())
			}
			next, err := cur.Add(p.Amount)
			if err != nil {
				return fmt.Errorf("ledger transaction %d: %w", t.ID, err)
			}
			bal[key] = next
		}
		return nil
	}
	next := 0
	for _, r := range b.Entries {
		e, err := DecodeEntry([]byte(r.Canonical))
		if err != nil {
			return nil, fmt.Errorf("custody entry %d: %w", r.ID, err)
		}
		for ; next < len(txns) && b.Transactions[next].LeafIndex < r.LeafIndex; next++ {
			if err := post(txns[next]); err != nil {
				return nil, err
			}
		}
		if e.LedgerTxn != 0 && !slices.ContainsFunc(txns[:next], func(t ledger.Transaction) bool { return t.ID == e.LedgerTxn }) {
			return nil, fmt.Errorf("custody entry %d: its ledger transaction %d does not come before it in the log", e.Seq, e.LedgerTxn)
		}
		if err := checkHoldings(bal, e, b.Item); err != nil {
			return nil, fmt.Errorf("custody entry %d: %w", e.Seq, err)
		}
	}
	for ; next < len(txns); next++ {
		if err := post(txns[next]); err != nil {
			return nil, err
		}
	}
	for key, a := range bal {
		if a.Sign() < 0 {
			return nil, fmt.Errorf("the item's transactions leave %s at %s, below zero", strings.Fields(key)[0], a)
		}
	}
	var held []string
	for _, key := range slices.Sorted(maps.Keys(bal)) {
		acct, code, _ := strings.Cut(key, " ")
		if a := bal[key]; acct == itemAccount(b.Item) && !a.IsZero() {
			held = append(held, code+" "+a.String())
		}
	}
	return held, nil
}

// checkHoldings checks the item's holding balances just after entry e.
func checkHoldings(bal map[string]money.Amount, e Entry, item uint64) error {
	for key, a := range bal {
		acct, _, _ := strings.Cut(key, " ")
		if a.Sign() < 0 {
			return fmt.Errorf("the item's transactions before it leave %s at %s, below zero (a transaction is missing)", acct, a)
		}
		for _, root := range zeroAfter[e.Event] {
			if acct == ledger.ItemAccount(root, item) && !a.IsZero() {
				return fmt.Errorf("is %s, which empties %s, but the item's transactions leave %s %s in it (a transaction is missing)", e.Event, acct, a.Currency().Code, a)
			}
		}
	}
	return nil
}

func isHolding(acct string, item uint64) bool {
	for _, root := range holdingRoots {
		if acct == ledger.ItemAccount(root, item) {
			return true
		}
	}
	return false
}

// checkBundleComplete runs the checks of format 2 that prove a bundle
// whole: the item's own record is there, the head names its last entry and
// transaction and counts them all, and the transactions explain the
// balances.
func checkBundleComplete(b Bundle, tree bundleTree, rep *BundleReport) error {
	if rep.Records == 0 {
		return fmt.Errorf("the bundle carries no record of item %d itself (records), which format %s requires", b.Item, BundleFormat)
	}
	if err := checkBundleHead(b, tree); err != nil {
		return err
	}
	held, err := checkBundleBalances(b)
	if err != nil {
		return err
	}
	rep.Complete, rep.Held = true, held
	return nil
}
