package witness

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
)

// StateFormat is the first field of a witness's state file.
const StateFormat = "amanat-witness-state/1"

// The state file is one JSON object, rewritten whole for every cosignature:
//
//	{"format": "amanat-witness-state/1", "logs": {"<origin>": "<checkpoint note>", ...}}
//
// each note the latest checkpoint the witness cosigned of that log, as the
// log signed it. A few logs, a few hundred bytes each: a file is enough, and
// a rename replaces it whole or not at all.
type stateJSON struct {
	Format string            `json:"format"`
	Logs   map[string]string `json:"logs"`
}

type entry struct {
	size uint64
	root tlog.Hash
	note []byte
}

type stateFile struct {
	path string
	logs map[string]entry
}

// openState reads the state file at path (none yet: every log at size 0).
// Each held checkpoint must still verify with its log's key: a state file
// edited by hand is refused, not trusted.
func openState(path string, keys map[string]note.Verifier) (*stateFile, error) {
	if path == "" {
		return nil, errors.New("a witness needs a state file")
	}
	st := &stateFile{path: path, logs: map[string]entry{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness state: %w", err)
	}
	var j stateJSON
	if err := json.Unmarshal(b, &j); err != nil || j.Format != StateFormat {
		return nil, fmt.Errorf("witness state %s is not a %s file", path, StateFormat)
	}
	for origin, msg := range j.Logs {
		v, ok := keys[origin]
		if !ok {
			// A log no longer watched keeps its place: watching it again
			// must not start it over at 0.
			st.logs[origin] = entry{note: []byte(msg)}
			continue
		}
		n, err := note.Open([]byte(msg), note.VerifierList(v))
		if err != nil {
			return nil, fmt.Errorf("witness state %s: the checkpoint of %q does not verify: %w", path, origin, err)
		}
		o, size, root, err := log.ParseCheckpointBody(n.Text)
		if err != nil || o != origin {
			return nil, fmt.Errorf("witness state %s: the checkpoint of %q: %v", path, origin, err)
		}
		st.logs[origin] = entry{size: size, root: root, note: []byte(msg)}
	}
	return st, nil
}

func (s *stateFile) get(origin string) entry { return s.logs[origin] }

// put makes e the latest of origin and rewrites the file before returning.
func (s *stateFile) put(origin string, e entry) error {
	j := stateJSON{Format: StateFormat, Logs: map[string]string{}}
	for o, x := range s.logs {
		j.Logs[o] = string(x.note)
	}
	j.Logs[origin] = string(e.note)
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(s.path, append(b, '\n')); err != nil {
		return err
	}
	s.logs[origin] = e
	return nil
}

// writeAtomic replaces path with data: temporary file, fsync, rename, fsync
// of the directory.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
