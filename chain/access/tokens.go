package access

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// Roles: the five of the stable contract (docs/contract.md) and the
// supervisor of the two-person rule; each may do what its comment says and
// no more.
const (
	RoleCustodian    = "custodian"    // registers seizures, records custody events
	RoleFinance      = "finance"      // enters rates, conversions, reconciliations; reads everything
	RoleInvestigator = "investigator" // reads items, custody, balances
	RoleAuditor      = "auditor"      // reads everything, runs verification
	RoleAdmin        = "admin"        // manages tokens, takes backups
	// RoleSupervisor is the malkhana in-charge's superior: reads what a
	// custodian reads and approves or rejects the proposals of the
	// two-person rule (docs/custody.md), never its own.
	RoleSupervisor = "supervisor"
)

// Roles lists every role.
var Roles = []string{RoleCustodian, RoleFinance, RoleInvestigator, RoleAuditor, RoleAdmin, RoleSupervisor}

// Readers may read evidence, custody and balances.
var Readers = []string{RoleCustodian, RoleFinance, RoleInvestigator, RoleAuditor, RoleSupervisor}

// TokenPrefix marks Amanat tokens so a leaked one is recognisable in a scan.
const TokenPrefix = "amt_"

// TokenRecord is what the store keeps of a token: never the token itself.
type TokenRecord struct {
	Version   int        `json:"v"`
	ID        uint64     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	Created   time.Time  `json:"created"`
	CreatedBy string     `json:"created_by"`
	Revoked   *time.Time `json:"revoked,omitempty"`
	// User is the login the token belongs to; empty for a role token, as
	// every token made before user accounts is. A user's token acts with
	// the user's roles and scope as they are when it is used; Role is only
	// the user's first role when the token was made.
	User string `json:"user,omitempty"`
	// Expires is when the token stops working; zero (tokens made before
	// expiry) never.
	Expires time.Time `json:"expires,omitzero"`
	// Circles is a role token's scope when it is limited to some circles;
	// nil (every token made before scopes, and every HQ token) is every
	// circle. CircleScope reads it. A user's token takes the user's scope
	// instead.
	Circles []string `json:"circles,omitempty"`
	Hash    string   `json:"-"`
}

// CircleScope is the circles a role token may see and act in.
func (r TokenRecord) CircleScope() Scope {
	if len(r.Circles) == 0 {
		return AllCircles
	}
	return Scope{Circles: slices.Clone(r.Circles)}
}

// Token lifetimes: the default, and the longest a token may be made for.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// TokenRequest asks for a token: of a user (User, a login: the token acts
// as that user) or, without a user, of one role with scope all circles.
// Name is who holds it (default: the login); TTL zero takes the Tokens'
// default.
type TokenRequest struct {
	User string
	Role string
	Name string
	TTL  time.Duration
	// Circles limits a role token to some circles; nil is every circle.
	Circles []string
}

// Tokens issues and checks API tokens kept as SHA-256 hashes in the store. A
// token has 256 random bits, so a plain hash (not a slow password hash) is
// enough: nobody can guess a preimage.
type Tokens struct {
	store *ledger.Store
	// TTL is how long a new token lives when its request names no
	// lifetime; zero means DefaultTokenTTL.
	TTL time.Duration
}

// TokensOf is the tokens of a store opened read-only, where NewTokens
// cannot make buckets.
func TokensOf(store *ledger.Store) *Tokens { return &Tokens{store: store} }

// CheckTTL says why ttl is not a token lifetime (zero is the default).
func CheckTTL(ttl time.Duration) error {
	if ttl < 0 || ttl > MaxTokenTTL {
		return ledger.FieldErr("ttl", fmt.Sprintf("must be between 1 second and %d days", MaxTokenTTL/(24*time.Hour)))
	}
	if ttl > 0 && ttl < time.Second {
		return ledger.FieldErr("ttl", "must be at least 1 second")
	}
	return nil
}

// NewTokens makes the store's buckets (the token bucket among them) if the
// store lacks them.
func NewTokens(store *ledger.Store) (*Tokens, error) {
	err := store.Write(context.Background(), func(tx *ledger.Tx) error { return tx.Create() })
	if err != nil {
		return nil, fmt.Errorf("open token store: %w", err)
	}
	return &Tokens{store: store}, nil
}

var tokenNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)

// HashToken is what the store keeps of a token: its SHA-256, in hex.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CheckRole says why role is not a role, or nil.
func CheckRole(role string) error {
	if !slices.Contains(Roles, role) {
		return fmt.Errorf("unknown role %q (one of %s)", role, strings.Join(Roles, ", "))
	}
	return nil
}

