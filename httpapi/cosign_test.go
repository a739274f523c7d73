package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/witness"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestCheckpointAndBundleCarryCosignatures: with a witness, the served
// checkpoint and an item's bundle carry its cosignature, and verify lists
// the witness; every answer is one the OpenAPI description allows.
func TestCheckpointAndBundleCarryCosignatures(t *testing.T) {
	svc := openTestService(t, t.TempDir(), ledger.Options{})
	ts := serveTest(t, svc)
	skey, _, err := witness.NewKey("witness.karachi")
	if err != nil {
		t.Fatal(err)
	}
	w, err := witness.New(witness.Config{Key: skey, LogKeys: []string{svc.Custody.PublicKey()}, State: filepath.Join(t.TempDir(), "w.state")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	defer srv.Close()
	if err := svc.StartWitnesses([]witness.Remote{{URL: srv.URL, Key: w.PublicKey()}}, witness.Options{Poll: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	defer svc.Witnesses.Stop()
	caseID := mustCreateCase(t, ts, "21/2025")
	if rec := ts.do(access.RoleCustodian, http.MethodPost, "/v1/seizures", seizureBody(caseID, "CW")); rec.Code != http.StatusCreated {
		t.Fatalf("seizure: %d %s", rec.Code, rec.Body)
	}
	rec := ts.do(access.RoleInvestigator, http.MethodGet, "/v1/items/1/custody/bundle", "")
	var b struct{ Checkpoint string }
	decode(t, rec, &b)
	if ok, _, err := witness.CheckCosignatures([]byte(b.Checkpoint), []string{w.PublicKey()}); err != nil || len(ok) != 1 {
		t.Fatalf("the bundle carries no cosignature: %v\n%s", err, b.Checkpoint)
	}
	var cp struct{ Checkpoint string }
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/custody/checkpoint", ""), &cp)
		if strings.Count(cp.Checkpoint, "\n— ") == 2 {
			break
		}
	}
	if ok, _, _ := witness.CheckCosignatures([]byte(cp.Checkpoint), []string{w.PublicKey()}); len(ok) != 1 {
		t.Fatalf("the served checkpoint carries no cosignature:\n%s", cp.Checkpoint)
	}
	var v struct {
		OK     bool
		Checks []struct {
			Name    string
			OK      bool
			Summary json.RawMessage
		}
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/verify", ""), &v)
	if last := v.Checks[len(v.Checks)-1]; !v.OK || last.Name != "witnesses" || !strings.Contains(string(last.Summary), srv.URL) {
		t.Fatalf("verify with a witness: %+v", v)
	}
}

// TestWitnessAlertsOverHTTP: a witness that never answers raises
// witness-stale, an alert of the OpenAPI enum.
func TestWitnessAlertsOverHTTP(t *testing.T) {
	svc := openTestService(t, t.TempDir(), ledger.Options{})
	ts := serveTest(t, svc)
	_, vkey, err := witness.NewKey("witness.gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.StartWitnesses([]witness.Remote{{URL: "http://127.0.0.1:1", Key: vkey}}, witness.Options{Stale: time.Millisecond, Poll: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	defer svc.Witnesses.Stop()
	time.Sleep(5 * time.Millisecond)
	var page struct {
		Data []struct{ Rule, Detail string }
	}
	decode(t, ts.do(access.RoleAuditor, http.MethodGet, "/v1/alerts", ""), &page)
	if len(page.Data) != 1 || page.Data[0].Rule != witness.RuleStale || !strings.Contains(page.Data[0].Detail, "127.0.0.1:1") {
		t.Fatalf("alerts with a stale witness: %+v", page.Data)
	}
}
