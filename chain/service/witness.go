package service

import (
	"context"
	"errors"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/witness"
)

// StartWitnesses has the store send its checkpoints to the witnesses of
// other circles (witness.Client), adds their status to the checks and
// their alerts to the alerts, and makes Checkpoint and ExportItem carry
// their cosignatures. Call it once, before serving; Close stops it.
func (s *Service) StartWitnesses(remotes []witness.Remote, opt witness.Options) error {
	if s.Evidence == nil || s.Alerts == nil {
		return errors.New("witnesses are for a store opened for writing")
	}
	if s.Witnesses != nil {
		return errors.New("the witnesses are started already")
	}
	c, err := witness.NewClient(s.Store, s.Custody, remotes, opt)
	if err != nil {
		return err
	}
	s.Witnesses = c
	s.Checks = append(s.Checks, c.Checker())
	s.Alerts.AddSource(c.Alerts())
	c.Start()
	return nil
}

// Checkpoint is the custody log's newest signed checkpoint, with the
// cosignatures witnesses gave it when there are witnesses.
func (s *Service) Checkpoint(ctx context.Context) (chain.Checkpoint, error) {
	if s.Witnesses != nil {
		return s.Witnesses.Checkpoint(ctx)
	}
	return s.Custody.Checkpoint(ctx)
}

// ExportItem is an item's court bundle: against the newest checkpoint
// witnesses cosigned that covers the item, with their cosignatures (with
// witnesses running, waiting briefly for one: witness.Client.ExportItem;
// without, from the cosignatures the store holds: witness.ExportStored),
// else against the newest checkpoint.
func (s *Service) ExportItem(ctx context.Context, item uint64) ([]byte, error) {
	if s.Witnesses != nil {
		return s.Witnesses.ExportItem(ctx, item)
	}
	return witness.ExportStored(ctx, s.Store, s.Custody, item)
}
