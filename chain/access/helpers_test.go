package access

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

// clock is a settable clock shared by the store and the rate limiter.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fastPasswords keeps Argon2id's shape at a cost tests can afford.
var fastPasswords = PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

type userEnv struct {
	store *ledger.Store
	users *Users
	clock *clock
	log   *bytes.Buffer
	path  string
}

// mustUsers opens a real store file in t.TempDir() with a settable clock
// and a captured log.
func mustUsers(t testing.TB, opt UsersOptions) *userEnv {
	t.Helper()
	clk := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "amanat.db")
	store, err := ledger.Open(path, ledger.Options{NoSync: true, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var buf bytes.Buffer
	if opt.Password == (PasswordParams{}) {
		opt.Password = fastPasswords
	}
	opt.Now = clk.Now
	opt.Log = slog.New(slog.NewTextHandler(&syncWriter{w: &buf}, nil))
	users, err := NewUsers(store, opt)
	if err != nil {
		t.Fatal(err)
	}
	return &userEnv{store: store, users: users, clock: clk, log: &buf, path: path}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (e *userEnv) create(t testing.TB, req UserRequest) User {
	t.Helper()
	u, err := e.users.CreateUser(t.Context(), req, "admin:root")
	if err != nil {
		t.Fatalf("create %s: %v", req.Login, err)
	}
	return u
}

// digest is a hash of every access bucket, to show a refused write wrote
// nothing.
func (e *userEnv) digest(t testing.TB) string {
	t.Helper()
	h := sha256.New()
	err := e.store.View(func(tx *ledger.Tx) error {
		for _, b := range []ledger.Bucket{ledger.AuthUsers, ledger.AuthSessions, ledger.AuthTokens} {
			h.Write([]byte(b.Name()))
			h.Write(ledger.BE64(tx.Sequence(b)))
			if err := tx.ForEach(b, func(k, v []byte) error {
				h.Write(k)
				h.Write(v)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func wantCode(t testing.TB, err error, code ledger.Code) *ledger.Error {
	t.Helper()
	var de *ledger.Error
	if !errors.As(err, &de) || de.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return de
}
