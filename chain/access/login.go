package access

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

// errBadLogin is the one answer to a failed login, whatever failed: an
// unknown login, a disabled user, a user without a password and a wrong
// password read the same, so the answer tells a guesser nothing.
var errBadLogin = ledger.Errorf(ledger.EUnauthorized, "login or password is wrong")

// LockedError is the answer while a login or an address is locked after
// too many failed logins. It unwraps to a ledger.ERateLimited error.
type LockedError struct {
	Until time.Time     // when the lock ends
	After time.Duration // how long from the refusal, rounded up to a second
}

func (e *LockedError) Error() string { return e.Unwrap().Error() }

// Unwrap is the ledger error the HTTP layer maps to 429.
func (e *LockedError) Unwrap() error {
	return ledger.Errorf(ledger.ERateLimited, "too many failed logins from this address or for this login; try again in %s", e.After)
}

// RetryAfter is how long the caller should wait.
func (e *LockedError) RetryAfter() time.Duration { return e.After }

// Authenticate checks login and password. Every failure costs one
// Argon2id hash and gives the same ledger.EUnauthorized error, is logged
// with the login and the address (never the password), and counts against
// both: MaxFailures within FailureWindow lock the login, or the address,
// for Lockout, and a locked caller gets a *LockedError without its password
// being tried.
func (u *Users) Authenticate(ctx context.Context, login, password, remoteAddr string) (User, error) {
	addr := hostOf(remoteAddr)
	lkey := strings.ToLower(login)
	if len(lkey) > 64 {
		lkey = lkey[:64]
	}
	if until, locked := u.limiter.locked(lkey, addr); locked {
		u.opt.Log.WarnContext(ctx, "login refused: locked", "login", login, "address", addr, "until", until)
		return User{}, u.lockedErr(until)
	}
	user, reason, err := u.check(login, password)
	if err != nil {
		return User{}, err
	}
	if reason != "" {
		until, locked := u.limiter.fail(lkey, addr)
		u.opt.Log.WarnContext(ctx, "login failed", "login", login, "address", addr, "reason", reason, "locked", locked, "until", until)
		return User{}, errBadLogin
	}
	u.limiter.succeed(lkey)
	return user, nil
}

func (u *Users) lockedErr(until time.Time) error {
	after := until.Sub(u.opt.Now()).Truncate(time.Second) + time.Second
	return &LockedError{Until: until, After: after}
}

// check verifies the password, hashing against a dummy when the user has
// none to check, so every failure costs the same. It returns why the login
// fails ("" when it does not); err is a broken store or record.
func (u *Users) check(login, password string) (User, string, error) {
	var rec userRecord
	var ok bool
	err := u.store.View(func(tx *ledger.Tx) error {
		var err error
		rec, ok, err = getUser(tx, login)
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	hash := rec.Password
	if !ok || hash == "" {
		hash = u.dummyHash()
	}
	match, err := VerifyPassword(hash, password)
	if err != nil {
		return User{}, "", fmt.Errorf("check password of %s: %w", login, err)
	}
	switch {
	case !ok:
		return User{}, "unknown login", nil
	case rec.Password == "":
		return User{}, "user has no password", nil
	case !match:
		return User{}, "wrong password", nil
	case rec.Disabled != nil:
		return User{}, "user disabled", nil
	}
	return rec.User, "", nil
}

func (u *Users) dummyHash() string {
	u.dummyOnce.Do(func() {
		h, err := HashPassword("not a password of anyone", u.opt.Password)
		if err != nil {
			panic(fmt.Sprintf("dummy password hash: %v", err))
		}
		u.dummy = h
	})
	return u.dummy
}

// hostOf is the address without its port.
func hostOf(remoteAddr string) string {
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return h
	}
	return remoteAddr
}

// IsLocked reports whether err is a *LockedError, and its wait.
func IsLocked(err error) (time.Duration, bool) {
	var le *LockedError
	if errors.As(err, &le) {
		return le.After, true
	}
	return 0, false
}

// limiter counts failed logins per login and per address, in memory: a
// restart forgets them, which costs a guesser nothing it could not get by
// waiting out a lock.
type limiter struct {
	mu     sync.Mutex
	opt    UsersOptions
	counts map[string]*failures
}

type failures struct {
	times []time.Time // failures within the window
	until time.Time   // locked until
}

// maxTracked bounds the limiter's memory; past it, entries that are neither
// locked nor recent are forgotten.
const maxTracked = 10000

func newLimiter(opt UsersOptions) *limiter {
	return &limiter{opt: opt, counts: map[string]*failures{}}
}

func (l *limiter) keys(login, addr string) [2]string {
	return [2]string{"login " + login, "addr " + addr}
}

// locked reports whether the login or the address is locked, and until when.
func (l *limiter) locked(login, addr string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opt.Now()
	var until time.Time
	for _, k := range l.keys(login, addr) {
		if f := l.counts[k]; f != nil && now.Before(f.until) && f.until.After(until) {
			until = f.until
		}
	}
	return until, !until.IsZero()
}

// fail counts one failure against both keys and locks those that reach the
// limit.
func (l *limiter) fail(login, addr string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opt.Now()
	if len(l.counts) >= maxTracked {
		l.prune(now)
	}
	var until time.Time
	for _, k := range l.keys(login, addr) {
		f := l.counts[k]
		if f == nil {
			f = &failures{}
			l.counts[k] = f
		}
		kept := f.times[:0]
		for _, t := range f.times {
			if now.Sub(t) < l.opt.FailureWindow {
				kept = append(kept, t)
			}
		}
		f.times = append(kept, now)
		if len(f.times) >= l.opt.MaxFailures {
			f.until, f.times = now.Add(l.opt.Lockout), nil
		}
		if f.until.After(until) {
			until = f.until
		}
	}
	return until, until.After(now)
}

// succeed clears the login's count. The address keeps its count, so one
// good login of one's own account does not buy more guesses at another.
func (l *limiter) succeed(login string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.counts["login "+login]; f != nil && !l.opt.Now().Before(f.until) {
		delete(l.counts, "login "+login)
	}
}

func (l *limiter) prune(now time.Time) {
	for k, f := range l.counts {
		recent := len(f.times) > 0 && now.Sub(f.times[len(f.times)-1]) < l.opt.FailureWindow
		if !recent && !now.Before(f.until) {
			delete(l.counts, k)
		}
	}
}
