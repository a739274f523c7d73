package witness_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/chain/witness"
	"github.com/amanat-ledger/amanat/ledger"
)

// TestCheckpointCarriesCosignatures: the witness cosigns what the store
// sends, and the checkpoint the store serves opens with the log's key
// alone, the witness's alone, or both (x/mod's note and transparency-dev's
// cosignature/v1 verifier).
func TestCheckpointCarriesCosignatures(t *testing.T) {
	svc := openStore(t, t.TempDir())
	defer svc.Close()
	w, srv, _ := newWitness(t, t.TempDir(), svc.Custody.PublicKey())
	size := post(t, svc, 3)
	startClient(t, svc, witness.Remote{URL: srv.URL, Key: w.PublicKey()})
	eventually(t, "the witness cosigned", func() bool { return status(svc).Size == size })
	cp, err := svc.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	logV, err := note.NewVerifier(svc.Custody.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	wV, err := fnote.NewVerifierForCosignatureV1(w.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	for name, vs := range map[string][]note.Verifier{"log": {logV}, "witness": {wV}, "both": {logV, wV}} {
		n, err := note.Open(cp.Note, note.VerifierList(vs...))
		if err != nil || len(n.Sigs) != len(vs) {
			t.Fatalf("%s: the served checkpoint does not open: %v (%d signatures)", name, err, len(n.Sigs))
		}
	}
	if ok, missing, err := witness.CheckCosignatures(cp.Note, []string{w.PublicKey()}); err != nil || len(ok) != 1 || len(missing) != 0 {
		t.Fatalf("CheckCosignatures = %v, %v, %v", ok, missing, err)
	}
	// The witness's own state file holds the checkpoint it cosigned.
	if st := status(svc); st.Refused != "" || st.Cosigned.IsZero() || len(svc.Witnesses.Statuses(time.Now())[0].Rules) != 0 {
		t.Fatalf("a healthy witness's status: %+v", st)
	}
	// A new commit is cosigned in turn, from the size cosigned before
	// (a consistency proof of 3 to 5 leaves).
	size = post(t, svc, 2)
	eventually(t, "the witness cosigned the newer checkpoint", func() bool { return status(svc).Size == size })
}

// TestForkIsRefused: a second store signed with the same key (a history
// re-signed with the real key) is refused by the witness, and that store's
// verify and alerts say so.
func TestForkIsRefused(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	a := openStore(t, dirA)
	defer a.Close()
	w, srv, _ := newWitness(t, t.TempDir(), a.Custody.PublicKey())
	post(t, a, 3)
	startClient(t, a, witness.Remote{URL: srv.URL, Key: w.PublicKey()})
	eventually(t, "the witness cosigned the honest log", func() bool { return status(a).Size == 3 })

	copyFile(t, filepath.Join(dirA, "amanat.db.key"), filepath.Join(dirB, "amanat.db.key"))
	b := openStore(t, dirB)
	defer b.Close()
	if b.Custody.Origin() != a.Custody.Origin() {
		t.Fatal("the forked store is not the same log")
	}
	post(t, b, 2) // different leaves
	post(t, b, 3)
	startClient(t, b, witness.Remote{URL: srv.URL, Key: w.PublicKey()})
	eventually(t, "the fork was refused", func() bool { return status(b).Refused != "" })
	if st := status(b); !strings.Contains(st.Refused, "422") || st.Size != 0 {
		t.Fatalf("refusal of a fork: %+v", st)
	}
	parts, ok := b.RunChecks()
	if ok || parts[len(parts)-1].Name != "witnesses" || !strings.Contains(parts[len(parts)-1].Error, witness.RuleRefused) {
		t.Fatalf("verify of the forked store: ok=%v %+v", ok, parts)
	}
	assertAlert(t, b, witness.RuleRefused)
	// The honest store is still cosigned, and still verifies.
	post(t, a, 1)
	eventually(t, "the honest log is cosigned on", func() bool { return status(a).Size == 4 })
	if _, ok := a.RunChecks(); !ok {
		t.Fatal("the honest store fails verify")
	}
}

// TestRollbackIsRefused: the store file put back to an older copy and
// reopened; the witness, which cosigned the newer log, refuses it both
// while it is shorter (409 naming a larger size) and once it has grown
// past that size on a different history (422).
func TestRollbackIsRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "amanat.db")
	svc := openStore(t, dir)
	w, srv, _ := newWitness(t, t.TempDir(), svc.Custody.PublicKey())
	remote := witness.Remote{URL: srv.URL, Key: w.PublicKey()}
	post(t, svc, 2)
	startClient(t, svc, remote)
	eventually(t, "cosigned at 2", func() bool { return status(svc).Size == 2 })
	svc.Close()
	copyFile(t, db, db+".old")

	svc = openStore(t, dir)
	post(t, svc, 3)
	startClient(t, svc, remote)
	eventually(t, "cosigned at 5", func() bool { return status(svc).Size == 5 })
	svc.Close()

	copyFile(t, db+".old", db)
	svc = openStore(t, dir)
	defer svc.Close()
	startClient(t, svc, remote)
	eventually(t, "the rollback was refused", func() bool { return status(svc).Refused != "" })
	if st := status(svc); !strings.Contains(st.Refused, "rolled back") {
		t.Fatalf("refusal of a rollback: %+v", st)
	}
	assertAlert(t, svc, witness.RuleRefused)
	post(t, svc, 4) // 6 leaves, the last 4 not those the witness saw
	eventually(t, "the rewritten history was refused", func() bool { return strings.Contains(status(svc).Refused, "422") })
	if _, ok := svc.RunChecks(); ok {
		t.Fatal("verify passes a store its witness refused")
	}
}

