package access

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// User is a person's account: who they are, what they may do (roles) and
// which circles they may see (scope). Its JSON never holds the password
// hash, which lives only in the stored record.
type User struct {
	ID        uint64     `json:"id"`
	Login     string     `json:"login"`
	Display   string     `json:"display,omitempty"`
	Roles     []string   `json:"roles"`
	Scope     Scope      `json:"scope"`
	Created   time.Time  `json:"created"`
	CreatedBy string     `json:"created_by"`
	Disabled  *time.Time `json:"disabled,omitempty"`
}

// HasRole reports whether u holds one of roles.
func (u User) HasRole(roles ...string) bool {
	for _, r := range u.Roles {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// userRecord is the stored form of a user: version 1, the user's fields and
// the PHC string of its password hash ("" for a user who logs in with API
// tokens only).
type userRecord struct {
	Version int `json:"v"`
	User
	Password string `json:"password,omitempty"`
}

// UserRequest asks for a new user. No circle means scope all circles.
type UserRequest struct {
	Login    string   `json:"login"`
	Display  string   `json:"display"`
	Roles    []string `json:"roles"`
	Circles  []string `json:"circles"`
	Password string   `json:"password"`
}

// MaxDisplayBytes bounds a user's display name.
const MaxDisplayBytes = 200

// UsersOptions configure a Users. Zero fields take the defaults named.
type UsersOptions struct {
	// Password are the Argon2id costs of new hashes; zero:
	// DefaultPasswordParams. Tests lower them to stay fast.
	Password PasswordParams
	// SessionIdle ends a session this long after its last use (default 30
	// minutes); SessionMax ends it this long after login whatever its use
	// (default 12 hours).
	SessionIdle, SessionMax time.Duration
	// MaxFailures failed logins within FailureWindow lock the login, or
	// the address, for Lockout (defaults 5, 15 minutes, 15 minutes).
	MaxFailures   int
	FailureWindow time.Duration
	Lockout       time.Duration
	// Now is the rate limiter's clock; default time.Now. Stored times and
	// session expiry use the store's clock.
	Now func() time.Time
	// Log receives every failed login (login and address, never the
	// password); default slog.Default().
	Log *slog.Logger
	// HashSlots bounds how many password hashes run at once (default 4):
	// each takes the Argon2id memory, so a flood of logins waits for a
	// slot instead of taking the server's memory.
	HashSlots int
}

func (o UsersOptions) withDefaults() UsersOptions {
	if o.Password == (PasswordParams{}) {
		o.Password = DefaultPasswordParams
	}
	o.SessionIdle = cmp.Or(o.SessionIdle, 30*time.Minute)
	o.SessionMax = cmp.Or(o.SessionMax, 12*time.Hour)
	o.MaxFailures = cmp.Or(o.MaxFailures, 5)
	o.FailureWindow = cmp.Or(o.FailureWindow, 15*time.Minute)
	o.Lockout = cmp.Or(o.Lockout, 15*time.Minute)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	o.HashSlots = cmp.Or(o.HashSlots, 4)
	return o
}

// Users keeps user accounts (bucket ledger.AuthUsers) and their console
// sessions (ledger.AuthSessions), and checks passwords.
type Users struct {
	store   *ledger.Store
	opt     UsersOptions
	limiter *limiter
	slots   chan struct{} // one per password hash allowed to run

	dummyOnce sync.Once
	dummy     string // a hash an unknown login is checked against, so it costs what a known one does
}

// NewUsers makes the store's buckets if the store lacks them.
func NewUsers(store *ledger.Store, opt UsersOptions) (*Users, error) {
	err := store.Write(context.Background(), func(tx *ledger.Tx) error { return tx.Create() })
	if err != nil {
		return nil, fmt.Errorf("open user store: %w", err)
	}
	opt = opt.withDefaults()
	return &Users{store: store, opt: opt, limiter: newLimiter(opt), slots: make(chan struct{}, opt.HashSlots)}, nil
}

// SetLogger sends the failed-login log to l (the server's own log). Call it
// before the Users are in use.
func (u *Users) SetLogger(l *slog.Logger) {
	if l != nil {
		u.opt.Log = l
	}
}

// loginKey is a login's key in the store: logins differ by more than case,
// so "Ayesha" can never pass for "ayesha".
func loginKey(login string) []byte { return []byte(strings.ToLower(login)) }

// SameLogin reports whether a and b name one user (logins differ by more
// than case).
func SameLogin(a, b string) bool { return strings.EqualFold(a, b) }

// CheckLogin says why login is not a login (the token-name rule), or "".
func CheckLogin(login string) string {
	if login == "" {
		return "is required"
	}
	if r := text.Check(login, 64, text.Line); r != "" {
		return r
	}
	if !tokenNameRE.MatchString(login) {
		return "must be 1 to 64 letters, digits, '_', '.', '@' or '-', starting with a letter or digit"
	}
	return ""
}

// checkRoles says why roles is not a list of one or more distinct roles.
func checkRoles(roles []string) string {
	if len(roles) == 0 {
		return "at least one role is required (one of " + strings.Join(Roles, ", ") + ")"
	}
	for i, r := range roles {
		if err := CheckRole(r); err != nil {
			return err.Error()
		}
		if slices.Contains(roles[:i], r) {
			return fmt.Sprintf("role %q is given twice", r)
		}
	}
	return ""
}

// isBidiOverride: the embeddings and overrides that reorder the letters
// after them. A name shown in the console and recorded as the actor must
// read as it is; Urdu and mixed names need none of them.
func isBidiOverride(r rune) bool { return r >= '\u202a' && r <= '\u202e' }

// check names every bad field of req; the password is checked only when
// given.
func (req UserRequest) check() (Scope, error) {
	var p ledger.Problems
	if r := CheckLogin(req.Login); r != "" {
		p.Add("login", r)
	}
	if r := text.Check(req.Display, MaxDisplayBytes, text.Line); r != "" {
		p.Add("display", r)
	} else if strings.ContainsFunc(req.Display, isBidiOverride) {
		p.Add("display", "contains a bidirectional embedding or override (U+202A to U+202E), which can make a name read as another")
	}
	if r := checkRoles(req.Roles); r != "" {
		p.Add("roles", r)
	}
	scope, err := CirclesScope(req.Circles...)
	if err != nil {
		p.Add("circles", err.Error())
	}
	if req.Password != "" {
		if r := CheckPassword(req.Password); r != "" {
			p.Add("password", r)
		}
	}
	return scope, p.Err()
}

// prepare checks req and hashes its password, outside any transaction: a
// hash costs tens of milliseconds, which a write would hold every other
// writer for.
func (u *Users) prepare(req UserRequest, createdBy string) (userRecord, error) {
	scope, err := req.check()
	if err != nil {
		return userRecord{}, err
	}
	rec := userRecord{Version: 1, User: User{Login: req.Login, Display: req.Display, Roles: slices.Clone(req.Roles),
		Scope: scope, CreatedBy: createdBy}}
	if req.Password != "" {
		if rec.Password, err = u.hash(req.Password); err != nil {
			return userRecord{}, err
		}
	}
	return rec, nil
}

// insert stores a prepared user inside tx; a login taken (in any case) is a
// conflict.
func (u *Users) insert(tx *ledger.Tx, rec userRecord) (User, error) {
	if tx.Get(ledger.AuthUsers, loginKey(rec.Login)) != nil {
		return User{}, &ledger.Error{Code: ledger.EConflict, Msg: fmt.Sprintf("login %q is taken", rec.Login),
			Fields: []ledger.FieldError{{Field: "login", Reason: "is taken"}}}
	}
	if named, err := roleTokenNamed(tx, rec.Login); err != nil || named {
		if err != nil {
			return User{}, err
		}
		return User{}, &ledger.Error{Code: ledger.EConflict, Msg: fmt.Sprintf("login %q is the name of a role token", rec.Login),
			Fields: []ledger.FieldError{{Field: "login", Reason: "is the name of a role token, which the books record as who acted: choose another login"}}}
	}
	id, err := tx.NextSequence(ledger.AuthUsers)
	if err != nil {
		return User{}, fmt.Errorf("user id: %w", err)
	}
	rec.ID, rec.Created = id, tx.Now
	if err := putUser(tx, rec); err != nil {
		return User{}, err
	}
	return rec.User, nil
}

// Create checks req and stores a new user inside tx. It hashes the
// password inside the transaction: where the caller has no transaction of
// its own, CreateUser hashes first and writes after.
func (u *Users) Create(tx *ledger.Tx, req UserRequest, createdBy string) (User, error) {
	rec, err := u.prepare(req, createdBy)
	if err != nil {
		return User{}, err
	}
	return u.insert(tx, rec)
}

// CreateUser checks req, hashes its password, then stores the user in its
// own write.
func (u *Users) CreateUser(ctx context.Context, req UserRequest, createdBy string) (User, error) {
	rec, err := u.prepare(req, createdBy)
	if err != nil {
		return User{}, err
	}
	var out User
	err = u.store.Write(ctx, func(tx *ledger.Tx) error {
		var err error
		out, err = u.insert(tx, rec)
		return err
	})
	return out, err
}

// CreateWithToken is CreateUser that also issues the new user's first API
// token (lifetime ttl; zero: the default), in the same write: the user and
// the token exist together or not at all.
func (u *Users) CreateWithToken(ctx context.Context, req UserRequest, ttl time.Duration, createdBy string) (User, string, TokenRecord, error) {
	rec, err := u.prepare(req, createdBy)
	if err != nil {
		return User{}, "", TokenRecord{}, err
	}
	if err := CheckTTL(ttl); err != nil {
		return User{}, "", TokenRecord{}, err
	}
	var out User
	var token string
	var tok TokenRecord
	err = u.store.Write(ctx, func(tx *ledger.Tx) error {
		var err error
		if out, err = u.insert(tx, rec); err != nil {
			return err
		}
		token, tok, err = (&Tokens{store: u.store}).Issue(tx, TokenRequest{User: out.Login, TTL: ttl}, createdBy)
		return err
	})
	if err != nil {
		return User{}, "", TokenRecord{}, err
	}
	return out, token, tok, nil
}

// hash is HashPassword with the Users' costs, in a hash slot.
func (u *Users) hash(pw string) (string, error) {
	u.slots <- struct{}{}
	defer func() { <-u.slots }()
	return HashPassword(pw, u.opt.Password)
}

// verify is VerifyPassword in a hash slot, waiting at most as long as ctx.
func (u *Users) verify(ctx context.Context, phc, pw string) (bool, error) {
	select {
	case u.slots <- struct{}{}:
	case <-ctx.Done():
		return false, ledger.Errorf(ledger.EUnavailable, "too many password checks at once; try again (%v)", ctx.Err())
	}
	defer func() { <-u.slots }()
	return VerifyPassword(phc, pw)
}

func putUser(tx *ledger.Tx, rec userRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode user %s: %w", rec.Login, err)
	}
	if err := tx.Put(ledger.AuthUsers, loginKey(rec.Login), data); err != nil {
		return fmt.Errorf("store user %s: %w", rec.Login, err)
	}
	return nil
}

func getUser(tx *ledger.Tx, login string) (userRecord, bool, error) {
	if len(login) > 64 {
		return userRecord{}, false, nil
	}
	v := tx.Get(ledger.AuthUsers, loginKey(login))
	if v == nil {
		return userRecord{}, false, nil
	}
	var rec userRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return userRecord{}, false, fmt.Errorf("decode user %s: %w", login, err)
	}
	return rec, true, nil
}

