package ledger

// The store's self-check is a list of checkers, each proving one part of the
// store from its own records (the ledger's invariants here, the custody log in
// package chain), run in order on one read transaction so that every part sees
// the same snapshot. The runner lives with the books so that the command line
// and the HTTP service report a check the same way.

// Checker is one part of the store's self-check. Run returns a summary of
// what it proved, or the first record that breaks a rule.
type Checker struct {
	Name string
	Run  func(tx *Tx) (summary any, err error)
}

// BooksChecker proves the ledger's invariants (VerifyTx).
var BooksChecker = Checker{Name: "ledger", Run: func(tx *Tx) (any, error) { return VerifyTx(tx) }}

// CheckResult is what one checker found.
type CheckResult struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Summary any    `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
}

// CheckReport is the outcome of a self-check: OK when every checker passed.
// Checks is first so that the JSON reads as it always has ("checks", "ok").
type CheckReport struct {
	Checks []CheckResult `json:"checks"`
	OK     bool          `json:"ok"`
}

// RunChecks runs checkers in order inside tx, stopping at the first failure:
// a later part proven against a broken earlier one would prove nothing.
func RunChecks(tx *Tx, checkers ...Checker) CheckReport {
	rep := CheckReport{OK: true}
	for _, ch := range checkers {
		sum, err := ch.Run(tx)
		res := CheckResult{Name: ch.Name, OK: err == nil, Summary: sum}
		if err != nil {
			res.Error, rep.OK = err.Error(), false
			rep.Checks = append(rep.Checks, res)
			return rep
		}
		rep.Checks = append(rep.Checks, res)
	}
	return rep
}

// Check runs checkers on one snapshot of the store; a store that cannot be
// read is reported as a failed part named "store".
func (s *Store) Check(checkers ...Checker) CheckReport {
	var rep CheckReport
	err := s.View(func(tx *Tx) error {
		rep = RunChecks(tx, checkers...)
		return nil
	})
	if err != nil {
		rep.Checks = append(rep.Checks, CheckResult{Name: "store", Error: err.Error()})
		rep.OK = false
	}
	return rep
}
