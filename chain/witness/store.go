package witness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// Rules of the alerts a witness raises.
const (
	// RuleStale: a witness has not cosigned for longer than the limit.
	RuleStale = "witness-stale"
	// RuleRefused: a witness refused the log's checkpoint (a fork or a
	// rollback, by its lights).
	RuleRefused = "witness-refused"
)

// record is one witness's cosignature of one checkpoint, as stored: a
// version byte 1, then this JSON.
type record struct {
	Size       uint64 `json:"size"`
	Checkpoint string `json:"checkpoint"` // the log's signed note, as sent
	Witness    string `json:"witness"`    // the witness's public key
	Lines      string `json:"lines"`      // its cosignature line(s)
	Time       int64  `json:"time"`       // when it signed, Unix seconds
}

func cosigKey(size uint64, vkey string) []byte {
	return append(append(ledger.BE64(size), 0), vkey...)
}

// keep stores r's cosignature of cp, replacing an older one of the same
// checkpoint by the same witness.
func (c *Client) keep(cp chain.Checkpoint, r *remote, lines []byte, at int64) error {
	rec := record{Size: cp.Size, Checkpoint: string(cp.Note), Witness: r.Key, Lines: string(lines), Time: at}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return c.store.Write(context.Background(), func(tx *ledger.Tx) error {
		return tx.Put(ledger.WitnessCosigs, cosigKey(cp.Size, r.Key), append([]byte{1}, b...))
	})
}

func decode(v []byte) (record, error) {
	var rec record
	if len(v) == 0 || v[0] != 1 {
		return rec, fmt.Errorf("witness cosignature record of version %v", v[:min(len(v), 1)])
	}
	err := json.Unmarshal(v[1:], &rec)
	return rec, err
}

// newestOf is the newest stored cosignature by the witness vkey.
func newestOf(tx *ledger.Tx, vkey string) (record, bool, error) {
	cur := tx.Cursor(ledger.WitnessCosigs)
	for k, v := cur.Last(); k != nil; k, v = cur.Prev() {
		if string(k[9:]) != vkey {
			continue
		}
		rec, err := decode(v)
		return rec, err == nil, err
	}
	return record{}, false, nil
}

// cosignedAt is every stored cosignature of the checkpoint note msg of size.
func cosignedAt(tx *ledger.Tx, size uint64, msg []byte) ([]byte, error) {
	var out []byte
	cur := tx.Cursor(ledger.WitnessCosigs)
	prefix := append(ledger.BE64(size), 0)
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		rec, err := decode(v)
		if err != nil {
			return nil, err
		}
		if rec.Checkpoint == string(msg) {
			out = append(out, rec.Lines...)
		}
	}
	return out, nil
}

// Cosigned is cp with every stored cosignature of it appended, so that a
// signed-note verifier with the log's key, any witness's key or both
// accepts it.
func Cosigned(tx *ledger.Tx, cp chain.Checkpoint) (chain.Checkpoint, error) {
	lines, err := cosignedAt(tx, cp.Size, cp.Note)
	if err != nil {
		return cp, err
	}
	cp.Note = append(bytes.Clone(cp.Note), lines...)
	return cp, nil
}

// newestCosigned is the newest cosigned checkpoint of more than above
// leaves, with its cosignatures.
func newestCosigned(tx *ledger.Tx, custody *chain.Custody, above uint64) (chain.Checkpoint, bool, error) {
	k, v := tx.Cursor(ledger.WitnessCosigs).Last() // the largest size cosigned
	if k == nil {
		return chain.Checkpoint{}, false, nil
	}
	rec, err := decode(v)
	if err != nil || rec.Size <= above {
		return chain.Checkpoint{}, false, err
	}
	cp, err := parseCheckpoint(custody, []byte(rec.Checkpoint))
	if err != nil {
		return chain.Checkpoint{}, false, err
	}
	cp, err = Cosigned(tx, cp)
	return cp, err == nil, err
}

func parseCheckpoint(custody *chain.Custody, msg []byte) (chain.Checkpoint, error) {
	v, err := note.NewVerifier(custody.PublicKey())
	if err != nil {
		return chain.Checkpoint{}, err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return chain.Checkpoint{}, fmt.Errorf("stored cosigned checkpoint: %w", err)
	}
	origin, size, root, err := log.ParseCheckpointBody(n.Text)
	if err != nil {
		return chain.Checkpoint{}, err
	}
	return chain.Checkpoint{Origin: origin, Size: size, Root: root, Note: bytes.Clone(msg)}, nil
}

// Checkpoint is the newest checkpoint with the cosignatures it has.
func (c *Client) Checkpoint(ctx context.Context) (chain.Checkpoint, error) {
	cp, err := c.custody.Checkpoint(ctx)
	if err != nil {
		return cp, err
	}
	err = c.store.View(func(tx *ledger.Tx) error {
		cp, err = Cosigned(tx, cp)
		return err
	})
	return cp, err
}

// ExportWait is how long an export waits for the witnesses to cosign a
// checkpoint that covers the item's newest entry.
const ExportWait = 3 * time.Second