// CheckRequest names what is wrong with a token's role and name.
func CheckRequest(role, name string) error {
	var p ledger.Problems
	if err := CheckRole(role); err != nil {
		p.Add("role", err.Error())
	}
	// The shared free-text check first: a name is stored, logged and
	// recorded as the actor of every write, so it must never be a wallet
	// secret (a WIF key is 51 or 52 letters and digits, which the name's
	// own rule allows).
	if r := text.Check(name, 64, text.Line); r != "" {
		p.Add("name", r)
	} else if !tokenNameRE.MatchString(name) {
		p.Add("name", "must be 1 to 64 letters, digits, '_', '.', '@' or '-'")
	}
	return p.Err()
}

// Create issues a new role token inside tx and returns it; only its hash
// is stored.
func (t *Tokens) Create(tx *ledger.Tx, role, name, createdBy string) (string, TokenRecord, error) {
	return t.Issue(tx, TokenRequest{Role: role, Name: name}, createdBy)
}

// CreateIn issues a new role token limited to scope inside tx. An empty
// scope (no circle at all) is refused: a token that sees nothing is a
// mistake.
func (t *Tokens) CreateIn(tx *ledger.Tx, role, name, createdBy string, scope Scope) (string, TokenRecord, error) {
	if !scope.All && len(scope.Circles) == 0 {
		return "", TokenRecord{}, ledger.FieldErr("circles", "a token sees at least one circle, or every circle")
	}
	req := TokenRequest{Role: role, Name: name}
	if !scope.All {
		req.Circles = slices.Clone(scope.Circles)
	}
	return t.Issue(tx, req, createdBy)
}

// Issue makes the token req asks for inside tx and returns it; only its
// hash is stored. A user's token needs the user enabled; its role is the
// user's first.
func (t *Tokens) Issue(tx *ledger.Tx, req TokenRequest, createdBy string) (string, TokenRecord, error) {
	if err := CheckTTL(req.TTL); err != nil {
		return "", TokenRecord{}, err
	}
	user := ""
	if req.User != "" {
		rec, ok, err := getUser(tx, req.User)
		if err != nil {
			return "", TokenRecord{}, err
		}
		if !ok {
			return "", TokenRecord{}, ledger.Errorf(ledger.ENotFound, "user %q not found", req.User)
		}
		if rec.Disabled != nil {
			return "", TokenRecord{}, ledger.Errorf(ledger.EConflict, "user %q is disabled", rec.Login)
		}
		user, req.Role = rec.Login, rec.Roles[0]
		req.Name = cmp.Or(req.Name, rec.Login)
	}
	if err := CheckRequest(req.Role, req.Name); err != nil {
		return "", TokenRecord{}, err
	}
	if user == "" {
		if err := checkRoleTokenName(tx, req.Name); err != nil {
			return "", TokenRecord{}, err
		}
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", TokenRecord{}, fmt.Errorf("make token: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	id, err := tx.NextSequence(ledger.AuthTokens)
	if err != nil {
		return "", TokenRecord{}, fmt.Errorf("token id: %w", err)
	}
	ttl := cmp.Or(req.TTL, t.TTL, DefaultTokenTTL)
	rec := TokenRecord{Version: 1, ID: id, Name: req.Name, Role: req.Role, User: user, Created: tx.Now, CreatedBy: createdBy,
		Expires: tx.Now.Add(ttl)}
	if user == "" {
		rec.Circles = slices.Clone(req.Circles)
	}

	rec.Hash = HashToken(token)
	if err := putToken(tx, rec); err != nil {
		return "", TokenRecord{}, err
	}
	return token, rec, nil
}

func putToken(tx *ledger.Tx, rec TokenRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode token: %w", err)
	}
	if err := tx.Put(ledger.AuthTokens, []byte(rec.Hash), data); err != nil {
		return fmt.Errorf("store token: %w", err)
	}
	return nil
}

// CreateToken issues a token in its own write (the CLI's `token create`).
func CreateToken(store *ledger.Store, role, name, createdBy string) (string, error) {
	t := &Tokens{store: store}
	var token string
	err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		var err error
		token, _, err = t.Create(tx, role, name, createdBy)
		return err
	})
	return token, err
}

// IssueToken makes a token in its own write (the CLI's `token create` and
// `user create`).
func IssueToken(store *ledger.Store, req TokenRequest, createdBy string) (string, TokenRecord, error) {
	t := &Tokens{store: store}
	var token string
	var rec TokenRecord
	err := store.Write(context.Background(), func(tx *ledger.Tx) error {
		var err error
		token, rec, err = t.Issue(tx, req, createdBy)
		return err
	})
	return token, rec, err
}