// TestWitnessDownNeverBlocksWrites: with the witness's handler held, writes
// return; the client's one request in flight waits alone.
func TestWitnessDownNeverBlocksWrites(t *testing.T) {
	svc := openStore(t, t.TempDir())
	defer svc.Close()
	entered, release := make(chan struct{}, 100), make(chan struct{})
	held := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		http.Error(rw, "down", http.StatusServiceUnavailable)
	}))
	defer held.Close()
	defer close(release)
	_, vkey, err := witness.NewKey("witness.down")
	if err != nil {
		t.Fatal(err)
	}
	post(t, svc, 1)
	startClient(t, svc, witness.Remote{URL: held.URL, Key: vkey}, witness.Remote{URL: "http://127.0.0.1:1", Key: mustKey(t)})
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the client never reached the witness")
	}
	done := make(chan uint64)
	go func() { done <- post(t, svc, 20) }()
	select {
	case size := <-done:
		if size != 21 {
			t.Fatalf("size %d after the writes", size)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write waited for a witness whose handler is held")
	}
	if len(entered) != 0 {
		t.Fatalf("%d more requests reached the held witness: one is in flight at a time", len(entered))
	}
}

func mustKey(t testing.TB) string {
	_, vkey, err := witness.NewKey("witness.unreachable")
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

// TestStaleWitnessIsReported: a witness that never answers raises
// witness-stale once the limit has passed; verify still passes.
func TestStaleWitnessIsReported(t *testing.T) {
	svc := openStore(t, t.TempDir())
	defer svc.Close()
	post(t, svc, 1)
	err := svc.StartWitnesses([]witness.Remote{{URL: "http://127.0.0.1:1", Key: mustKey(t)}},
		witness.Options{Stale: 50 * time.Millisecond, Poll: 5 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	assertAlert(t, svc, witness.RuleStale)
	parts, ok := svc.RunChecks()
	if !ok {
		t.Fatalf("a stale witness fails verify: %+v", parts)
	}
	sts := parts[len(parts)-1].Summary.([]witness.Status)
	if len(sts) != 1 || len(sts[0].Rules) != 1 || sts[0].Rules[0] != witness.RuleStale || sts[0].Error == "" {
		t.Fatalf("verify's summary of a stale witness: %+v", sts)
	}
}

func assertAlert(t testing.TB, svc *service.Service, rule string) {
	t.Helper()
	var all []alerts.Alert
	if err := svc.Store.View(func(tx *ledger.Tx) error {
		var err error
		all, err = svc.Alerts.All(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		if a.Rule == rule && a.ItemID == 0 && !a.Since.IsZero() && a.Detail != "" {
			return
		}
	}
	t.Fatalf("no %s alert in %+v", rule, all)
}

// TestDishonestWitnessAnswers: a 200 whose lines are not the witness's,
// are too many, or are not signatures is not kept, and the witness is not
// counted as having cosigned.
func TestDishonestWitnessAnswers(t *testing.T) {
	skey, vkey, err := witness.NewKey("witness.liar")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := fnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _, err := witness.NewKey("witness.liar") // the same name, another key
	if err != nil {
		t.Fatal(err)
	}
	other, err := fnote.NewSignerForCosignatureV1(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, answer := range map[string]func(text string) string{
		"a line of another key with the same name": func(text string) string { return cosign(t, text, other) },
		"too many lines":                   func(text string) string { return strings.Repeat(cosign(t, text, signer), 5) },
		"the witness's line and another's": func(text string) string { return cosign(t, text, signer) + cosign(t, text, other) },
		"not a signature":                  func(string) string { return "— witness.liar AAAA\n" },
		"dated an hour ahead":              func(text string) string { return cosignAt(t, text, skey, time.Now().Add(time.Hour)) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				req, err := witness.ParseRequest(b)
				if err != nil {
					t.Error(err)
					return
				}
				text, _, _ := strings.Cut(string(req.Checkpoint), "\n\n")
				io.WriteString(rw, answer(text+"\n"))
			}))
			defer srv.Close()
			svc := openStore(t, t.TempDir())
			defer svc.Close()
			post(t, svc, 1)
			startClient(t, svc, witness.Remote{URL: srv.URL, Key: vkey})
			eventually(t, "the answer was refused", func() bool { return status(svc).Error != "" })
			if st := status(svc); st.Size != 0 || !st.Cosigned.IsZero() {
				t.Fatalf("a dishonest answer counted: %+v", st)
			}
			cp, err := svc.Checkpoint(context.Background())
			if err != nil || strings.Count(string(cp.Note), "\n— ") != 1 {
				t.Fatalf("a dishonest line was kept: %v\n%s", err, cp.Note)
			}
		})
	}
}

func cosign(t testing.TB, text string, s note.Signer) string {
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	return string(msg[len(text)+1:])
}

// cosignAt is a cosignature/v1 line of skey over text, dated at.
func cosignAt(t testing.TB, text, skey string, at time.Time) string {
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	pub := append([]byte{4}, priv.Public().(ed25519.PublicKey)...)
	h := sha256.Sum256(append([]byte(parts[2]+"\n"), pub...))
	ts := uint64(at.Unix())
	msg := fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, text)
	sig := append(h[:4:4], binary.BigEndian.AppendUint64(nil, ts)...)
	sig = append(sig, ed25519.Sign(priv, []byte(msg))...)
	return "— " + parts[2] + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
}

// TestExportDoesNotWaitForAWitnessThatIsDown: with its only witness
// unreachable, a bundle is made at once against the newest checkpoint.
func TestExportDoesNotWaitForAWitnessThatIsDown(t *testing.T) {
	svc := openStore(t, t.TempDir())
	defer svc.Close()
	startClient(t, svc, witness.Remote{URL: "http://127.0.0.1:1", Key: mustKey(t)})
	item := seize(t, svc)
	eventually(t, "the witness is known to be down", func() bool { return status(svc).Error != "" })
	done := make(chan error, 1)
	go func() {
		b, err := svc.ExportItem(context.Background(), item)
		if err == nil {
			_, err = chain.CheckBundle(b, service.RecordKinds(), svc.Custody.PublicKey())
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(witness.ExportWait / 2):
		t.Fatal("the export waited for a witness that is down")
	}
}
