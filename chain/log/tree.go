package log

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Another tree of the same store (the audit log of reads and writes) is
// signed with this log's key, under an origin of its own that extends the
// log's: "<origin>/<name>". One key then vouches for both trees, and a
// checkpoint of one can never be passed off as a checkpoint of the other.

// TreeOrigin is the origin line of the checkpoints of the store's tree
// called name.
func (l *Log) TreeOrigin(name string) string { return l.origin + "/" + name }

// SignTree signs a C2SP checkpoint of the tree called name, of size leaves
// and root hash root, with the log's key.
func (l *Log) SignTree(name string, size uint64, root tlog.Hash) ([]byte, error) {
	if l.signer == nil {
		return nil, fmt.Errorf("sign %s checkpoint: the log was opened read-only", name)
	}
	body := l.TreeOrigin(name) + "\n" + strconv.FormatUint(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
	msg, err := note.Sign(&note.Note{Text: body}, l.signer)
	if err != nil {
		return nil, fmt.Errorf("sign %s checkpoint: %w", name, err)
	}
	return msg, nil
}

// OpenTree verifies a checkpoint SignTree made of the tree called name and
// reads it.
func (l *Log) OpenTree(name string, msg []byte) (Checkpoint, error) {
	if l.verifier == nil {
		return Checkpoint{}, fmt.Errorf("no public key to check the %s checkpoint with", name)
	}
	n, err := note.Open(msg, note.VerifierList(l.verifier))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%s checkpoint signature: %w", name, err)
	}
	if !strings.HasPrefix(n.Text, l.TreeOrigin(name)+"\n") {
		return Checkpoint{}, fmt.Errorf("checkpoint is not of the %s tree %q", name, l.TreeOrigin(name))
	}
	origin, size, root, err := ParseCheckpointBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Origin: origin, Size: size, Root: root, Note: bytes.Clone(msg)}, nil
}

// WriteWitness replaces the witness file at path with a checkpoint: temp
// file, fsync, rename, so that a crash leaves the old one or the new.
func WriteWitness(path string, msg []byte) error { return writeFileAtomic(path, msg) }
