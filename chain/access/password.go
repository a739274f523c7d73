package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/amanat-ledger/amanat/ledger/text"
)

// PasswordParams are the Argon2id costs a new password hash is made with.
// A stored hash carries its own, so a change of costs applies to passwords
// set after it and every older hash still verifies.
type PasswordParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
	SaltLen   uint32 // bytes of random salt
	KeyLen    uint32 // bytes of derived key
}

// DefaultPasswordParams are RFC 9106's second recommended option (one
// pass, 64 MiB), with two lanes for the two cores a small server has:
// about 50 ms a hash here, which a login pays once and a guesser pays on
// every guess. docs/access.md gives the reasons.
var DefaultPasswordParams = PasswordParams{Time: 1, MemoryKiB: 64 * 1024, Threads: 2, SaltLen: 16, KeyLen: 32}

// Password length bounds, in characters and bytes.
const (
	MinPasswordLen   = 12  // characters
	MaxPasswordBytes = 256 // bytes: Argon2 takes any length, a request body should not
)

// Bounds on the costs read back from a stored hash, so that a damaged
// record cannot make one login take the server's memory.
const (
	maxStoredTime   = 16
	maxStoredMemory = 1 << 20 // KiB: 1 GiB
	maxStoredLanes  = 16
	maxStoredKey    = 64
)

// CheckPassword says why pw may not be a password, or "". The reason never
// quotes the password.
func CheckPassword(pw string) string {
	if r := text.Check(pw, MaxPasswordBytes, text.Line); r != "" {
		return r
	}
	if n := utf8.RuneCountInString(pw); n < MinPasswordLen {
		return fmt.Sprintf("must be at least %d characters", MinPasswordLen)
	}
	return ""
}

// HashPassword makes the PHC string of pw's Argon2id hash with a fresh
// salt: $argon2id$v=19$m=65536,t=1,p=2$salt$hash (salt and hash base64,
// no padding).
func HashPassword(pw string, p PasswordParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC string phc, comparing
// in constant time. A string that is not an Argon2id hash is an error.
func VerifyPassword(phc, pw string) (bool, error) {
	p, salt, want, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func parsePHC(phc string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash parameters %q: %w", parts[3], err)
	}
	if p.Time < 1 || p.Time > maxStoredTime || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxStoredMemory ||
		p.Threads < 1 || p.Threads > maxStoredLanes {
		return p, nil, nil, fmt.Errorf("password hash parameters %q out of bounds", parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("password hash: bad salt")
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > maxStoredKey {
		return p, nil, nil, fmt.Errorf("password hash: bad key")
	}
	return p, salt, key, nil
}
