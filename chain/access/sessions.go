package access

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
)

// SessionPrefix marks console session tokens, so one is never taken for an
// API token (TokenPrefix) or the other way round.
const SessionPrefix = "ams_"

// Session is a console login: the store keeps it under the SHA-256 of its
// token, never the token. It ends at Ended (logout), at LastSeen plus the
// idle limit, or at Expires, whichever comes first.
type Session struct {
	Version    int        `json:"v"`
	ID         uint64     `json:"id"`
	User       string     `json:"user"` // login
	Created    time.Time  `json:"created"`
	LastSeen   time.Time  `json:"last_seen"`
	Expires    time.Time  `json:"expires"` // absolute: Created plus the session limit
	RemoteAddr string     `json:"remote_addr,omitempty"`
	Ended      *time.Time `json:"ended,omitempty"`
}

// touchEvery is how stale LastSeen may grow before a use writes it again:
// the idle limit slides by up to this much less than exact, and a console
// page does not cost a durable write per request.
const touchEvery = time.Minute

// StartSession opens a session for u, who must exist and be enabled as
// stored now, and returns its token: 256 random bits, kept only as a hash.
func (u *Users) StartSession(ctx context.Context, user User, remoteAddr string) (string, Session, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Session{}, fmt.Errorf("make session token: %w", err)
	}
	token := SessionPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	var s Session
	err := u.store.Write(ctx, func(tx *ledger.Tx) error {
		rec, ok, err := getUser(tx, user.Login)
		if err != nil {
			return err
		}
		if !ok || rec.Disabled != nil {
			return errBadLogin
		}
		id, err := tx.NextSequence(ledger.AuthSessions)
		if err != nil {
			return fmt.Errorf("session id: %w", err)
		}
		s = Session{Version: 1, ID: id, User: rec.Login, Created: tx.Now, LastSeen: tx.Now,
			Expires: tx.Now.Add(u.opt.SessionMax), RemoteAddr: hostOf(remoteAddr)}
		return putSession(tx, HashToken(token), s)
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("start session for %s: %w", user.Login, err)
	}
	return token, s, nil
}

func putSession(tx *ledger.Tx, key string, s Session) error {
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode session %d: %w", s.ID, err)
	}
	if err := tx.Put(ledger.AuthSessions, []byte(key), data); err != nil {
		return fmt.Errorf("store session %d: %w", s.ID, err)
	}
	return nil
}

func getSession(tx *ledger.Tx, key string) (Session, bool, error) {
	v := tx.Get(ledger.AuthSessions, []byte(key))
	if v == nil {
		return Session{}, false, nil
	}
	var s Session
	if err := json.Unmarshal(v, &s); err != nil {
		return Session{}, false, fmt.Errorf("decode session: %w", err)
	}
	return s, true, nil
}

// live reports whether s may be used at now.
func (u *Users) live(s Session, now time.Time) bool {
	return s.Ended == nil && now.Before(s.Expires) && now.Before(s.LastSeen.Add(u.opt.SessionIdle))
}

// sessionKey is the stored key of a presented token, or "" for a string
// that cannot be a session token.
func sessionKey(token string) string {
	if !strings.HasPrefix(token, SessionPrefix) || len(token) > 128 {
		return ""
	}
	return HashToken(token)
}

// Session finds the live session of token and its user as stored now, and
// slides its idle limit. It reports false for an unknown, ended, idle or
// expired session and for a user disabled or gone; err is a broken store.
func (u *Users) Session(ctx context.Context, token string) (Session, User, bool, error) {
	key := sessionKey(token)
	if key == "" {
		return Session{}, User{}, false, nil
	}
	var s Session
	var user User
	var ok, stale bool
	err := u.store.View(func(tx *ledger.Tx) error {
		var err error
		s, user, ok, err = u.sessionIn(tx, key)
		stale = ok && tx.Now.Sub(s.LastSeen) >= touchEvery
		return err
	})
	if err != nil || !ok || !stale {
		return s, user, ok, err
	}
	err = u.store.Write(ctx, func(tx *ledger.Tx) error {
		s, user, ok, err = u.sessionIn(tx, key)
		if err != nil || !ok {
			return err
		}
		s.LastSeen = tx.Now
		return putSession(tx, key, s)
	})
	if err != nil {
		return Session{}, User{}, false, fmt.Errorf("touch session: %w", err)
	}
	return s, user, ok, nil
}

// sessionIn reads the session under key and its user inside tx, and says
// whether both are live at tx.Now.
func (u *Users) sessionIn(tx *ledger.Tx, key string) (Session, User, bool, error) {
	s, ok, err := getSession(tx, key)
	if err != nil || !ok || !u.live(s, tx.Now) {
		return Session{}, User{}, false, err
	}
	rec, ok, err := getUser(tx, s.User)
	if err != nil || !ok || rec.Disabled != nil {
		return Session{}, User{}, false, err
	}
	return s, rec.User, true, nil
}

// EndSession ends the session of token (logout). An unknown or already
// ended session is not an error: logging out twice logs out.
func (u *Users) EndSession(ctx context.Context, token string) error {
	key := sessionKey(token)
	if key == "" {
		return nil
	}
	err := u.store.Write(ctx, func(tx *ledger.Tx) error {
		s, ok, err := getSession(tx, key)
		if err != nil || !ok || s.Ended != nil {
			return err
		}
		now := tx.Now
		s.Ended = &now
		return putSession(tx, key, s)
	})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
