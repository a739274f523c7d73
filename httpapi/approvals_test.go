package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// newApprovalServer is newCustodyServer's cash bag (item 1, 900.00 USD, held
// by Inspector Ayesha Khan) on a store whose clock the test moves, with
// proposals left pending for the test to decide.
func newApprovalServer(t *testing.T) (*testServer, *atomic.Int64) {
	t.Helper()
	var skew atomic.Int64 // nanoseconds added to the wall clock
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	ts := serveTest(t, openTestService(t, t.TempDir(), ledger.Options{NoSync: true, Now: now}))
	ts.twoStep = true
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/cases", `{"fir":"7/2025","circle":"islamabad","operation":"Grey","title":"Call centre, G-11"}`); rec.Code != http.StatusCreated {
		t.Fatalf("case: %d %s", rec.Code, rec.Body)
	}
	at := time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339)
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", fmt.Sprintf(`{"case_id":1,"seized_at":%q,"location":{"building":"Plot 3, G-11 Markaz"},
	"seized_from":"Nguyen Van An","officer":"Inspector Ayesha Khan",
	"items":[{"kind":"cash","seal":"CUS-1","description":"bag of notes","amounts":[{"currency":"USD","amount":"900.00"}]}]}`, at))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	// The court's orders the proposals carry out: a return to the owner
	// (order 1) and a sale (order 2), both made on the day of the seizure.
	if id := mustOrder(t, ts, "return", 1, `,"to":"Nguyen Van An"`); id != returnOrder {
		t.Fatalf("return order %d, want %d", id, returnOrder)
	}
	if id := mustOrder(t, ts, "sale", 1, ""); id != saleOrder {
		t.Fatalf("sale order %d, want %d", id, saleOrder)
	}
	return ts, &skew
}

// The orders newApprovalServer registers.
const (
	returnOrder = 1
	saleOrder   = 2
)

// returnBody is a court-ordered return of item 1 an hour ago.
func returnBody() string {
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	return fmt.Sprintf(`{"event":"returned","at":%q,"to":"Nguyen Van An","court_order_id":%d,"remarks":"to the owner's counsel"}`, at, returnOrder)
}

// propose posts body as the custodian and returns the pending proposal.
func propose(t *testing.T, ts *testServer, body string) approvalJSON {
	t.Helper()
	rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", body)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("proposal: %d %s, want 202", rec.Code, rec.Body)
	}
	var a approvalJSON
	decode(t, rec, &a)
	if a.ApprovalID == 0 || a.Status != "pending" || a.ProposedBy != "custodian:test-custodian" {
		t.Fatalf("proposal answer %s", rec.Body)
	}
	return a
}

func heldUSD(t *testing.T, ts *testServer) string {
	t.Helper()
	var held string
	err := ts.store.View(func(tx *ledger.Tx) error {
		b, err := tx.Balance("custody:item:1", money.MustLookup("USD"))
		held = b.Amount.String()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return held
}

func custodyCount(t *testing.T, ts *testServer) int {
	t.Helper()
	var page struct{ Data []entryJSON }
	decode(t, ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items/1/custody", ""), &page)
	return len(page.Data)
}

// TestTwoPersonRule: a release is proposed by the custodian and changes
// nothing until a supervisor who is not the proposer approves it; then the
// entry carries both names, in the API and in the court bundle.
func TestTwoPersonRule(t *testing.T) {
	ts, _ := newApprovalServer(t)
	a := propose(t, ts, returnBody())
	if heldUSD(t, ts) != "900.00" || custodyCount(t, ts) != 1 {
		t.Fatal("a proposal moved the books or the item's custody")
	}
	var queue struct {
		Data []approvalJSON `json:"data"`
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/approvals?status=pending", ""), &queue)
	if len(queue.Data) != 1 || queue.Data[0].ApprovalID != a.ApprovalID || *queue.Data[0].Event != "returned" {
		t.Fatalf("pending queue %+v", queue.Data)
	}
	if rec := ts.do(access.RoleSupervisor, http.MethodGet, fmt.Sprintf("/v1/approvals/%d", a.ApprovalID), ""); !strings.Contains(rec.Body.String(), fmt.Sprintf(`"court_order_id":%d`, returnOrder)) {
		t.Fatalf("the supervisor cannot read the order the release carries out: %s", rec.Body)
	}
	wantProblem(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/approvals?status=waiting", ""), http.StatusUnprocessableEntity, "status")
	approve := fmt.Sprintf("/v1/approvals/%d/approve", a.ApprovalID)

	// The wrong role, and the proposer holding a supervisor's token too.
	for _, role := range []string{access.RoleCustodian, access.RoleFinance, access.RoleAuditor, access.RoleAdmin} {
		wantProblem(t, ts.do(role, http.MethodPost, approve, ""), http.StatusForbidden, "")
	}
	tok, err := access.CreateToken(ts.store, access.RoleSupervisor, "test-custodian", "test")
	if err != nil {
		t.Fatal(err)
	}
	ts.tokens["self"] = tok
	before := digest(t, ts.store)
	p := wantProblem(t, ts.do("self", http.MethodPost, approve, ""), http.StatusForbidden, "")
	if !strings.Contains(p.Detail, "two-person-rule") {
		t.Fatalf("self-approval refused without naming the rule: %s", p.Detail)
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused approval wrote something")
	}

	rec := ts.do(access.RoleSupervisor, http.MethodPost, approve, "")
	if rec.Code != http.StatusCreated {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	var e entryJSON
	decode(t, rec, &e)
	if e.Event != "returned" || e.RecordedBy != "custodian:test-custodian" || e.ApprovedBy == nil || *e.ApprovedBy != "supervisor:test-supervisor" || e.LedgerTxn == nil {
		t.Fatalf("approved entry %s", rec.Body)
	}
	if heldUSD(t, ts) != "0.00" || custodyCount(t, ts) != 2 {
		t.Fatal("the approval did not release the item")
	}
	bundle := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items/1/custody/bundle", "").Body.String()
	if !strings.Contains(bundle, `approved_by \"supervisor:test-supervisor\"`) {
		t.Fatalf("the court bundle does not name the approver: %s", bundle)
	}
	var got approvalJSON
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/approvals/%d", a.ApprovalID), ""), &got)
	if got.Status != "approved" || got.DecidedBy == nil || *got.DecidedBy != "supervisor:test-supervisor" || got.EntrySeq == nil || *got.EntrySeq != e.Seq {
		t.Fatalf("approved proposal %+v", got)
	}

	// Approving twice, or rejecting what was approved: refused.
	wantProblem(t, ts.do(access.RoleSupervisor, http.MethodPost, approve, ""), http.StatusConflict, "")
	wantProblem(t, ts.do(access.RoleSupervisor, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/reject", a.ApprovalID), `{"reason":"too late"}`), http.StatusConflict, "")
	rec = ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", "")
	var v struct{ OK bool }
	if decode(t, rec, &v); !v.OK {
		t.Fatalf("verify: %s", rec.Body)
	}
}

// TestRefusedProposalWritesNothing: a proposal is checked in full first; one
// that would be refused now is a 422, not a proposal.
func TestRefusedProposalWritesNothing(t *testing.T) {
	ts, _ := newApprovalServer(t)
	before := digest(t, ts.store)
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	for _, body := range []string{
		fmt.Sprintf(`{"event":"returned","at":%q}`, at), // no court order
		fmt.Sprintf(`{"event":"returned","at":%q,"court_order":{"number":"CrM 9/2025","date":"2025-07-01"},"remarks":"\u0007"}`, at),
		fmt.Sprintf(`{"event":"moved_on_chain","at":%q,"location":{"wallet":"TXYZ","network":"tron","txid":"ab"}}`, at), // a cash bag
		fmt.Sprintf(`{"event":"forfeited","at":%q,"court_order":{"number":"CrM 9/2025","date":"2025-07-01"}}`, time.Now().UTC().Add(-3*time.Hour).Format(time.RFC3339)),
	} {
		wantProblem(t, ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody", body), http.StatusUnprocessableEntity, "")
	}
	if digest(t, ts.store) != before {
		t.Fatal("a refused proposal wrote something")
	}
}

// TestRejectNeedsAReason: a rejection says why, in text the free-text rule
// accepts; a rejected proposal cannot then be approved.
func TestRejectNeedsAReason(t *testing.T) {
	ts, _ := newApprovalServer(t)
	a := propose(t, ts, returnBody())
	reject := fmt.Sprintf("/v1/approvals/%d/reject", a.ApprovalID)
	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleSupervisor, http.MethodPost, reject, `{}`), http.StatusUnprocessableEntity, "reason")
	wantProblem(t, ts.do(access.RoleSupervisor, http.MethodPost, reject, `{"reason":"bad\u0000"}`), http.StatusUnprocessableEntity, "reason")
	wantProblem(t, ts.do(access.RoleSupervisor, http.MethodPost, reject, `{"reason":"x","extra":1}`), http.StatusUnprocessableEntity, "extra")
	if digest(t, ts.store) != before {
		t.Fatal("a refused rejection wrote something")
	}
	rec := ts.do(access.RoleSupervisor, http.MethodPost, reject, `{"reason":"the order names another bag"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("reject: %d %s", rec.Code, rec.Body)
	}
	var got approvalJSON
	decode(t, rec, &got)
	if got.Status != "rejected" || got.Reason == nil || *got.Reason != "the order names another bag" {
		t.Fatalf("rejected proposal %s", rec.Body)
	}
	wantProblem(t, ts.do(access.RoleSupervisor, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/approve", a.ApprovalID), ""), http.StatusConflict, "")
	if heldUSD(t, ts) != "900.00" || custodyCount(t, ts) != 1 {
		t.Fatal("a rejected proposal moved the item")
	}
}

// TestExpiredProposal: a proposal not decided within 72 hours expires and
// cannot be approved.
func TestExpiredProposal(t *testing.T) {
	ts, skew := newApprovalServer(t)
	a := propose(t, ts, returnBody())
	skew.Store(int64(72*time.Hour + time.Second))
	var got approvalJSON
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/approvals/%d", a.ApprovalID), ""), &got)
	if got.Status != "expired" {
		t.Fatalf("status after 72 hours: %s", got.Status)
	}
	var queue struct{ Data []approvalJSON }
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/approvals?status=pending", ""), &queue)
	if len(queue.Data) != 0 {
		t.Fatalf("an expired proposal is still in the queue: %+v", queue.Data)
	}
	before := digest(t, ts.store)
	wantProblem(t, ts.do(access.RoleSupervisor, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/approve", a.ApprovalID), ""), http.StatusConflict, "")
	if digest(t, ts.store) != before || heldUSD(t, ts) != "900.00" {
		t.Fatal("an expired proposal took effect")
	}
}

// TestApprovalRechecksTheItem: the rules are checked again at approval,
// against the item then: a return proposed while the bag was in the
// malkhana is refused once the bag has been handed to someone else.
func TestApprovalRechecksTheItem(t *testing.T) {
	ts, _ := newApprovalServer(t)
	a := propose(t, ts, returnBody())
	at := time.Now().UTC().Add(-30 * time.Minute).Format(time.RFC3339)
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/items/1/custody",
		fmt.Sprintf(`{"event":"transferred","at":%q,"from":"Inspector Ayesha Khan","to":"Malkhana In-charge Asif"}`, at)); rec.Code != http.StatusCreated {
		t.Fatalf("transfer: %d %s", rec.Code, rec.Body)
	}
	p := wantProblem(t, ts.do(access.RoleSupervisor, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/approve", a.ApprovalID), ""), http.StatusUnprocessableEntity, "")
	if !strings.Contains(p.Detail, "in-transit-until-received") && !strings.Contains(p.Detail, "events-in-time-order") {
		t.Fatalf("refusal names no rule: %+v", p)
	}
	if heldUSD(t, ts) != "900.00" {
		t.Fatal("a refused approval released the item")
	}
	var got approvalJSON
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/approvals/%d", a.ApprovalID), ""), &got)
	if got.Status != "pending" {
		t.Fatalf("a refused approval decided the proposal: %s", got.Status)
	}
}

// TestConcurrentApprovals: supervisors approving one proposal at once over
// real connections: exactly one approval takes effect.
func TestConcurrentApprovals(t *testing.T) {
	ts, _ := newApprovalServer(t)
	a := propose(t, ts, returnBody())
	srv := httptest.NewServer(ts.s.Echo())
	defer srv.Close()
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/v1/approvals/%d/approve", srv.URL, a.ApprovalID), nil)
			req.Header.Set("Authorization", "Bearer "+ts.tokens[access.RoleSupervisor])
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			codes[i] = res.StatusCode
		}()
	}
	wg.Wait()
	created, conflicts := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			conflicts++
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Fatalf("answers %v: want one 201 and %d 409", codes, n-1)
	}
	if custodyCount(t, ts) != 2 || heldUSD(t, ts) != "0.00" {
		t.Fatal("the release was recorded other than once")
	}
}

// TestConversionNeedsApproval: a conversion is proposed by finance and
// recorded only when a supervisor approves it; the answer is then the
// conversion, with both names, and its converted entry names both too.
func TestConversionNeedsApproval(t *testing.T) {
	ts, _ := newApprovalServer(t)
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	before := digest(t, ts.store)
	bad := fmt.Sprintf(`{"item_id":1,"sold":[{"currency":"USD","amount":"901.00"}],"proceeds":"250000.00","fees":"0","executed_at":%q,"counterparty":"exchange company"}`, at)
	wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", bad), http.StatusUnprocessableEntity, "")
	if digest(t, ts.store) != before {
		t.Fatal("a refused conversion proposal wrote something")
	}
	conv := fmt.Sprintf(`{"item_id":1,"sold":[{"currency":"USD","amount":"900.00"}],"proceeds":"250000.00","fees":"0","executed_at":%q,"counterparty":"exchange company","court_order_id":%d}`, at, saleOrder)
	rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/conversions", conv)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("conversion proposal: %d %s", rec.Code, rec.Body)
	}
	var a approvalJSON
	decode(t, rec, &a)
	if a.Kind != "conversion" || *a.Event != "converted" || a.Item != 1 || heldUSD(t, ts) != "900.00" || custodyCount(t, ts) != 1 {
		t.Fatalf("the proposal moved something or reads wrong: %s", rec.Body)
	}
	approve := fmt.Sprintf("/v1/approvals/%d/approve", a.ApprovalID)
	wantProblem(t, ts.do(access.RoleFinance, http.MethodPost, approve, ""), http.StatusForbidden, "")
	rec = ts.do(access.RoleSupervisor, http.MethodPost, approve, "")
	if rec.Code != http.StatusCreated {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	var got conversionJSON
	decode(t, rec, &got)
	if got.Actor != "finance:test-finance" || got.ApprovedBy != "supervisor:test-supervisor" || got.TxnID == 0 {
		t.Fatalf("approved conversion %s", rec.Body)
	}
	if heldUSD(t, ts) != "0.00" || custodyCount(t, ts) != 2 {
		t.Fatal("the approval did not convert the item")
	}
	var e entryJSON
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, fmt.Sprintf("/v1/custody/entries/%d", got.CustodyEntry), ""), &e)
	if e.Event != "converted" || e.RecordedBy != "finance:test-finance" || e.ApprovedBy == nil || *e.ApprovedBy != "supervisor:test-supervisor" {
		t.Fatalf("converted entry %+v", e)
	}
}

// TestVarianceNeedsApproval: a count that matches the books is recorded at
// once; one that would post a variance (any variance) is a proposal until a
// supervisor approves it.
func TestVarianceNeedsApproval(t *testing.T) {
	ts, _ := newApprovalServer(t)
	day := time.Now().UTC().Format("2006-01-02")
	match := fmt.Sprintf(`{"item_id":1,"date":%q,"method":"count","counts":[{"currency":"USD","amount":"900.00"}]}`, day)
	if rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/reconciliations", match); rec.Code != http.StatusCreated {
		t.Fatalf("matching count: %d %s, want 201", rec.Code, rec.Body)
	}
	short := fmt.Sprintf(`{"item_id":1,"date":%q,"method":"count","counts":[{"currency":"USD","amount":"899.99"}],"explanation":"one cent short"}`, day)
	rec := ts.do(access.RoleFinance, http.MethodPost, "/v1/reconciliations", short)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("count with a variance: %d %s, want 202", rec.Code, rec.Body)
	}
	var a approvalJSON
	decode(t, rec, &a)
	if a.Kind != "reconciliation" || a.Event != nil || heldUSD(t, ts) != "900.00" {
		t.Fatalf("the proposal posted or reads wrong: %s", rec.Body)
	}
	rec = ts.do(access.RoleSupervisor, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/approve", a.ApprovalID), "")
	if rec.Code != http.StatusCreated {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	var got struct {
		RecordedBy string `json:"recorded_by"`
		ApprovedBy string `json:"approved_by"`
		TxnID      uint64 `json:"variance_transaction_id"`
	}
	decode(t, rec, &got)
	if got.RecordedBy != "finance:test-finance" || got.ApprovedBy != "supervisor:test-supervisor" || got.TxnID == 0 || heldUSD(t, ts) != "899.99" {
		t.Fatalf("approved reconciliation %s; held %s", rec.Body, heldUSD(t, ts))
	}
}

// TestProposalsAreInTheLog: a proposal and its decision are records the
// custody log covers, so editing a stored one fails verification.
func TestProposalsAreInTheLog(t *testing.T) {
	ts, _ := newApprovalServer(t)
	a := propose(t, ts, returnBody())
	if rec := ts.do(access.RoleSupervisor, http.MethodPost, fmt.Sprintf("/v1/approvals/%d/reject", a.ApprovalID), `{"reason":"wrong order"}`); rec.Code != http.StatusOK {
		t.Fatalf("reject: %d %s", rec.Code, rec.Body)
	}
	verified := func() bool {
		var v struct{ OK bool }
		decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", ""), &v)
		return v.OK
	}
	if !verified() {
		t.Fatal("verify fails on a store with a proposal and a decision")
	}
	// An insider flips the rejection into an approval in the file.
	err := ts.store.DB().Update(func(btx *bolt.Tx) error {
		b := btx.Bucket([]byte(ledger.ApprovalDecisions.Name()))
		k := ledger.BE64(a.ApprovalID)
		v := append([]byte(nil), b.Get(k)...)
		return b.Put(k, []byte(strings.Replace(string(v), `"rejected"`, `"approved"`, 1)))
	})
	if err != nil {
		t.Fatal(err)
	}
	if verified() {
		t.Fatal("verify passes with an edited decision")
	}
}
