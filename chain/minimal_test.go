package chain

// A second verifier of court bundles, written from docs/custody-format.md
// alone: standard library only, none of this package's encoder, tlog or
// note. If the page and the code ever disagree, these tests fail.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/forge"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

type mRecord struct {
	Kind      string   `json:"kind,omitempty"`
	ID        uint64   `json:"id"`
	LeafIndex uint64   `json:"leaf_index"`
	LeafHash  string   `json:"leaf_hash"`
	Canonical string   `json:"canonical"`
	Proof     []string `json:"proof"`
}

type mBundle struct {
	Format       string    `json:"format"`
	Item         uint64    `json:"item"`
	Origin       string    `json:"origin"`
	PublicKey    string    `json:"public_key"`
	Checkpoint   string    `json:"checkpoint"`
	TreeSize     uint64    `json:"tree_size"`
	RootHash     string    `json:"root_hash"`
	Entries      []mRecord `json:"entries"`
	Transactions []mRecord `json:"transactions"`
	Records      []mRecord `json:"records,omitempty"`
	HeadsSize    uint64    `json:"heads_size,omitempty"`
	HeadsRoot    string    `json:"heads_root,omitempty"`
	Head         *mRecord  `json:"head,omitempty"`
}

func mHash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// mCheckSignature: section 5.
func mCheckSignature(pub, note string) (body string, err error) {
	f := strings.SplitN(pub, "+", 3)
	if len(f) != 3 {
		return "", errors.New("public key is not name+hash+key")
	}
	name := f[0]
	key, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil || len(key) != 33 || key[0] != 1 {
		return "", errors.New("public key is not 0x01 and 32 bytes")
	}
	keyHash := mHash([]byte(name), []byte("\n"), key)[:4]
	if hex.EncodeToString(keyHash) != f[1] {
		return "", errors.New("key hash does not match the key")
	}
	body, sigs, ok := strings.Cut(note, "\n\n")
	if !ok {
		return "", errors.New("no blank line in the checkpoint")
	}
	body += "\n"
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		rest, ok := strings.CutPrefix(line, "\u2014 ")
		if !ok {
			return "", errors.New("signature line without an em dash")
		}
		who, b64, _ := strings.Cut(rest, " ")
		sig, err := base64.StdEncoding.DecodeString(b64)
		if who != name || err != nil || len(sig) != 4+64 || !bytes.Equal(sig[:4], keyHash) {
			continue
		}
		if ed25519.Verify(ed25519.PublicKey(key[1:]), []byte(body), sig[4:]) {
			return body, nil
		}
		return "", errors.New("bad signature")
	}
	return "", errors.New("no signature by the bundle's key")
}