// ExportItem is item's court bundle against the newest checkpoint that a
// witness cosigned and that covers the item's entries, with its
// cosignatures. When none does and some witness is answering, it waits up
// to ExportWait for one; then it takes the newest checkpoint with what
// cosignatures it has (none, most likely: the bundle still checks, but not
// with --min-witnesses). With every witness down or refusing it does not
// wait.
func (c *Client) ExportItem(ctx context.Context, item uint64) ([]byte, error) {
	newest, err := c.custody.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	wait := ExportWait
	if !c.answering() {
		wait = 0
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		changed := c.changes()
		var b chain.Bundle
		var found bool
		err := c.store.View(func(tx *ledger.Tx) error {
			es, err := c.custody.Entries(tx, item)
			if err != nil || len(es) == 0 {
				found = true // let Export say what is wrong
				b, err = c.custody.Export(tx, item, newest)
				return err
			}
			cp, ok, err := newestCosigned(tx, c.custody, es[len(es)-1].LeafIndex)
			if err != nil || !ok {
				return err
			}
			found = true
			b, err = c.custody.Export(tx, item, cp)
			return err
		})
		if err != nil {
			return nil, err
		}
		if found {
			return chain.MarshalBundle(b)
		}
		select {
		case <-changed:
		case <-deadline.C:
			return c.exportAt(item, newest)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ExportStored is item's court bundle from what the store holds, without
// asking any witness: against the newest checkpoint a witness cosigned that
// covers the item's entries, with its cosignatures, else the newest
// checkpoint with whatever cosignatures it has. A store no witness ever
// cosigned gives what custody's own export gives.
func ExportStored(ctx context.Context, store *ledger.Store, custody *chain.Custody, item uint64) ([]byte, error) {
	newest, err := custody.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	var b chain.Bundle
	err = store.View(func(tx *ledger.Tx) error {
		cp, err := Cosigned(tx, newest)
		if err != nil {
			return err
		}
		if es, err := custody.Entries(tx, item); err == nil && len(es) > 0 {
			c, ok, err := newestCosigned(tx, custody, es[len(es)-1].LeafIndex)
			if err != nil {
				return err
			}
			if ok {
				cp = c
			}
		}
		b, err = custody.Export(tx, item, cp)
		return err
	})
	if err != nil {
		return nil, err
	}
	return chain.MarshalBundle(b)
}

// answering says whether some witness is not known to fail: its last
// answer was a cosignature, or it has not answered yet.
func (c *Client) answering() bool {
	for _, r := range c.remotes {
		r.mu.Lock()
		ok := r.st.Error == "" && r.st.Refused == ""
		r.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

func (c *Client) exportAt(item uint64, cp chain.Checkpoint) ([]byte, error) {
	var b chain.Bundle
	err := c.store.View(func(tx *ledger.Tx) error {
		var err error
		if cp, err = Cosigned(tx, cp); err != nil {
			return err
		}
		b, err = c.custody.Export(tx, item, cp)
		return err
	})
	if err != nil {
		return nil, err
	}
	return chain.MarshalBundle(b)
}

// Checker is the "witnesses" part of verify: it fails when a witness
// refused the log's checkpoint, and its summary gives each witness's
// status (a stale one says witness-stale).
func (c *Client) Checker() ledger.Checker {
	return ledger.Checker{Name: "witnesses", Run: func(tx *ledger.Tx) (any, error) {
		sts := c.Statuses(tx.Now)
		var refused []string
		for _, st := range sts {
			if st.Refused != "" {
				refused = append(refused, fmt.Sprintf("%s: witness %s refused the checkpoint: %s", RuleRefused, st.URL, st.Refused))
			}
		}
		if len(refused) > 0 {
			return sts, fmt.Errorf("%s", strings.Join(refused, "; "))
		}
		return sts, nil
	}}
}

// Alerts is the alerts source of the witnesses: one witness-refused alert
// and one witness-stale alert, each naming every witness it is about.
func (c *Client) Alerts() alerts.Source {
	return func(tx *ledger.Tx) ([]alerts.Alert, error) {
		var stale, refused []string
		var staleAt, refusedAt time.Time
		for _, st := range c.Statuses(tx.Now) {
			for _, rule := range st.Rules {
				switch rule {
				case RuleRefused:
					refused = append(refused, fmt.Sprintf("%s (%s)", st.URL, st.Refused))
					if refusedAt.IsZero() || st.RefusedAt.Before(refusedAt) {
						refusedAt = st.RefusedAt
					}
				case RuleStale:
					stale = append(stale, st.URL)
					if at := c.staleSince(st); staleAt.IsZero() || at.Before(staleAt) {
						staleAt = at
					}
				}
			}
		}
		var out []alerts.Alert
		if len(refused) > 0 {
			out = append(out, alerts.Alert{Rule: RuleRefused, Since: refusedAt.UTC(), Detail: "refused the custody checkpoint: " + strings.Join(refused, "; ")})
		}
		if len(stale) > 0 {
			out = append(out, alerts.Alert{Rule: RuleStale, Since: staleAt.UTC(), Detail: fmt.Sprintf("no cosignature for more than %s: %s", c.opt.Stale, strings.Join(stale, ", "))})
		}
		return out, nil
	}
}

// CheckCosignatures counts the witnesses among keys that cosigned the
// checkpoint note msg: each key's cosignature must verify on its own. It
// answers the keys that did and the keys that did not.
func CheckCosignatures(msg []byte, keys []string) (ok, missing []string, err error) {
	for _, k := range keys {
		v, err := Verifier(k)
		if err != nil {
			return nil, nil, err
		}
		if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
			missing = append(missing, k)
			continue
		}
		ok = append(ok, k)
	}
	return ok, missing, nil
}
