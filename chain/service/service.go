package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/alerts"
	"github.com/amanat-ledger/amanat/chain/audit"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/chain/witness"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
)

// Options says how to open a store.
type Options struct {
	// Key is the custody log's signing key file. Default: the store file
	// plus ".key".
	Key string
	// ReadOnly opens the store for reading only (verify, export, proofs):
	// nothing is created, not even a key, and there is no register and no
	// token store (Evidence and Tokens are nil).
	ReadOnly bool
	// Store are the store's own options (clock, sync, batch size); its
	// ReadOnly is set from ReadOnly.
	Store ledger.Options
	// Custody are the custody log's options (its witness file).
	Custody chain.Options
	// Limits are the deadlines alerts hold items and rates to, and the age
	// past which a valuation calls a rate stale; zero fields take their
	// defaults (alerts.Limits.WithDefaults).
	Limits alerts.Limits
	// ApprovalTTL is how long a proposal of the two-person rule waits for
	// a supervisor; zero means evidence.DefaultApprovalTTL (72 hours).
	ApprovalTTL time.Duration
	// Users are the user accounts' options: password costs, session
	// limits, the failed-login limits.
	Users access.UsersOptions
}

// Service is every part of one open store, wired together.
type Service struct {
	Store    *ledger.Store
	Custody  *chain.Custody
	Evidence *evidence.Registry // nil when read-only
	Finance  *finance.Service
	Tokens   *access.Tokens  // nil when read-only
	Users    *access.Users   // nil when read-only
	Alerts   *alerts.Service // nil when read-only
	// Audit is the log of the API's reads and writes, signed with the
	// custody log's key.
	Audit *audit.Log
	// KeyPath is the custody log's signing key file.
	KeyPath string
	// Witnesses send the log's checkpoints to witnesses in other circles
	// (StartWitnesses); nil without.
	Witnesses *witness.Client
	// Checks are what verification runs, in order: the ledger's
	// invariants, then the whole custody log, then the audit log.
	Checks []ledger.Checker
}

// Open opens the store at path (creating it when missing, unless
// read-only) and wires its services. The custody log is opened first: it
// must see every ledger write, being the ledger's notary.
func Open(path string, opt Options) (*Service, error) {
	so := opt.Store
	so.ReadOnly = opt.ReadOnly
	store, err := ledger.Open(path, so)
	if err != nil {
		return nil, err
	}
	key := opt.Key
	if key == "" {
		key = path + ".key"
	}
	s, err := wire(store, key, opt)
	if err != nil {
		store.Close()
		return nil, err
	}
	return s, nil
}

// RecordKinds are the records of other packages that the custody log
// covers: the register's cases and items, the proposals and decisions of
// the two-person rule, and finance's rates. The log is
// opened with them; nothing registers itself.
func RecordKinds() []ledger.RecordKind {
	kinds := append(evidence.RecordKinds(), evidence.ApprovalRecordKinds()...)
	return append(kinds, finance.RateRecordKind)
}

// wire builds the services on an open store.
func wire(store *ledger.Store, key string, opt Options) (*Service, error) {
	s := &Service{Store: store, KeyPath: key}
	var err error
	if opt.ReadOnly {
		s.Custody, err = chain.Open(store, key, RecordKinds())
	} else {
		s.Custody, err = chain.NewWithOptions(store, key, RecordKinds(), opt.Custody)
	}
	if err != nil {
		return nil, fmt.Errorf("open custody log: %w", err)
	}
	s.Audit = audit.New(store, s.Custody, auditOptions(key, opt))
	s.Checks = []ledger.Checker{ledger.BooksChecker, CustodyChecker(s.Custody), AuditChecker(s.Audit)}
	limits := opt.Limits.WithDefaults()
	if opt.ReadOnly {
		s.Finance = finance.New(finance.Config{Custody: evidence.FinanceCustody(s.Custody, nil), StaleRateDays: limits.StaleRateDays})
		return s, nil
	}
	if s.Evidence, err = evidence.New(context.Background(), store, s.Custody); err != nil {
		return nil, err
	}
	s.Finance = finance.New(finance.Config{Items: evidence.FinanceItems(s.Evidence, s.Custody), Custody: evidence.FinanceCustody(s.Custody, s.Evidence),
		Records: s.Custody, StaleRateDays: limits.StaleRateDays})
	s.Alerts = alerts.New(limits, s.Evidence, s.Custody, s.Finance)
	s.Evidence.Value = evidence.FinanceValue(s.Finance)
	s.Evidence.ApprovalTTL, s.Evidence.Finance = opt.ApprovalTTL, s.Finance
	s.Evidence.HeldCircles = access.HeldCircles
	if s.Tokens, err = access.NewTokens(store); err != nil {
		return nil, err
	}
	if s.Users, err = access.NewUsers(store, opt.Users); err != nil {
		return nil, err
	}
	return s, nil
}

// auditOptions keeps the audit tree's witness beside the custody log's,
// and none when the custody log keeps none.
func auditOptions(key string, opt Options) audit.Options {
	ao := audit.Options{WitnessEvery: opt.Custody.WitnessEvery, ReadOnly: opt.ReadOnly}
	switch w := opt.Custody.WitnessPath; w {
	case "-":
	case "":
		ao.WitnessPath = audit.WitnessPath(chain.WitnessPath(key))
	default:
		ao.WitnessPath = audit.WitnessPath(w)
	}
	return ao
}

// Close signs a last checkpoint (custody), keeps the audit log's latest in
// its witness file, then closes the store.
func (s *Service) Close() error {
	var errs []error
	if err := s.Audit.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close audit log: %w", err))
	}
	if s.Witnesses != nil {
		s.Witnesses.Stop()
	}
	if err := s.Custody.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close custody log: %w", err))
	}
	if err := s.Store.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
