package log

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// The signing key is a signed-note key (golang.org/x/mod/sumdb/note): the
// file holds "PRIVATE+KEY+<name>+<key hash>+<base64 key>" and one newline.
// Its name is the log's origin.

// readKey loads the private key at path and returns it with its public
// verifier key. A key readable by group or others is refused.
func readKey(path string) (skey, vkey string, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", "", fmt.Errorf("custody key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	skey = strings.TrimSpace(string(b))
	vkey, err = publicKey(skey)
	if err != nil {
		return "", "", fmt.Errorf("custody key %s: %w", path, err)
	}
	return skey, vkey, nil
}

// publicKey derives the verifier key of a signer key.
func publicKey(skey string) (string, error) {
	if _, err := note.NewSigner(skey); err != nil {
		return "", fmt.Errorf("not a signed-note private key: %w", err)
	}
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("not a signed-note private key")
	}
	name, hash, data := parts[2], parts[3], parts[4]
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("not an Ed25519 signed-note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey := name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...))
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", fmt.Errorf("derive public key: %w", err)
	}
	return vkey, nil
}

// createKey makes a new key named origin at path, mode 0600, refusing to
// overwrite a file, and writes the public half beside it (path + ".pub").
func createKey(path, origin string) (skey, vkey string, err error) {
	skey, vkey, err = note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", "", fmt.Errorf("generate custody key: %w", err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", "", fmt.Errorf("custody key directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", "", fmt.Errorf("create custody key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", "", fmt.Errorf("write custody key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", "", fmt.Errorf("write custody key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", "", fmt.Errorf("write custody key: %w", err)
	}
	if err := os.WriteFile(path+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		return "", "", fmt.Errorf("write custody public key: %w", err)
	}
	return skey, vkey, nil
}

func newOrigin() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return OriginPrefix + hex.EncodeToString(b[:]), nil
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// WitnessPath is where the latest committed checkpoint is kept outside the
// database for a key at keyPath: "x.key" -> "x.checkpoint".
func WitnessPath(keyPath string) string {
	return strings.TrimSuffix(keyPath, ".key") + ".checkpoint"
}

// writeFileAtomic replaces path with data: temp file, fsync, rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
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
	return os.Rename(tmp.Name(), path)
}
