package service

import (
	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/audit"
	"github.com/amanat-ledger/amanat/ledger"
)

// CustodyChecker recomputes the whole custody log (chain.Custody.Verify) as
// one part of the store's self-check, after the books' own.
func CustodyChecker(cl *chain.Custody) ledger.Checker {
	return ledger.Checker{Name: "custody", Run: func(tx *ledger.Tx) (any, error) { return cl.Verify(tx) }}
}

// AuditChecker recomputes the audit log's tree and checks its signed
// checkpoint (audit.Log.Verify), after the custody log.
func AuditChecker(a *audit.Log) ledger.Checker {
	return ledger.Checker{Name: "audit", Run: func(tx *ledger.Tx) (any, error) { return a.Verify(tx) }}
}

// RunChecks runs the service's checks in order on one consistent snapshot,
// stopping at the first failure. A failed check is a result, not an error:
// the check worked, the books did not.
func (s *Service) RunChecks() ([]ledger.CheckResult, bool) {
	rep := s.Store.Check(s.Checks...)
	return rep.Checks, rep.OK
}

// Outline is what a caller limited to some circles gets of checks: every
// check's name and outcome, without the summaries and errors, which count
// and name the records of every circle.
func Outline(checks []ledger.CheckResult) []ledger.CheckResult {
	out := make([]ledger.CheckResult, len(checks))
	for i, c := range checks {
		out[i] = ledger.CheckResult{Name: c.Name, OK: c.OK}
		if c.Error != "" {
			out[i].Error = "the check failed; a caller of every circle sees why"
		}
	}
	return out
}
