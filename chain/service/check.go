package service

import (
	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// Checker is one part of the store's self-check (the ledger invariants, the
// custody log).
type Checker struct {
	Name string
	Run  func(tx *ledger.Tx) (summary any, err error)
}

// LedgerChecker runs the ledger's invariant checker.
var LedgerChecker = Checker{Name: "ledger", Run: func(tx *ledger.Tx) (any, error) { return ledger.VerifyTx(tx) }}

// CustodyChecker recomputes the whole custody log (chain.Custody.Verify).
func CustodyChecker(cl *chain.Custody) Checker {
	return Checker{Name: "custody", Run: func(tx *ledger.Tx) (any, error) { return cl.Verify(tx) }}
}

// CheckResult is what one checker found; GET /v1/verify answers these and
// amanat verify prints them.
type CheckResult struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Summary any    `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
}

// RunChecks runs the service's checks in order on one consistent snapshot,
// stopping at the first failure. A failed check is a result, not an error:
// the check worked, the books did not.
func (s *Service) RunChecks() ([]CheckResult, bool) { return RunChecks(s.Store, s.Checks) }

// RunChecks runs checkers in order on one read transaction of store,
// stopping at the first failure.
func RunChecks(store *ledger.Store, checkers []Checker) ([]CheckResult, bool) {
	var parts []CheckResult
	ok := true
	err := store.View(func(tx *ledger.Tx) error {
		for _, ch := range checkers {
			sum, err := ch.Run(tx)
			p := CheckResult{Name: ch.Name, OK: err == nil, Summary: sum}
			if err != nil {
				p.Error, ok = err.Error(), false
				parts = append(parts, p)
				return nil
			}
			parts = append(parts, p)
		}
		return nil
	})
	if err != nil {
		parts = append(parts, CheckResult{Name: "store", Error: err.Error()})
		ok = false
	}
	return parts, ok
}
