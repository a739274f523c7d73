package ledger

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// LatestPostingAt is the effective time of the latest transaction that
// posted to account (exactly that account, in any currency); ok is false
// when none ever did. A write that moves an account's current balance must
// not be dated before it: the balance it moves is not the balance the
// account held at that earlier instant, and the books would then show the
// account negative in between.
func (tx *Tx) LatestPostingAt(account string) (at time.Time, ok bool, err error) {
	bal := tx.Cursor(LedgerBalances)
	hist := tx.Cursor(LedgerHistory)
	head := append([]byte(account), 0)
	var best uint64
	for k, _ := bal.Seek(head); k != nil && bytes.HasPrefix(k, head); k, _ = bal.Next() {
		// One history group per currency: its last key holds the latest
		// effective time (keys sort by big-endian nanoseconds).
		prefix := append(bytes.Clone(k), 0)
		end := append(bytes.Clone(prefix), bytes.Repeat([]byte{0xff}, 16)...)
		hk, _ := hist.Seek(end)
		if hk == nil {
			hk, _ = hist.Last()
		} else if !bytes.Equal(hk, end) {
			hk, _ = hist.Prev()
		}
		if hk == nil || !bytes.HasPrefix(hk, prefix) {
			continue
		}
		if len(hk) != len(prefix)+16 {
			return time.Time{}, false, fmt.Errorf("malformed history key %x", hk)
		}
		if n := binary.BigEndian.Uint64(hk[len(prefix):]); !ok || n > best {
			best, ok = n, true
		}
	}
	if !ok {
		return time.Time{}, false, nil
	}
	return time.Unix(0, int64(best)).UTC(), true, nil
}
