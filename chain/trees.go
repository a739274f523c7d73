package chain

import (
	"golang.org/x/mod/sumdb/tlog"

	"github.com/amanat-ledger/amanat/chain/log"
)

// The store's other trees (the audit log) are signed with the custody log's
// key under origins of their own (log.Log.SignTree).

// TreeOrigin is the origin line of the store's tree called name.
func (c *Custody) TreeOrigin(name string) string { return c.log.TreeOrigin(name) }

// SignTree signs a checkpoint of the store's tree called name.
func (c *Custody) SignTree(name string, size uint64, root tlog.Hash) ([]byte, error) {
	return c.log.SignTree(name, size, root)
}

// OpenTree verifies a checkpoint of the store's tree called name.
func (c *Custody) OpenTree(name string, msg []byte) (log.Checkpoint, error) {
	return c.log.OpenTree(name, msg)
}
