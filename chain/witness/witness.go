package witness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
)

// Witness cosigns the checkpoints of the logs it watches, each only when it
// is consistent with the last one it cosigned of that log.
type Witness struct {
	signer note.Signer
	vkey   string
	logs   map[string]note.Verifier // origin -> the log's key
	state  *stateFile
	log    *slog.Logger
	mu     sync.Mutex // one add-checkpoint at a time: check, store, sign
}

// Config is what a Witness is made from.
type Config struct {
	// Key is the witness's private key (signed-note form, NewKey).
	Key string
	// LogKeys are the public keys of the logs it watches; each key's name
	// is its log's origin.
	LogKeys []string
	// State is the file that keeps the latest cosigned checkpoint of each
	// log, rewritten whole (temporary file, fsync, rename) before each
	// cosignature is answered.
	State  string
	Logger *slog.Logger
}

// New opens a witness: its key, the logs' keys and its state file (created
// on the first cosignature).
func New(cfg Config) (*Witness, error) {
	s, err := fnote.NewSignerForCosignatureV1(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("witness key: %w", err)
	}
	vkey, err := PublicKey(cfg.Key)
	if err != nil {
		return nil, err
	}
	if len(cfg.LogKeys) == 0 {
		return nil, errors.New("a witness watches at least one log: give its public key")
	}
	w := &Witness{signer: s, vkey: vkey, logs: map[string]note.Verifier{}, log: cfg.Logger}
	if w.log == nil {
		w.log = slog.Default()
	}
	for _, k := range cfg.LogKeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("log key %q: %w", k, err)
		}
		if _, dup := w.logs[v.Name()]; dup {
			return nil, fmt.Errorf("two log keys name the log %q", v.Name())
		}
		w.logs[v.Name()] = v
	}
	if w.state, err = openState(cfg.State, w.logs); err != nil {
		return nil, err
	}
	return w, nil
}

// PublicKey is the witness's cosignature/v1 public key.
func (w *Witness) PublicKey() string { return w.vkey }

// Refusal is why a witness refused a request, with the HTTP status the
// protocol gives it.
type Refusal struct {
	Status int
	Size   uint64 // the witness's size of the log, on 409
	Msg    string
}

func (r *Refusal) Error() string { return fmt.Sprintf("%d %s", r.Status, r.Msg) }

func refuse(status int, format string, args ...any) *Refusal {
	return &Refusal{Status: status, Msg: fmt.Sprintf(format, args...)}
}

// Add checks one add-checkpoint request and, when it holds, stores the
// checkpoint as the log's latest and answers the cosignature line. Every
// refusal is a *Refusal.
func (w *Witness) Add(body []byte) ([]byte, error) {
	req, err := ParseRequest(body)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "malformed request: %v", err)
	}
	origin, _, _ := strings.Cut(string(req.Checkpoint), "\n")
	v, ok := w.logs[origin]
	if !ok {
		return nil, refuse(http.StatusNotFound, "unknown log %q", origin)
	}
	n, err := note.Open(req.Checkpoint, note.VerifierList(v))
	if err != nil {
		return nil, refuse(http.StatusForbidden, "the checkpoint is not signed by the key of log %q", origin)
	}
	o, size, root, err := log.ParseCheckpointBody(n.Text)
	if err != nil || o != origin {
		return nil, refuse(http.StatusBadRequest, "malformed checkpoint: %v", err)
	}
	if req.Old > size {
		return nil, refuse(http.StatusBadRequest, "old size %d is larger than the checkpoint's %d", req.Old, size)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	cur := w.state.get(origin)
	if req.Old != cur.size {
		return nil, &Refusal{Status: http.StatusConflict, Size: cur.size, Msg: fmt.Sprintf("this witness holds size %d of log %q, not %d", cur.size, origin, req.Old)}
	}
	if err := checkConsistent(req, cur, size, root); err != nil {
		w.log.Warn("witness refused an inconsistent checkpoint", "origin", origin, "held_size", cur.size, "size", size, "reason", err.Msg)
		return nil, err
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, w.signer)
	if err != nil {
		return nil, fmt.Errorf("cosign: %w", err)
	}
	line := signed[len(n.Text)+1:]
	if err := w.state.put(origin, entry{size: size, root: root, note: bytes.Clone(req.Checkpoint)}); err != nil {
		return nil, fmt.Errorf("store the cosigned checkpoint: %w", err)
	}
	return line, nil
}

// checkConsistent holds the new checkpoint to the one the witness holds: the
// same tree at the same size, else a consistency proof from it.
func checkConsistent(req Request, cur entry, size uint64, root tlog.Hash) *Refusal {
	switch {
	case req.Old == size:
		if len(req.Proof) != 0 {
			return refuse(http.StatusUnprocessableEntity, "a proof between equal sizes must be empty")
		}
		if size > 0 && root != cur.root {
			return refuse(http.StatusUnprocessableEntity, "fork: size %d has root %s here, the checkpoint says %s", size, log.HashHex(cur.root), log.HashHex(root))
		}
	case req.Old == 0:
		if len(req.Proof) != 0 {
			return refuse(http.StatusUnprocessableEntity, "a proof from size 0 must be empty")
		}
	default:
		if err := tlog.CheckTree(req.Proof, int64(size), root, int64(req.Old), cur.root); err != nil {
			return refuse(http.StatusUnprocessableEntity, "fork or rollback: the proof does not show size %d (root %s) is a prefix of size %d: %v", req.Old, log.HashHex(cur.root), size, err)
		}
	}
	return nil
}

// ServeHTTP answers POST /add-checkpoint as C2SP tlog-witness says: 200
// with the cosignature line, 409 with the witness's size, 400, 403, 404 or
// 422 with a line saying why.
func (w *Witness) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Path {
		http.NotFound(rw, r)
		return
	}
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		http.Error(rw, "add-checkpoint takes POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxRequest))
	if err != nil {
		http.Error(rw, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	line, err := w.Add(body)
	var ref *Refusal
	switch {
	case errors.As(err, &ref) && ref.Status == http.StatusConflict:
		rw.Header().Set("Content-Type", SizeContentType)
		rw.WriteHeader(http.StatusConflict)
		io.WriteString(rw, strconv.FormatUint(ref.Size, 10)+"\n")
	case errors.As(err, &ref):
		http.Error(rw, ref.Msg, ref.Status)
	case err != nil:
		w.log.Error("witness", "error", err.Error())
		http.Error(rw, "internal error", http.StatusInternalServerError)
	default:
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Write(line)
	}
}