// Get is the user with login (in any case).
func (u *Users) Get(tx *ledger.Tx, login string) (User, bool, error) {
	rec, ok, err := getUser(tx, login)
	return rec.User, ok, err
}

// List is every user, by id.
func (u *Users) List(tx *ledger.Tx) ([]User, error) {
	var out []User
	err := tx.ForEach(ledger.AuthUsers, func(k, v []byte) error {
		var rec userRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode user %s: %w", k, err)
		}
		out = append(out, rec.User)
		return nil
	})
	slices.SortFunc(out, func(a, b User) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// Disable disables login inside tx on behalf of by, the login of the user
// who acts ("" when no user does: the command line, a role token): from
// this transaction on, its password and sessions are refused and its tokens
// are revoked. Disabling twice keeps the first time. A user may not disable
// their own account, so that the last admin cannot lock everyone out by a
// slip; another admin may.
func (u *Users) Disable(tx *ledger.Tx, login, by string) (User, error) {
	if by != "" && SameLogin(by, login) {
		return User{}, ledger.Errorf(ledger.EConflict, "you may not disable your own account; another admin may")
	}
	rec, ok, err := getUser(tx, login)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, ledger.Errorf(ledger.ENotFound, "user %q not found", login)
	}
	if rec.Disabled == nil {
		now := tx.Now
		rec.Disabled = &now
		if err := putUser(tx, rec); err != nil {
			return User{}, err
		}
	}
	if err := revokeUserTokens(tx, rec.Login); err != nil {
		return User{}, fmt.Errorf("revoke the tokens of %s: %w", rec.Login, err)
	}
	return rec.User, nil
}

// SetPassword checks and hashes pw, then makes it login's password in its
// own write. A disabled user keeps its disable.
func (u *Users) SetPassword(ctx context.Context, login, pw string) error {
	if r := CheckPassword(pw); r != "" || pw == "" {
		return ledger.FieldErr("password", cmp.Or(r, "is required"))
	}
	hash, err := u.hash(pw)
	if err != nil {
		return err
	}
	return u.store.Write(ctx, func(tx *ledger.Tx) error {
		rec, ok, err := getUser(tx, login)
		if err != nil {
			return err
		}
		if !ok {
			return ledger.Errorf(ledger.ENotFound, "user %q not found", login)
		}
		rec.Password = hash
		return putUser(tx, rec)
	})
}
