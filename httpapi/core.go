package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/money"
)

type balanceJSON struct {
	Account  string  `json:"account"`
	Currency string  `json:"currency"`
	Amount   string  `json:"amount"`
	Postings *uint64 `json:"postings,omitempty"`
	AsOf     *string `json:"as_of,omitempty"`
}

// getBalances answers GET /v1/balances?account=&currency=&as_of=: current
// balances, or balances as of an instant. account matches that account and
// every account below it.
func (s *Server) getBalances(c echo.Context) error {
	if err := requireRole(c, access.Readers...); err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	var probs ledger.Problems
	f := ledger.BalanceFilter{Account: c.QueryParam("account"), Currency: c.QueryParam("currency"), After: page.Cursor, Limit: page.Limit}
	if f.Currency != "" {
		if _, err := money.Lookup(f.Currency); err != nil {
			probs.Add("currency", err.Error())
		}
	}
	asOf, ok, err := queryTime(c, "as_of")
	if err != nil {
		return err
	}
	if ok {
		f.AsOf = &asOf
	}
	if err := probs.Err(); err != nil {
		return err
	}
	var res ledger.BalancePage
	if err := s.store.View(func(tx *ledger.Tx) error {
		if reg := s.reg(c); reg.Scoped() {
			f.Sees = func(account string) (bool, error) { return reg.SeesAccount(tx, account) }
		}
		res, err = tx.Balances(f)
		return err
	}); err != nil {
		return fmt.Errorf("list balances: %w", err)
	}
	out := make([]balanceJSON, 0, len(res.Balances))
	for _, b := range res.Balances {
		j := balanceJSON{Account: b.Account, Currency: b.Amount.Currency().Code, Amount: b.Amount.String()}
		if f.AsOf != nil {
			at := f.AsOf.Format(time.RFC3339Nano)
			j.AsOf = &at
		} else {
			n := b.Postings
			j.Postings = &n
		}
		out = append(out, j)
	}
	page.Next(res.Next)
	return page.Write(c, out)
}