// mCheckInclusion: section 6, RFC 9162 2.1.3.2.
func mCheckInclusion(m, n uint64, leaf []byte, proof []string, root []byte) error {
	if m >= n {
		return errors.New("leaf beyond the tree")
	}
	fn, sn, r := m, n-1, leaf
	for _, ph := range proof {
		p, err := hex.DecodeString(ph)
		if err != nil || len(p) != 32 || ph != strings.ToLower(ph) {
			return errors.New("proof hash is not lower-case hex SHA-256")
		}
		if sn == 0 {
			return errors.New("proof too long")
		}
		if fn%2 == 1 || fn == sn {
			r = mHash([]byte{1}, p, r)
			if fn%2 == 0 {
				for fn%2 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			r = mHash([]byte{1}, r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 || !bytes.Equal(r, root) {
		return errors.New("proof does not lead to the root")
	}
	return nil
}

// mField finds "key value" in canonical bytes (section 2).
func mField(canonical, key string) string {
	for _, line := range strings.Split(canonical, "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			return v
		}
	}
	return ""
}

// mFields is every value of "key value" lines in canonical bytes.
func mFields(canonical, key string) []string {
	var out []string
	for _, line := range strings.Split(canonical, "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			out = append(out, v)
		}
	}
	return out
}

func mLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// mEvents: section 2, the event line.
var mEvents = strings.Fields("seized sealed transferred received stored checked_out checked_in examined unsealed resealed moved_on_chain superdari produced converted forfeited returned destroyed written_off")

// mCheckEntry: section 2, the rules of one entry's lines.
func mCheckEntry(c string) error {
	event := mField(c, "event")
	if !slices.Contains(mEvents, event) {
		return fmt.Errorf("event %q is not a custody event", event)
	}
	if by, _ := strconv.Unquote(mField(c, "recorded_by")); !strings.Contains(by, ":") || strings.HasPrefix(by, ":") || strings.HasSuffix(by, ":") {
		return fmt.Errorf("recorded_by %q is not role:token-name", by)
	}
	if by := mFields(c, "approved_by"); len(by) > 1 || len(by) == 1 && by[0] == mField(c, "recorded_by") {
		return errors.New("approved_by is given twice or names the recorder")
	}
	at, err1 := time.Parse(time.RFC3339Nano, mField(c, "at"))
	recorded, err2 := time.Parse(time.RFC3339Nano, mField(c, "recorded"))
	if err1 != nil || err2 != nil || at.After(recorded.Add(time.Minute)) {
		return errors.New("at is not a time up to a minute after recorded")
	}
	for _, key := range []string{"seal_before", "seal_after"} {
		v := mField(c, key)
		if state := v[strings.LastIndexByte(v, ' ')+1:]; state != "intact" && state != "broken" && state != "none" {
			return fmt.Errorf("%s state %q", key, state)
		}
	}
	for _, a := range mFields(c, "attachment") {
		if sum, _, _ := strings.Cut(a, " "); !mLowerHex(sum, 64) {
			return errors.New("attachment hash is not 64 lower-case hex digits")
		}
	}
	for _, o := range mFields(c, "court_order") {
		date, _, _ := strings.Cut(o, " ")
		d, err := time.Parse("2006-01-02", date)
		if err != nil || d.After(at) {
			return errors.New("court order date is not a date on or before the event")
		}
	}
	return nil
}

// mCheckTransaction: section 3 and docs/ledger.md: two or more postings
// that sum to zero per currency, one of them to the item's account;
// effective at most a minute after recorded.
func mCheckTransaction(c string, item uint64) error {
	eff, err1 := time.Parse(time.RFC3339Nano, mField(c, "effective"))
	rec, err2 := time.Parse(time.RFC3339Nano, mField(c, "recorded"))
	if err1 != nil || err2 != nil || eff.After(rec.Add(time.Minute)) {
		return errors.New("effective is not a time up to a minute after recorded")
	}
	sums := map[string]*big.Rat{}
	postings, mine := mFields(c, "posting"), false
	for _, p := range postings {
		f := strings.Fields(p)
		if len(f) != 3 {
			return errors.New("posting is not account, currency, amount")
		}
		a, ok := new(big.Rat).SetString(f[2])
		if !ok {
			return errors.New("posting amount is not a decimal")
		}
		if sums[f[1]] == nil {
			sums[f[1]] = new(big.Rat)
		}
		sums[f[1]].Add(sums[f[1]], a)
		mine = mine || f[0] == fmt.Sprintf("custody:item:%d", item)
	}
	for cur, sum := range sums {
		if sum.Sign() != 0 {
			return fmt.Errorf("%s postings sum to %s", cur, sum.FloatString(18))
		}
	}
	if len(postings) < 2 || !mine {
		return errors.New("fewer than two postings, or none to the item")
	}
	return nil
}

// mVerify: section 7, steps 1 to 5.
func mVerify(data []byte, trustedKey string) error {
	var b mBundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("something follows the bundle")
	}
	v2 := b.Format == "amanat-custody-bundle/2"
	if !v2 && (b.Format != "amanat-custody-bundle/1" || b.Head != nil || b.HeadsRoot != "" || b.HeadsSize != 0) || b.Item == 0 {
		return errors.New("unknown format, a head in format 1, or item 0")
	}
	if b.PublicKey != trustedKey {
		return errors.New("not the published key")
	}
	if name, _, _ := strings.Cut(b.PublicKey, "+"); name != b.Origin {
		return errors.New("the key is not named after the log")
	}
	if h, ok := strings.CutPrefix(b.Origin, "amanat.custody/"); !ok || !mLowerHex(h, 16) {
		return errors.New("origin is not amanat.custody/ and 16 hex digits")
	}
	body, err := mCheckSignature(b.PublicKey, b.Checkpoint)
	if err != nil {
		return err
	}
	lines := strings.Split(body, "\n")
	if len(lines) < 4 || lines[0] != b.Origin || lines[1] != strconv.FormatUint(b.TreeSize, 10) {
		return errors.New("checkpoint body differs from the bundle")
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || hex.EncodeToString(root) != b.RootHash || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return errors.New("checkpoint root differs from root_hash")
	}
	check := func(r mRecord, record bool) error {
		if (r.Kind != "") != record {
			return fmt.Errorf("record %d: kind on an entry or transaction, or none on a record", r.ID)
		}
		leaf := mHash([]byte{0}, []byte(r.Canonical))
		if hex.EncodeToString(leaf) != r.LeafHash {
			return fmt.Errorf("record %d: leaf hash", r.ID)
		}
		if err := mCheckInclusion(r.LeafIndex, b.TreeSize, leaf, r.Proof, root); err != nil {
			return fmt.Errorf("record %d: %w", r.ID, err)
		}
		return nil
	}
	prev := "none"
	named := map[string]bool{}
	orders := map[uint64][]string{} // court_order_id -> the entries naming it
	converted := map[string]bool{}
	var lastSeq, lastLeaf uint64
	for i, r := range b.Entries {
		if err := check(r, false); err != nil {
			return err
		}
		c := r.Canonical
		if !strings.HasPrefix(c, "amanat-custody/1\n") || mField(c, "seq") != fmt.Sprint(r.ID) ||
			mField(c, "leaf_index") != fmt.Sprint(r.LeafIndex) || mField(c, "item") != fmt.Sprint(b.Item) ||
			mField(c, "item_seq") != fmt.Sprint(i+1) {
			return fmt.Errorf("entry %d: does not say what the bundle says", r.ID)
		}
		if r.ID == 0 || i > 0 && (r.ID <= lastSeq || r.LeafIndex <= lastLeaf) {
			return fmt.Errorf("entry %d: not oldest first", r.ID)
		}
		lastSeq, lastLeaf = r.ID, r.LeafIndex
		if mField(c, "prev_hash") != prev {
			return fmt.Errorf("entry %d: broken chain", r.ID)
		}
		prev = r.LeafHash
		if err := mCheckEntry(c); err != nil {
			return fmt.Errorf("entry %d: %w", r.ID, err)
		}
		if id := mField(c, "court_order_id"); id != "" {
			n, _ := strconv.ParseUint(id, 10, 64)
			orders[n] = append(orders[n], c)
		}
		t := mField(c, "ledger_txn")
		if t != "0" {
			named[t] = true
		}
		if mField(c, "event") == "converted" {
			if t == "0" {
				return fmt.Errorf("entry %d: converted without its conversion's transaction", r.ID)
			}
			converted[t] = true
		}
	}
	var lastTxn uint64
	for _, r := range b.Transactions {
		if err := check(r, false); err != nil {
			return err
		}
		id := fmt.Sprint(r.ID)
		if mField(r.Canonical, "id") != id || r.ID <= lastTxn || !named[id] && !v2 {
			return fmt.Errorf("transaction %d: id line differs, out of order, twice or named by no entry", r.ID)
		}
		lastTxn = r.ID
		if err := mCheckTransaction(r.Canonical, b.Item); err != nil {
			return fmt.Errorf("transaction %d: %w", r.ID, err)
		}
		links := mFields(r.Canonical, "link")
		if converted[id] && !(slices.ContainsFunc(links, func(l string) bool { return strings.HasPrefix(l, "conversion ") }) &&
			slices.Contains(links, fmt.Sprintf("item %q", fmt.Sprint(b.Item)))) {
			return fmt.Errorf("transaction %d: a converted entry names it but it is no conversion of the item", r.ID)
		}
		delete(named, id)
	}
	if len(named) != 0 || len(b.Entries) == 0 {
		return errors.New("a named transaction is missing, or no entries")
	}
	kinds := map[string]bool{}
	for _, r := range b.Records {
		if err := check(r, true); err != nil {
			return err
		}
		head := fmt.Sprintf("amanat-record/1\nkind %s\nid %d\n", r.Kind, r.ID)
		if r.Kind == "evidence.court_order" && strings.HasPrefix(r.Canonical, head) {
			if err := mCheckOrder(strings.TrimPrefix(r.Canonical, head), r.ID, b.Item, orders[r.ID]); err != nil {
				return fmt.Errorf("court order %d: %w", r.ID, err)
			}
			delete(orders, r.ID)
			continue
		}
		if !strings.HasPrefix(r.Canonical, head) || r.ID != b.Item {
			return fmt.Errorf("record %s %d: does not say what the bundle says", r.Kind, r.ID)
		}
		// Section 3a's other kinds are records of cases and rates, not of
		// the item itself.
		if kinds[r.Kind] || r.Kind == "evidence.case" || r.Kind == "finance.rate" {
			return fmt.Errorf("record %s %d: twice, or not the item's own", r.Kind, r.ID)
		}
		kinds[r.Kind] = true
	}
	if len(orders) != 0 {
		return errors.New("an entry names a court order the bundle does not carry")
	}
	if v2 {
		if len(kinds) == 0 {
			return errors.New("no record of the item itself")
		}
		return mCheckComplete(b, lines[3:])
	}
	return nil
}

// mCheckComplete: section 7, steps 7 and 8 (format 2): the checkpoint's
// heads line, the item's head and its proof, what the head counts and
// names, and the balances the transactions leave at each entry.
func mCheckComplete(b mBundle, ext []string) error {
	var heads string
	for _, l := range ext {
		if v, ok := strings.CutPrefix(l, "heads "); ok && heads == "" {
			heads = v
		}
	}
	size, root64, _ := strings.Cut(heads, " ")
	root, err := base64.StdEncoding.DecodeString(root64)
	if heads == "" || err != nil || len(root) != 32 || size != fmt.Sprint(b.HeadsSize) || hex.EncodeToString(root) != b.HeadsRoot || b.Head == nil {
		return errors.New("no heads line, or heads_size, heads_root or head differ from it")
	}
	h := *b.Head
	leaf := mHash([]byte{0}, []byte(h.Canonical))
	if h.Kind != "" || h.ID != b.Item || h.LeafIndex != b.Item-1 || hex.EncodeToString(leaf) != h.LeafHash {
		return errors.New("head: not the item's, or its leaf hash differs")
	}
	if err := mCheckInclusion(h.LeafIndex, b.HeadsSize, leaf, h.Proof, root); err != nil {
		return fmt.Errorf("head: %w", err)
	}
	want := fmt.Sprintf("amanat-head/1\nitem %d\n%s\n%s\n", b.Item, mHeadLine("entries", b.Entries), mHeadLine("txns", b.Transactions))
	if h.Canonical != want {
		return fmt.Errorf("head %q does not count and name the bundle's last entry and transaction (%q)", h.Canonical, want)
	}
	return mCheckBalances(b)
}

// mHeadLine: section 4a, a head's line for the records rs.
func mHeadLine(key string, rs []mRecord) string {
	if len(rs) == 0 {
		return key + " 0"
	}
	last := rs[len(rs)-1]
	return fmt.Sprintf("%s %d %d %s", key, len(rs), last.LeafIndex, last.LeafHash)
}

// mEmpties: section 7, step 8, the holding accounts each event empties.
var mEmpties = map[string][]string{
	"forfeited": {"custody", "superdari"}, "returned": {"custody", "superdari"}, "destroyed": {"custody", "superdari"},
	"written_off": {"custody", "superdari"}, "converted": {"custody", "superdari"}, "superdari": {"custody"}, "received": {"superdari"},
}

// mCheckBalances: section 7, step 8.
func mCheckBalances(b mBundle) error {
	bal := map[string]*big.Rat{} // "root currency" -> balance
	next, posted := 0, map[string]bool{}
	for _, e := range append(b.Entries, mRecord{LeafIndex: b.TreeSize}) {
		for ; next < len(b.Transactions) && b.Transactions[next].LeafIndex < e.LeafIndex; next++ {
			c := b.Transactions[next].Canonical
			posted[mField(c, "id")] = true
			for _, p := range mFields(c, "posting") {
				f := strings.Fields(p)
				for _, root := range []string{"custody", "superdari"} {
					if f[0] == fmt.Sprintf("%s:item:%d", root, b.Item) {
						a, _ := new(big.Rat).SetString(f[2])
						if bal[root+" "+f[1]] == nil {
							bal[root+" "+f[1]] = new(big.Rat)
						}
						bal[root+" "+f[1]].Add(bal[root+" "+f[1]], a)
					}
				}
			}
		}
		if e.Canonical == "" {
			break
		}
		if t := mField(e.Canonical, "ledger_txn"); t != "0" && !posted[t] {
			return fmt.Errorf("entry %d: its transaction does not come before it", e.ID)
		}
		for key, a := range bal {
			root, _, _ := strings.Cut(key, " ")
			if a.Sign() < 0 || a.Sign() != 0 && slices.Contains(mEmpties[mField(e.Canonical, "event")], root) {
				return fmt.Errorf("entry %d: the item's %s balance %s is below zero or not emptied", e.ID, key, a.FloatString(8))
			}
		}
	}
	return nil
}

// mOrderKinds: section 3b, the order kinds each event carries out.
var mOrderKinds = map[string][]string{
	"forfeited": {"forfeiture"}, "returned": {"return"}, "destroyed": {"disposal"}, "converted": {"sale"},
	"superdari": {"superdari"}, "produced": {"production", "superdari"}, "transferred": {"transfer"},
	"received": {"forfeiture", "return", "superdari", "disposal", "sale", "production", "transfer"},
}

// mCheckOrder: section 3b, a court order record against the entries that
// name it.
func mCheckOrder(stored string, id, item uint64, entries []string) error {
	var o struct {
		ID     uint64   `json:"id"`
		Kind   string   `json:"kind"`
		Number string   `json:"number"`
		Date   string   `json:"date"`
		Items  []uint64 `json:"items"`
	}
	data, ok := strings.CutPrefix(stored, "\x01")
	if err := json.Unmarshal([]byte(data), &o); !ok || err != nil || o.ID != id {
		return errors.New("not a court order record, or of another id")
	}
	if len(entries) == 0 {
		return errors.New("no entry names it")
	}
	for _, c := range entries {
		if !slices.Contains(mOrderKinds[mField(c, "event")], o.Kind) || !slices.Contains(o.Items, item) ||
			o.Date > mField(c, "at")[:10] || mField(c, "court_order") != o.Date+" "+strconv.Quote(o.Number) {
			return errors.New("does not fit the event, cover the item, precede the event or match the entry's court_order line")
		}
	}
	return nil
}

func TestMinimalVerifierAcceptsBundles(t *testing.T) {
	saved, err := os.ReadFile("testdata/example-bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	var b mBundle
	if err := json.Unmarshal(saved, &b); err != nil {
		t.Fatal(err)
	}
	if err := mVerify(saved, b.PublicKey); err != nil {
		t.Fatalf("the documented example: %v", err)
	}

	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	// Item 2 has no record of its own: its bundle cannot show what was
	// seized, and format 2 refuses it.
	noRecord, err := l.c.ExportItem(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := mVerify(noRecord, l.c.PublicKey()); err == nil {
		t.Error("minimal verifier accepted a bundle without the item's record")
	}
	if _, err := CheckBundle(noRecord, testKinds, l.c.PublicKey()); err == nil || !strings.Contains(err.Error(), "carries no record of item 2 itself") {
		t.Errorf("CheckBundle of a bundle without the item's record: %v", err)
	}
	l.itemRecord(t, 2, "a wallet of USDT, seal FIA-ISB-0002")
	for item := uint64(1); item <= 2; item++ {
		data, err := l.c.ExportItem(context.Background(), item)
		if err != nil {
			t.Fatal(err)
		}
		var b mBundle
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		if want := 1; len(b.Records) != want {
			t.Fatalf("item %d: %d records in the bundle, want %d", item, len(b.Records), want)
		}
		if err := mVerify(data, l.c.PublicKey()); err != nil {
			t.Fatalf("item %d: %v", item, err)
		}
		if _, err := CheckBundle(data, testKinds, l.c.PublicKey()); err != nil {
			t.Fatalf("item %d, production checker: %v", item, err)
		}
	}
}

// Every byte that matters is covered: both verifiers refuse a bundle with
// any one of them changed.
func TestBundleTamperingIsRefused(t *testing.T) {
	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	data, err := l.c.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	key := l.c.PublicKey()
	edits := map[string]func(b *mBundle){
		"a custody fact": func(b *mBundle) { b.Entries[1].Canonical = strings.Replace(b.Entries[1].Canonical, "Asif", "Asim", 1) },
		"an amount": func(b *mBundle) {
			b.Transactions[0].Canonical = strings.Replace(b.Transactions[0].Canonical, "1500.00", "1400.00", 1)
		},
		"an entry left out":   func(b *mBundle) { b.Entries = append(b.Entries[:1], b.Entries[2:]...) },
		"two entries swapped": func(b *mBundle) { b.Entries[1], b.Entries[2] = b.Entries[2], b.Entries[1] },
		"a proof hash":        func(b *mBundle) { b.Entries[0].Proof[0] = strings.Repeat("0", 64) },
		"the signature": func(b *mBundle) {
			b.Checkpoint = strings.Replace(b.Checkpoint, "\n\n\u2014", "\n\n\u2014", 1)[:len(b.Checkpoint)-6] + "AAAA=\n"
		},
		"the tree size":            func(b *mBundle) { b.TreeSize++ },
		"the linked transaction":   func(b *mBundle) { b.Transactions = nil },
		"another key":              func(b *mBundle) { b.PublicKey = strings.Replace(b.PublicKey, "+", "+0", 1) },
		"a leaf index":             func(b *mBundle) { b.Entries[2].LeafIndex-- },
		"the checkpoint root line": func(b *mBundle) { b.RootHash = strings.Repeat("a", 64) },
		"the item's own record": func(b *mBundle) {
			b.Records[0].Canonical = strings.Replace(b.Records[0].Canonical, "brown", "green", 1)
		},
		"another item's record": func(b *mBundle) { b.Records[0].ID = 2 },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			var b mBundle
			if err := json.Unmarshal(data, &b); err != nil {
				t.Fatal(err)
			}
			edit(&b)
			bad, _ := json.Marshal(b)
			if err := mVerify(bad, key); err == nil {
				t.Error("minimal verifier accepted it")
			}
			if _, err := CheckBundle(bad, testKinds, key); err == nil {
				t.Error("CheckBundle accepted it")
			}
		})
	}
}

// forgeryLog is busyLog with item 1's own record, a reconciliation's
// write-off of part of item 1, and item 1 converted:
// its conversion's ledger transaction (linked to the item and the
// conversion, as the conversions service posts it) and the converted entry
// naming it. It returns the bundles of items 1 and 2 and the store's key.
func forgeryLog(t *testing.T) (item1, item2 []byte, skey string) {
	t.Helper()
	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	l.courtOrder(t, 1, `{"id":1,"kind":"sale","court":"Sessions Court Islamabad","number":"Crl. Misc. 7/2025","date":"2025-06-01","items":[1,3]}`)
	err := l.store.Write(context.Background(), func(tx *ledger.Tx) error {
		// A count that found USD 10.00 short: a reconciliation's write-off,
		// which no custody entry names.
		short, _ := money.ParseAmount(money.MustLookup("USD"), "10.00", money.Positive)
		_, err := tx.Post(ledger.Transaction{Effective: at(35), Actor: "finance:omer", Memo: "reconciliation 1 of item 1: USD 10.00 short",
			Links:    []ledger.Link{{Kind: "item", Ref: "1"}, {Kind: "reconciliation", Ref: "1"}},
			Postings: []ledger.Posting{{Account: "custody:item:1", Amount: short.Neg()}, {Account: "variance:item:1", Amount: short}}})
		if err != nil {
			return err
		}
		usd, _ := money.ParseAmount(money.MustLookup("USD"), "1490.00", money.Positive)
		pkr, _ := money.ParseAmount(money.PKR, "420000.00", money.Positive)
		txn, err := tx.Post(ledger.Transaction{Effective: at(40), Actor: "finance:omer", Memo: "conversion 1: 1500.00 USD of item 1 to PKR",
			Links: []ledger.Link{{Kind: "case", Ref: "1"}, {Kind: "item", Ref: "1"}, {Kind: "conversion", Ref: "1"}},
			Postings: []ledger.Posting{{Account: "custody:item:1", Amount: usd.Neg()}, {Account: "conversion:item:1", Amount: usd},
				{Account: "conversion:item:1", Amount: pkr.Neg()}, {Account: "proceeds:case:1", Amount: pkr}}})
		if err != nil {
			return err
		}
		_, err = l.c.Append(tx, Entry{Item: 1, Event: EventConverted, At: at(40), RecordedBy: "finance:omer", Purpose: "liquidation", LedgerTxn: txn.ID,
			CourtOrder: &CourtOrder{Number: "Crl. Misc. 7/2025", Date: "2025-06-01"}, CourtOrderID: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if item1, err = l.c.ExportItem(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if item2, err = l.c.ExportItem(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(l.key)
	if err != nil {
		t.Fatal(err)
	}
	return item1, item2, string(key)
}

// An insider's forgery, re-signed with the store's own key so that only the
// rule under test breaks, is refused by both verifiers: CheckBundle naming
// the rule, and the verifier written from the format document (except what
// only a replay of the state machine sees). The re-signing alone breaks
// nothing.
func TestMinimalVerifierRefusesForgeries(t *testing.T) {
	item1, item2, skey := forgeryLog(t)
	var b mBundle
	if err := json.Unmarshal(item1, &b); err != nil {
		t.Fatal(err)
	}
	key := b.PublicKey
	unedited, err := forge.Apply(forge.Forgery{Edit: func(_, _ *forge.Bundle) {}}, item1, item2, skey)
	if err != nil {
		t.Fatal(err)
	}
	if err := mVerify(unedited, key); err != nil {
		t.Fatalf("minimal verifier, re-signed without an edit: %v", err)
	}
	if _, err := CheckBundle(unedited, testKinds, key); err != nil {
		t.Fatalf("CheckBundle, re-signed without an edit: %v", err)
	}
	for _, f := range forge.Forgeries() {
		t.Run(f.Name, func(t *testing.T) {
			forged, err := forge.Apply(f, item1, item2, skey)
			if err != nil {
				t.Fatal(err)
			}
			trusted := key
			if f.Rekey != "" {
				// Trust the forger's key, so that the rule is what fails.
				var fb mBundle
				if err := json.Unmarshal(forged, &fb); err != nil {
					t.Fatal(err)
				}
				trusted = fb.PublicKey
			}
			if _, err := CheckBundle(forged, testKinds, trusted); err == nil || !strings.Contains(err.Error(), f.Rule) {
				t.Errorf("CheckBundle: %v, want a refusal naming %q", err, f.Rule)
			}
			err = mVerify(forged, trusted)
			switch {
			case f.Replay && err != nil:
				t.Errorf("minimal verifier: %v; only a replay of the state machine sees this one: has the format document grown a rule?", err)
			case !f.Replay && err == nil:
				t.Error("minimal verifier accepted it")
			}
		})
	}
}

// A bundle is one JSON object of the documented fields and nothing else:
// both verifiers refuse a field they do not know and anything after it.
func TestBundleIsOneObjectOfKnownFields(t *testing.T) {
	l := busyLog(t)
	l.itemRecord(t, 1, "a brown envelope of USD notes, seal FIA-ISB-0001")
	data, err := l.c.ExportItem(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	key := l.c.PublicKey()
	if err := mVerify(data, key); err != nil {
		t.Fatal(err)
	}
	body := bytes.TrimSpace(data)
	for name, bad := range map[string][]byte{
		"another field":     append(append([]byte{}, body[:len(body)-1]...), []byte(`,"note":"added"}`)...),
		"a second object":   append(append([]byte{}, body...), []byte("\n{}\n")...),
		"a closing brace":   append(append([]byte{}, body...), '}'),
		"a word after it":   append(append([]byte{}, body...), []byte(" ok")...),
		"a field of a leaf": bytes.Replace(body, []byte(`"leaf_index"`), []byte(`"note":"x","leaf_index"`), 1),
	} {
		t.Run(name, func(t *testing.T) {
			if err := mVerify(bad, key); err == nil {
				t.Error("minimal verifier accepted it")
			}
			if _, err := CheckBundle(bad, testKinds, key); err == nil || !strings.Contains(err.Error(), "bundle is not readable JSON") {
				t.Errorf("CheckBundle: %v", err)
			}
		})
	}
}
