package witness

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Path is the add-checkpoint endpoint, relative to a witness's URL.
const Path = "/add-checkpoint"

// SizeContentType is the type of a 409 answer: the witness's size and a
// newline.
const SizeContentType = "text/x.tlog.size"

// MaxProofLines bounds a request's consistency proof: a tree of 2^63
// leaves needs no more.
const MaxProofLines = 63

// MaxRequest bounds a request body: a checkpoint with its signatures and
// a proof of MaxProofLines fit many times over.
const MaxRequest = 64 << 10

// MaxCosignatureLines bounds the lines of a witness's answer that a store
// keeps: one per signature algorithm a witness may use, and room to spare.
const MaxCosignatureLines = 4

// Request is one add-checkpoint request: the size the sender believes the
// witness holds, a consistency proof from it, and the signed checkpoint.
type Request struct {
	Old        uint64
	Proof      []tlog.Hash
	Checkpoint []byte
}

// Format writes the request body: "old N", one base64 hash a line, a blank
// line, the checkpoint.
func (r Request) Format() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", r.Old)
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// ParseRequest reads a request body strictly: a canonical decimal size, at
// most MaxProofLines hashes each in canonical base64, a blank line, and a
// checkpoint that is not empty.
func ParseRequest(body []byte) (Request, error) {
	head, cp, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return Request{}, errors.New("no blank line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	sz, ok := strings.CutPrefix(lines[0], "old ")
	if !ok {
		return Request{}, errors.New(`the first line is not "old <size>"`)
	}
	old, err := parseSize(sz)
	if err != nil {
		return Request{}, err
	}
	if len(lines)-1 > MaxProofLines {
		return Request{}, fmt.Errorf("the proof has %d lines, at most %d are allowed", len(lines)-1, MaxProofLines)
	}
	r := Request{Old: old, Checkpoint: cp}
	for i, l := range lines[1:] {
		h, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(h) != tlog.HashSize || base64.StdEncoding.EncodeToString(h) != l {
			return Request{}, fmt.Errorf("proof line %d is not a base64 SHA-256 hash", i+1)
		}
		r.Proof = append(r.Proof, tlog.Hash(h))
	}
	if len(cp) == 0 {
		return Request{}, errors.New("the checkpoint is empty")
	}
	return r, nil
}

// parseSize reads a decimal size without sign or leading zeros.
func parseSize(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, fmt.Errorf("size %q is not a decimal number", s)
	}
	return n, nil
}

// ParseSizeBody reads the body of a 409 answer: a size and one newline.
func ParseSizeBody(b []byte) (uint64, error) {
	s, ok := strings.CutSuffix(string(b), "\n")
	if !ok {
		return 0, fmt.Errorf("size answer %q does not end in a newline", b)
	}
	return parseSize(s)
}

// NewKey makes a witness key named name: the private key in signed-note
// form (an Ed25519 seed) and its public key in cosignature/v1 form, which
// is what logs and checkers are given.
func NewKey(name string) (skey, vkey string, err error) {
	skey, plain, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("generate witness key: %w", err)
	}
	if vkey, err = fnote.VKeyToCosignatureV1(plain); err != nil {
		return "", "", fmt.Errorf("witness public key: %w", err)
	}
	return skey, vkey, nil
}

// PublicKey is the cosignature/v1 public key of a witness's private key
// (a signed-note Ed25519 key, as NewKey makes).
func PublicKey(skey string) (string, error) {
	if _, err := note.NewSigner(skey); err != nil {
		return "", fmt.Errorf("witness key: %w", err)
	}
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("witness key: not an Ed25519 signed-note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	plain := parts[2] + "+" + parts[3] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...))
	vkey, err := fnote.VKeyToCosignatureV1(plain)
	if err != nil {
		return "", fmt.Errorf("witness public key: %w", err)
	}
	return vkey, nil
}

// Verifier checks a witness's cosignatures. vkey is the witness's public key
// in cosignature/v1 form (type 0x04); a plain Ed25519 note key (0x01) is
// taken as the same key's cosignature/v1 form.
func Verifier(vkey string) (note.Verifier, error) {
	v, err := fnote.NewVerifierForCosignatureV1(vkey)
	if err != nil {
		return nil, fmt.Errorf("witness public key %q: %w", vkey, err)
	}
	return v, nil
}

// CosignatureLines verifies the signature lines a witness answered against
// the checkpoint they cosign and returns them, each with its newline, with
// the time the witness signed the newest. A line by another key, or one
// that does not verify, is refused.
func CosignatureLines(checkpoint, answer []byte, v note.Verifier) ([]byte, int64, error) {
	if bytes.Count(answer, []byte("\n")) > MaxCosignatureLines {
		return nil, 0, fmt.Errorf("the answer has more than %d lines", MaxCosignatureLines)
	}
	// The answer alone, after the checkpoint's text: every line must be
	// the witness's.
	i := bytes.LastIndex(checkpoint, []byte("\n\n"))
	if i < 0 {
		return nil, 0, errors.New("the checkpoint is not a signed note")
	}
	n, err := note.Open(append(bytes.Clone(checkpoint[:i+2]), answer...), note.VerifierList(v))
	if err != nil {
		return nil, 0, fmt.Errorf("cosignature: %w", err)
	}
	if len(n.UnverifiedSigs) > 0 || len(answer) == 0 || answer[len(answer)-1] != '\n' {
		return nil, 0, errors.New("the answer holds lines that are not cosignatures of the witness")
	}
	var newest int64
	for _, s := range n.Sigs {
		if s.Hash != v.KeyHash() || s.Name != v.Name() {
			continue
		}
		t, err := fnote.CoSigV1Timestamp(s)
		if err != nil {
			return nil, 0, fmt.Errorf("cosignature time: %w", err)
		}
		newest = max(newest, t.Unix())
	}
	if newest == 0 {
		return nil, 0, errors.New("the answer holds no cosignature of the witness")
	}
	return bytes.Clone(answer), newest, nil
}