// Lookup finds the live token record for a presented token: not revoked,
// not expired, and, for a user's token, of a user enabled now.
func (t *Tokens) Lookup(token string) (TokenRecord, bool, error) {
	rec, _, ok, err := t.LookupUser(token)
	return rec, ok, err
}

// LookupUser is Lookup, with the token's user as stored now (the zero User
// for a role token): a token acts with its user's roles and scope of the
// moment, so a change or a disable applies to the very next request.
func (t *Tokens) LookupUser(token string) (TokenRecord, User, bool, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 128 {
		return TokenRecord{}, User{}, false, nil
	}
	want := HashToken(token)
	var rec TokenRecord
	var user User
	found := false
	err := t.store.View(func(tx *ledger.Tx) error {
		k, v := tx.Cursor(ledger.AuthTokens).Seek([]byte(want))
		// The bucket lookup finds the candidate; the constant-time compare
		// is the check.
		if k == nil || subtle.ConstantTimeCompare(k, []byte(want)) != 1 {
			return nil
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode token record: %w", err)
		}
		rec.Hash = want
		if rec.Revoked != nil || !rec.Expires.IsZero() && !tx.Now.Before(rec.Expires) {
			return nil
		}
		if rec.User == "" {
			found = true
			return nil
		}
		u, ok, err := getUser(tx, rec.User)
		if err != nil {
			return fmt.Errorf("user of token %d: %w", rec.ID, err)
		}
		user, found = u.User, ok && u.Disabled == nil
		return nil
	})
	if !found {
		return TokenRecord{}, User{}, false, err
	}
	return rec, user, true, err
}

// List returns the token records (never the tokens), by id.
func (t *Tokens) List(tx *ledger.Tx) ([]TokenRecord, error) {
	var out []TokenRecord
	err := tx.ForEach(ledger.AuthTokens, func(k, v []byte) error {
		var rec TokenRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode token record: %w", err)
		}
		rec.Hash = string(k)
		out = append(out, rec)
		return nil
	})
	slices.SortFunc(out, func(a, b TokenRecord) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// Page is up to limit token records with an id after after, by id; more says
// whether a later page holds any. Tokens are few and keyed by hash, so a
// page reads them all and keeps those after the cursor's id.
func (t *Tokens) Page(tx *ledger.Tx, after uint64, limit int) (recs []TokenRecord, more bool, err error) {
	recs, err = t.List(tx) // by id
	if err != nil {
		return nil, false, err
	}
	recs = recs[sort.Search(len(recs), func(i int) bool { return recs[i].ID > after }):]
	if more = len(recs) > limit; more {
		recs = recs[:limit]
	}
	return recs, more, nil
}

// Revoke marks token id revoked inside tx.
func (t *Tokens) Revoke(tx *ledger.Tx, id uint64) (TokenRecord, error) {
	recs, err := t.List(tx)
	if err != nil {
		return TokenRecord{}, err
	}
	for _, rec := range recs {
		if rec.ID != id {
			continue
		}
		if rec.Revoked == nil {
			now := tx.Now
			rec.Revoked = &now
			if err := putToken(tx, rec); err != nil {
				return TokenRecord{}, err
			}
		}
		return rec, nil
	}
	return TokenRecord{}, ledger.Errorf(ledger.ENotFound, "token %d not found", id)
}

// revokeUserTokens revokes every live token of login inside tx.
func revokeUserTokens(tx *ledger.Tx, login string) error {
	recs, err := (&Tokens{}).List(tx)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.Revoked == nil && strings.EqualFold(rec.User, login) {
			now := tx.Now
			rec.Revoked = &now
			if err := putToken(tx, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRoleTokenName refuses a role token named as a user's login (in any
// case, disabled users included): the books record a role token's writes
// as "role:name", a user's as "role:login", so such a token would pass for
// the person in every record it made, and in the two-person rule.
func checkRoleTokenName(tx *ledger.Tx, name string) error {
	if _, ok, err := getUser(tx, name); err != nil || !ok {
		return err
	}
	return ledger.FieldErr("name", "is the login of a user: a role token's name is recorded as who acted, so it may not pass for a person; issue a token of the user instead")
}

// roleTokenNamed reports whether some role token, revoked or not, is named
// login (in any case): the books may already record its writes as that
// name.
func roleTokenNamed(tx *ledger.Tx, login string) (bool, error) {
	recs, err := (&Tokens{}).List(tx)
	for _, rec := range recs {
		if rec.User == "" && strings.EqualFold(rec.Name, login) {
			return true, nil
		}
	}
	return false, err
}
