package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/text"
)

// Scope is which circles a caller may see and act in: every circle (an HQ
// user, or a token from before scopes), or the circles listed. The zero
// Scope is empty (no circle at all); AllCircles is the scope of HQ.
type Scope struct {
	All     bool     `json:"all,omitempty"`
	Circles []string `json:"circles,omitempty"`
}

// AllCircles is the scope of a user who sees every circle.
var AllCircles = Scope{All: true}

// CirclesScope is the scope of the circles named, sorted and without
// repeats; no circle at all means every circle, as `amanat user create`
// without --circle does.
func CirclesScope(circles ...string) (Scope, error) {
	if len(circles) == 0 {
		return AllCircles, nil
	}
	out := slices.Clone(circles)
	for _, c := range out {
		if !text.ValidCircle(c) {
			return Scope{}, fmt.Errorf("circle %q %s", c, text.CircleRule)
		}
	}
	slices.Sort(out)
	return Scope{Circles: slices.Compact(out)}, nil
}

// Allows reports whether the scope covers circle.
func (s Scope) Allows(circle string) bool {
	return s.All || slices.Contains(s.Circles, circle)
}

// String is "all" or the circles joined by commas.
func (s Scope) String() string {
	if s.All {
		return "all"
	}
	return strings.Join(s.Circles, ",")
}

// EveryCircle reports whether the scope is every circle's (HQ): the
// register then reads nothing to decide what the caller sees.
func (s Scope) EveryCircle() bool { return s.All }

// HeldCircles are the circles some caller holds as stored in tx: those
// named by the scope of an enabled user or of a role token neither revoked
// nor expired, sorted, without repeats. A circle of no case and none of
// these has nobody to see an item placed in it but HQ; the register refuses
// to place one there (evidence.Registry.HeldCircles, wired to this).
func HeldCircles(tx *ledger.Tx) ([]string, error) {
	var out []string
	users, err := (&Users{}).List(tx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Disabled == nil && !u.Scope.All {
			out = append(out, u.Scope.Circles...)
		}
	}
	tokens, err := (&Tokens{}).List(tx)
	if err != nil {
		return nil, err
	}
	for _, t := range tokens {
		live := t.Revoked == nil && (t.Expires.IsZero() || tx.Now.Before(t.Expires))
		if live && t.User == "" {
			out = append(out, t.Circles...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
