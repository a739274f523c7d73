package access

import (
	"fmt"
	"slices"
	"strings"

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
