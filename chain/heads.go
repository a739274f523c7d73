package chain

import (
	"context"
	"fmt"

	"github.com/amanat-ledger/amanat/chain/log"
	"github.com/amanat-ledger/amanat/ledger"
)

// buildHeads builds the head commitment of a store whose log was written
// before it (chain/log/heads.go), once, and signs a checkpoint that carries
// it; or brings a store's commitment to the layout of this version.
func (c *Custody) buildHeads() error {
	built := false
	if err := c.store.View(func(tx *ledger.Tx) error {
		built = log.HeadsCurrent(tx)
		return nil
	}); err != nil || built {
		return err
	}
	err := c.store.Write(context.Background(), func(tx *ledger.Tx) error {
		err := log.BuildHeads(tx, func(seq uint64) (uint64, error) { return entryItem(tx, seq) })
		if err != nil {
			return err
		}
		c.log.SignOnCommit(tx)
		return nil
	})
	if err != nil {
		return fmt.Errorf("build the head commitment: %w", err)
	}
	return nil
}

// entryItem is the item of custody entry seq.
func entryItem(tx *ledger.Tx, seq uint64) (uint64, error) {
	raw := tx.Get(ledger.ChainEntries, log.BE64(seq))
	if raw == nil {
		return 0, fmt.Errorf("custody entry %d is missing", seq)
	}
	e, err := DecodeEntry(raw)
	if err != nil {
		return 0, fmt.Errorf("custody entry %d: %w", seq, err)
	}
	return e.Item, nil
}
