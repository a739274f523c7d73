package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
)

// newCustodyServer is a real server with the custody log and the evidence
// registry on a real store file, one token per role, and one seized cash bag
// (item 1, held by "Inspector Ayesha Khan" under seal "CUS-1").
func newCustodyServer(t *testing.T) (*testServer, *chain.Custody) {
	t.Helper()
	return newCustodyServerWith(t, ledger.Options{NoSync: true})
}

// newCustodyServerWith is newCustodyServer on a store opened with opt.
func newCustodyServerWith(t testing.TB, opt ledger.Options) (*testServer, *chain.Custody) {
	t.Helper()
	dir := t.TempDir()
	svc := openTestService(t, dir, opt)
	cl := svc.Custody
	ts := serveTest(t, svc)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", `{"fir":"7/2025","circle":"islamabad","operation":"Grey","title":"Call centre, G-11"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("case: %d %s", rec.Code, rec.Body)
	}
	var c struct{ ID uint64 }
	decode(t, rec, &c)
	at := time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339)
	rec = ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", fmt.Sprintf(`{"case_id":%d,"seized_at":%q,"location":{"building":"Plot 3, G-11 Markaz"},
	"seized_from":{"name":"Nguyen Van An","nationality":"VN","id_type":"passport","id_number":"C7654321"},"officer":"Inspector Ayesha Khan",
	"items":[{"kind":"cash","seal":"CUS-1","description":"bag of notes","amounts":[{"currency":"USD","amount":"900.00"}]}]}`, c.ID, at))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	return ts, cl
}

// digest covers every key and value of the store: equal digests mean
// nothing was written.
func digest(t *testing.T, store *ledger.Store) string {
	t.Helper()
	h := sha256.New()
	if err := store.DB().View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if strings.HasPrefix(string(name), "audit.") {
				return nil // every request, a refused one too, is audited
			}
			fmt.Fprintf(h, "%s %d\n", name, b.Sequence())
			return b.ForEach(func(k, v []byte) error { fmt.Fprintf(h, "%x=%x\n", k, v); return nil })
		})
	}); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestCustodyOverHTTP(t *testing.T) {
	ts, cl := newCustodyServer(t)
	at := func(min int) string {
		return time.Now().UTC().Add(time.Duration(min-60) * time.Minute).Format(time.RFC3339)
	}

	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Malkhana In-charge Asif","purpose":"deposit"}`, at(1)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body)
	}
	var tr entryJSON
	decode(t, rec, &tr)
	if tr.Event != "transferred" || tr.ItemSeq != 2 || tr.RecordedBy != "custodian:test-custodian" || len(tr.Hash) != 64 || tr.PrevHash == nil || tr.SealBefore.Number == nil || *tr.SealBefore.Number != "CUS-1" {
		t.Fatalf("answer %s", rec.Body)
	}
	rec = ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"received","at":%q,"location":{"circle":"islamabad","building":"FIA HQ","room":"malkhana"},
		"attachments":[{"name":"receipt.pdf","sha256":"%s"}]}`, at(2), strings.Repeat("ab", 32)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("receive: %d %s", rec.Code, rec.Body)
	}

	// Every reader reads the custody, oldest first, paged; admin manages
	// tokens and backups, not evidence.
	wantProblem(t, ts.do(access.RoleAdmin, http.MethodGet, "/v1/items/1/custody", ""), http.StatusForbidden, "")
	for _, role := range access.Readers {
		rec = ts.do(role, http.MethodGet, "/v1/items/1/custody", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s reads: %d %s", role, rec.Code, rec.Body)
		}
	}
	var list struct {
		Data       []entryJSON `json:"data"`
		NextCursor *string     `json:"next_cursor"`
	}
	decode(t, rec, &list)
	if len(list.Data) != 3 || list.NextCursor != nil || list.Data[0].Event != "seized" || list.Data[2].PrevHash == nil || *list.Data[2].PrevHash != list.Data[1].Hash || list.Data[2].Attachments[0].Name != "receipt.pdf" {
		t.Fatalf("list %s", rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1/custody?limit=2", "")
	decode(t, rec, &list)
	if len(list.Data) != 2 || list.NextCursor == nil {
		t.Fatalf("page 1 %s", rec.Body)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/items/1/custody?limit=2&cursor="+*list.NextCursor, "")
	decode(t, rec, &list)
	if len(list.Data) != 1 || list.NextCursor != nil || list.Data[0].Event != "received" {
		t.Fatalf("page 2 %s", rec.Body)
	}

	var one entryJSON
	decode(t, ts.do(access.RoleFinance, http.MethodGet, fmt.Sprintf("/v1/custody/entries/%d", tr.Seq), ""), &one)
	if one.Hash != tr.Hash || one.Event != "transferred" {
		t.Fatalf("entry %d read back as %+v", tr.Seq, one)
	}

	// Checkpoint, key, proofs, consistency and bundle agree with tlog and note.
	var key struct {
		Origin    string `json:"origin"`
		PublicKey string `json:"public_key"`
		Algorithm string `json:"algorithm"`
	}
	rec = ts.do(access.RoleInvestigator, http.MethodGet, "/v1/custody/key", "")
	decode(t, rec, &key)
	if key.PublicKey != cl.PublicKey() || key.Origin != cl.Origin() || key.Algorithm != "ed25519" {
		t.Fatalf("key %s", rec.Body)
	}
	var cp checkpointJSON
	decode(t, ts.do(access.RoleInvestigator, http.MethodGet, "/v1/custody/checkpoint", ""), &cp)
	v, _ := note.NewVerifier(key.PublicKey)
	n, err := note.Open([]byte(cp.Checkpoint), note.VerifierList(v))
	if err != nil || !strings.HasPrefix(n.Text, cp.Origin+"\n"+fmt.Sprint(cp.TreeSize)+"\n") {
		t.Fatalf("checkpoint %+v: %v", cp, err)
	}
	root, _ := hex.DecodeString(cp.RootHash)
	var rootHash tlog.Hash
	copy(rootHash[:], root)
	var p proofJSON
	rec = ts.do(access.RoleInvestigator, http.MethodGet, fmt.Sprintf("/v1/custody/entries/%d/proof", tr.Seq), "")
	decode(t, rec, &p)
	if p.TreeSize != cp.TreeSize || p.RootHash != cp.RootHash || p.Item != 1 {
		t.Fatalf("proof %s", rec.Body)
	}
	if err := tlog.CheckRecord(hashes(t, p.Proof), int64(p.TreeSize), rootHash, int64(p.LeafIndex), tlog.RecordHash([]byte(p.Canonical))); err != nil {
		t.Fatalf("proof does not check: %v", err)
	}
	var cons consistencyJSON
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/custody/consistency?old=2&new=%d", cp.TreeSize), ""), &cons)
	oldRoot, _ := hex.DecodeString(cons.OldRoot)
	var oldHash tlog.Hash
	copy(oldHash[:], oldRoot)
	if err := tlog.CheckTree(hashes(t, cons.Proof), int64(cons.New), rootHash, int64(cons.Old), oldHash); err != nil {
		t.Fatalf("consistency does not check: %v", err)
	}
	rec = ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items/1/custody/bundle", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("bundle: %d %s", rec.Code, rec.Body)
	}
	if rep, err := chain.CheckBundle(rec.Body.Bytes(), service.RecordKinds(), key.PublicKey); err != nil || rep.Entries != 3 || rep.State.Holder != "Malkhana In-charge Asif" {
		t.Fatalf("bundle check: %+v %v", rep, err)
	}
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "custody") {
		t.Fatalf("verify: %d %s", rec.Code, rec.Body)
	}
}

func hashes(t *testing.T, hs []string) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(hs))
	for i, h := range hs {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 32 {
			t.Fatalf("proof hash %q", h)
		}
		copy(out[i][:], b)
	}
	return out
}

// Bad requests get a problem naming the field (or the rule) and write nothing.
func TestCustodyRefusals(t *testing.T) {
	ts, _ := newCustodyServer(t)
	now := time.Now().UTC().Format(time.RFC3339)
	rows := []struct {
		name, role, method, path, body string
		status                         int
		field                          string
	}{
		{"no token", "", http.MethodPost, "/v1/items/1/custody", `{}`, 401, ""},
		{"an investigator may not record", access.RoleInvestigator, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"examined","at":%q}`, now), 403, ""},
		{"an unknown item", access.RoleCustodian, http.MethodPost, "/v1/items/99/custody", fmt.Sprintf(`{"event":"seized","at":%q,"to":"X","location":{"circle":"lahore"}}`, now), 404, ""},
		{"not an id", access.RoleCustodian, http.MethodPost, "/v1/items/abc/custody", `{}`, 404, ""},
		{"malformed JSON", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", `{"event":`, 400, ""},
		{"an unknown field", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"stored","at":%q,"room":"3"}`, now), 422, "room"},
		{"a number where text goes", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", `{"event":"stored","at":12}`, 422, "at"},
		{"a bad time", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", `{"event":"stored","at":"yesterday"}`, 422, "at"},
		{"no event", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"at":%q}`, now), 422, "event"},
		{"an unknown event", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"lost","at":%q}`, now), 422, "event"},
		{"a transfer from someone who does not hold it", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Mallory","to":"Asif"}`, now), 422, "from"},
		{"examining a sealed item", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"examined","at":%q}`, now), 422, "event"},
		{"a bad attachment digest", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"unsealed","at":%q,"attachments":[{"name":"a.jpg","sha256":"xyz"}]}`, now), 422, "attachments[0].sha256"},
		{"a forfeiture without an order", access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", fmt.Sprintf(`{"event":"forfeited","at":%q}`, now), 422, "court_order_id"},
		{"custody of an unknown item", access.RoleInvestigator, http.MethodGet, "/v1/items/99/custody", "", 404, ""},
		{"a bad limit", access.RoleInvestigator, http.MethodGet, "/v1/items/1/custody?limit=0", "", 422, "limit"},
		{"a bad cursor", access.RoleInvestigator, http.MethodGet, "/v1/items/1/custody?cursor=AAAA", "", 422, "cursor"},
		{"a proof of an unknown entry", access.RoleInvestigator, http.MethodGet, "/v1/custody/entries/99/proof", "", 404, ""},
		{"an unknown entry", access.RoleInvestigator, http.MethodGet, "/v1/custody/entries/99", "", 404, ""},
		{"the bundle of an unknown item", access.RoleInvestigator, http.MethodGet, "/v1/items/99/custody/bundle", "", 404, ""},
		{"a proof in a tree too big", access.RoleInvestigator, http.MethodGet, "/v1/custody/entries/1/proof?size=999", "", 422, "size"},
		{"a proof in a tree too small", access.RoleInvestigator, http.MethodGet, "/v1/custody/entries/1/proof?size=1", "", 422, "size"},
		{"a proof with a bad size", access.RoleInvestigator, http.MethodGet, "/v1/custody/entries/1/proof?size=x", "", 422, "size"},
		{"consistency without old", access.RoleAuditor, http.MethodGet, "/v1/custody/consistency", "", 422, "old"},
		{"consistency backwards", access.RoleAuditor, http.MethodGet, "/v1/custody/consistency?old=2&new=1", "", 422, "old"},
		{"consistency beyond the log", access.RoleAuditor, http.MethodGet, "/v1/custody/consistency?old=1&new=999", "", 422, "new"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			before := digest(t, ts.store)
			wantProblem(t, ts.do(r.role, r.method, r.path, r.body), r.status, r.field)
			if after := digest(t, ts.store); after != before {
				t.Fatal("a refused request changed the store")
			}
		})
	}
}

func TestCustodyIdempotency(t *testing.T) {
	ts, _ := newCustodyServer(t)
	body := fmt.Sprintf(`{"event":"unsealed","at":%q,"remarks":"for counting"}`, time.Now().UTC().Format(time.RFC3339))
	first := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", body, "Idempotency-Key", "k-1")
	if first.Code != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	before := digest(t, ts.store)
	again := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", body, "Idempotency-Key", "k-1")
	if again.Code != http.StatusCreated || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s", again.Code, again.Body)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a retry wrote")
	}
	wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", strings.Replace(body, "counting", "photos", 1), "Idempotency-Key", "k-1"), http.StatusConflict, "")
}
