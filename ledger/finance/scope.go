package finance

import (
	"fmt"

	"github.com/amanat-ledger/amanat/ledger"
)

// LocationScope is an ItemDirectory that also says whether its caller may
// see a location (a location count names no one item). A directory
// without it lets every location be seen.
type LocationScope interface {
	SeesLocation(location string) bool
}

// Within is the finance desk as seen by a caller who sees only the items
// of items: a valuation counts only their holdings, a case's values only
// those items, the lists of conversions and counts only theirs, and a
// conversion or a count of any other item is refused as for an item that
// does not exist. Rates are not limited: they are the market's, the same
// for everyone.
func (s *Service) Within(items ItemDirectory) *Service {
	c := *s
	c.items, c.scoped = items, true
	return &c
}

// Items is the desk's item directory.
func (s *Service) Items() ItemDirectory { return s.items }

// visible is the ids of the items the caller sees, or nil when the desk is
// not limited.
func (s *Service) visible(tx *ledger.Tx) (map[string]bool, error) {
	if !s.scoped {
		return nil, nil
	}
	refs, err := s.items.Items(tx)
	if err != nil {
		return nil, fmt.Errorf("list items: %w", err)
	}
	out := make(map[string]bool, len(refs))
	for _, r := range refs {
		out[r.ID] = true
	}
	return out, nil
}

// seesLocation reports whether the caller sees a location count.
func (s *Service) seesLocation(loc string) bool {
	if !s.scoped {
		return true
	}
	ls, ok := s.items.(LocationScope)
	return !ok || ls.SeesLocation(loc)
}

// seesRecon reports whether the caller sees a count.
func (s *Service) seesRecon(r Reconciliation, visible map[string]bool) bool {
	if visible == nil {
		return true
	}
	if r.ItemID != "" {
		return visible[r.ItemID]
	}
	return s.seesLocation(r.Location)
}