// getVerify runs every check on one consistent snapshot of the live store.
// A failed check is an answer (200 with ok=false), not a server error: the
// check worked, the books did not.
func (s *Server) getVerify(c echo.Context) error {
	if err := requireRole(c, access.RoleAuditor, access.RoleFinance, access.RoleAdmin); err != nil {
		return err
	}
	parts, ok := s.svc.RunChecks()
	if !actorOf(c).Scope.All {
		parts = service.Outline(parts)
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": ok, "checks": parts})
}

// getBackup answers a consistent copy of the live store. The snapshot is
// copied to an unlinked temporary file inside a short read transaction and
// streamed from there after the transaction ends: a read transaction held
// while writing to a slow client would pin bbolt's memory map, so the first
// write that grows the file, and every read queued behind it, would wait
// for that client.
func (s *Server) getBackup(c echo.Context) error {
	if err := requireRole(c, access.RoleAdmin); err != nil {
		return err
	}
	if err := requireAllCircles(c); err != nil {
		return err
	}
	// Beside the store: on its file system, which has room for a copy,
	// and in its directory, which is as private as the books themselves.
	f, err := os.CreateTemp(filepath.Dir(s.store.Path()), ".amanat-backup-*.db")
	if err != nil {
		return fmt.Errorf("backup: temporary file: %w", err)
	}
	// Unlinked at once where the system allows it, so no copy of the books
	// outlives this request, not even after a crash.
	removed := os.Remove(f.Name()) == nil
	defer func() {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
	}()
	var at time.Time
	var size int64
	if err := s.store.View(func(tx *ledger.Tx) error {
		at = tx.Now
		size, err = tx.WriteTo(f)
		return err
	}); err != nil {
		return fmt.Errorf("backup: snapshot: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("backup: rewind: %w", err)
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "application/octet-stream")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="amanat-backup-`+at.Format("20060102T150405Z")+`.db"`)
	res.Header().Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
	res.WriteHeader(http.StatusOK)
	if err := copyWithStallTimeout(res, f, StallTimeout); err != nil {
		// The status is sent; the short body tells the client.
		s.log.Error("backup stream", "error", err.Error())
	}
	return nil
}

// copyWithStallTimeout copies src to a response in chunks, giving each chunk
// its own write deadline: a backup may take as long as it needs while the
// client keeps reading, and a client that stops reading is dropped after
// stall instead of holding its connection (and a graceful shutdown) forever.
func copyWithStallTimeout(w http.ResponseWriter, src io.Reader, stall time.Duration) error {
	rc := http.NewResponseController(w)
	buf := make([]byte, 256<<10)
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			if err := rc.SetWriteDeadline(time.Now().Add(stall)); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return fmt.Errorf("set write deadline: %w", err)
			}
			if _, err := w.Write(buf[:n]); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("read snapshot: %w", rerr)
		}
	}
}

func (s *Server) routesTokens(g *echo.Group) {
	g.POST("/tokens", s.postToken)
	g.GET("/tokens", s.listTokens)
	g.POST("/tokens/:id/revoke", s.revokeToken)
}

type tokenJSON struct {
	ID        uint64  `json:"id"`
	Name      string  `json:"name"`
	Role      string  `json:"role"`
	Created   string  `json:"created"`
	CreatedBy string  `json:"created_by"`
	Revoked   *string `json:"revoked"`
	User      *string `json:"user"`    // null for a role token
	Expires   *string `json:"expires"` // null for a token that never expires
	Token     string  `json:"token,omitempty"`
}

func tokenOut(r access.TokenRecord) tokenJSON {
	j := tokenJSON{ID: r.ID, Name: r.Name, Role: r.Role, Created: r.Created.UTC().Format(time.RFC3339Nano), CreatedBy: r.CreatedBy}
	if r.Revoked != nil {
		s := r.Revoked.UTC().Format(time.RFC3339Nano)
		j.Revoked = &s
	}
	if r.User != "" {
		j.User = &r.User
	}
	if !r.Expires.IsZero() {
		e := stamp(r.Expires)
		j.Expires = &e
	}
	return j
}

// postToken issues a token (admin). The token is in this one answer only.
// With an Idempotency-Key the stored answer, which a retry gets back, is the
// token's record without the token: the idempotency bucket must never hold a
// secret, so a retry learns which token was issued (its id, to revoke it when
// the first answer was lost) but never the token itself.
func (s *Server) postToken(c echo.Context) error {
	if err := requireRole(c, access.RoleAdmin); err != nil {
		return err
	}
	if err := requireAllCircles(c); err != nil {
		return err
	}
	var req struct {
		Role string `json:"role"`
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// Refuse bad input before it joins a commit group.
	if err := access.CheckRequest(req.Role, req.Name); err != nil {
		return err
	}
	key, idem, err := idempotency(c)
	if err != nil {
		return err
	}
	actor := actorOf(c).String()
	var first tokenJSON // the answer with the token; set by the run that commits
	reply, replayed, err := s.store.WriteOnceRequest(c.Request().Context(), key, idem, func(tx *ledger.Tx) (ledger.Reply, error) {
		token, rec, err := s.tokens.Create(tx, req.Role, req.Name, actor)
		if err != nil {
			return ledger.Reply{}, err
		}
		stored := tokenOut(rec) // no token
		body, err := json.Marshal(stored)
		if err != nil {
			return ledger.Reply{}, fmt.Errorf("encode answer: %w", err)
		}
		first = stored
		first.Token = token
		return ledger.Reply{Code: http.StatusCreated, Body: body}, nil
	})
	if err != nil {
		return keyReused(c, err)
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
		return c.JSONBlob(reply.Code, reply.Body)
	}
	return c.JSON(reply.Code, first)
}

// listTokens answers GET /v1/tokens (admin): token records in id order,
// paged like every list.
func (s *Server) listTokens(c echo.Context) error {
	if err := requireRole(c, access.RoleAdmin); err != nil {
		return err
	}
	if err := requireAllCircles(c); err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	var out []tokenJSON
	err = s.store.View(func(tx *ledger.Tx) error {
		recs, more, err := s.tokens.Page(tx, after, page.Limit)
		if err != nil {
			return err
		}
		out = make([]tokenJSON, 0, len(recs))
		for _, r := range recs {
			out = append(out, tokenOut(r))
		}
		if more {
			page.NextAfter(recs[len(recs)-1].ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	return page.Write(c, out)
}

func (s *Server) revokeToken(c echo.Context) error {
	if err := requireRole(c, access.RoleAdmin); err != nil {
		return err
	}
	if err := requireAllCircles(c); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var out tokenJSON
	err = s.store.Write(c.Request().Context(), func(tx *ledger.Tx) error {
		rec, err := s.tokens.Revoke(tx, id)
		out = tokenOut(rec)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
