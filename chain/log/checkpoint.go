package log

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a signed statement of the log's size and root hash.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   tlog.Hash
	Note   []byte // the signed note: body, blank line, signature line
	// Ext is what the extension lines say: the head commitment's size and
	// root and the time of signing (heads.go); zero in checkpoints signed
	// before them.
	Ext Extensions
}

// checkpointBody is the C2SP tlog-checkpoint body: origin, size and base64
// root hash, each on its own line.
func checkpointBody(origin string, size uint64, root tlog.Hash) string {
	return origin + "\n" + strconv.FormatUint(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
}

// ParseCheckpointBody reads a checkpoint body. Extension lines after the
// root are allowed by C2SP and ignored.
func ParseCheckpointBody(text string) (origin string, size uint64, root tlog.Hash, err error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return "", 0, root, fmt.Errorf("checkpoint has fewer than three lines")
	}
	origin = lines[0]
	if origin == "" {
		return "", 0, root, fmt.Errorf("checkpoint has no origin")
	}
	size, err = strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return "", 0, root, fmt.Errorf("checkpoint size %q is not a decimal number", lines[1])
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != tlog.HashSize {
		return "", 0, root, fmt.Errorf("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	copy(root[:], b)
	return origin, size, root, nil
}

// OriginPrefix and the 16 lower-case hex digits after it name a store's log
// (newOrigin).
const OriginPrefix = "amanat.custody/"

// ValidOrigin says whether s names a store's log.
func ValidOrigin(s string) bool {
	h, ok := strings.CutPrefix(s, OriginPrefix)
	if !ok || len(h) != 16 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
