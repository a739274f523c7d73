package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/chain/evidence"
	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/finance"
	"github.com/amanat-ledger/amanat/ledger/money"
)

// routesEvidence registers cases, items, seizures and address validation.
func (s *Server) routesEvidence(g *echo.Group) {
	g.POST("/addresses/validate", s.postValidateAddress)
	g.POST("/cases", s.postCase)
	g.GET("/cases", s.listCases)
	g.GET("/cases/:id", s.getCase)
	g.POST("/seizures", s.postSeizure)
	g.GET("/items", s.listItems)
	g.GET("/items/:id", s.getItem)
}

// registryReader admits a reader role to the evidence register: every case
// and item GET starts here.
func (s *Server) registryReader(c echo.Context) (*evidence.Registry, error) {
	if err := requireRole(c, access.Readers...); err != nil {
		return nil, err
	}
	return s.reg(c), nil
}

// reg is the register as the caller sees it: limited to the circles of
// its scope (evidence.Registry.In). Every handler reads and writes cases,
// items, custody, orders and approvals through it.
func (s *Server) reg(c echo.Context) *evidence.Registry {
	return s.evidence.In(actorOf(c).Scope)
}

// fin is finance as the caller sees it (evidence.Registry.FinanceDesk); of
// a caller of every circle, the whole desk.
func (s *Server) fin(c echo.Context) *finance.Service {
	if actorOf(c).Scope.All {
		return s.finance
	}
	return s.reg(c).FinanceDesk()
}

type holdingJSON struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

func holdingsJSON(amts []money.Amount) []holdingJSON {
	out := make([]holdingJSON, 0, len(amts))
	for _, a := range amts {
		out = append(out, holdingJSON{Currency: a.Currency().Code, Amount: a.String()})
	}
	return out
}

// valueJSON is a PKR valuation of holdings; null in an answer when the
// register has no valuation wired in.
type valueJSON struct {
	PKR               *string  `json:"pkr"`
	MissingRate       bool     `json:"missing_rate"`
	MissingCurrencies []string `json:"missing_currencies,omitempty"`
	AsOf              string   `json:"as_of"`
}

func (s *Server) valueOf(tx *ledger.Tx, holdings []money.Amount) (*valueJSON, error) {
	if s.evidence.Value == nil {
		return nil, nil
	}
	v, err := s.evidence.Value(tx, holdings, tx.Now)
	if err != nil {
		return nil, fmt.Errorf("value holdings: %w", err)
	}
	out := &valueJSON{MissingRate: v.MissingRate, MissingCurrencies: v.Missing, AsOf: tx.Now.Format(time.RFC3339)}
	if v.PKR != nil && !v.MissingRate {
		p := v.PKR.String()
		out.PKR = &p
	}
	return out, nil
}

type locationJSON struct {
	Circle   string `json:"circle"`
	Building string `json:"building,omitempty"`
	Room     string `json:"room,omitempty"`
	Wallet   string `json:"wallet,omitempty"`
	Network  string `json:"network,omitempty"`
	TxID     string `json:"txid,omitempty"`
}

type sealJSON struct {
	Number string `json:"number"`
	State  string `json:"state"`
}

// itemJSON is an item as the API answers it: what was seized, and where it
// stands now according to the custody log and the ledger.
type itemJSON struct {
	evidence.Item
	Holder         string        `json:"holder"`
	Location       locationJSON  `json:"location"`
	SealState      string        `json:"seal_state"`
	CurrentSeal    sealJSON      `json:"current_seal"`
	Status         string        `json:"status"`
	CustodyEntries uint64        `json:"custody_entries"`
	LastCustodyAt  *string       `json:"last_custody_at"`
	Balances       []holdingJSON `json:"balances"`
	Value          *valueJSON    `json:"value"`
	CourtOrders    []uint64      `json:"court_orders"`
}

func (s *Server) itemJSON(tx *ledger.Tx, v evidence.ItemView) (itemJSON, error) {
	st := v.Custody
	j := itemJSON{
		Item:           v.Item,
		Holder:         st.Holder,
		Location:       locationJSON(st.Location),
		SealState:      st.Seal.State,
		CurrentSeal:    sealJSON(st.Seal),
		Status:         st.Status,
		CustodyEntries: st.Entries,
		Balances:       holdingsJSON(v.Balances),
		CourtOrders:    append([]uint64{}, v.CourtOrders...),
	}
	if !st.LastAt.IsZero() {
		at := st.LastAt.UTC().Format(time.RFC3339Nano)
		j.LastCustodyAt = &at
	}
	var err error
	j.Value, err = s.valueOf(tx, v.Balances)
	return j, err
}

// getItem answers GET /v1/items/{id}.
func (s *Server) getItem(c echo.Context) error {
	reg, err := s.registryReader(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var out itemJSON
	if err := s.store.View(func(tx *ledger.Tx) error {
		v, err := reg.View(tx, id)
		if err != nil {
			return err
		}
		out, err = s.itemJSON(tx, v)
		return err
	}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// listItems answers GET /v1/items?case_id=&kind=&holder=&location=&status=
// &circle=&currency=&seized_from=&seized_after=&seized_before=, in item id
// order.
func (s *Server) listItems(c echo.Context) error {
	reg, err := s.registryReader(c)
	if err != nil {
		return err
	}
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f := evidence.ItemFilter{Kind: c.QueryParam("kind"), Holder: c.QueryParam("holder"), Location: c.QueryParam("location"), Limit: page.Limit}
	var probs ledger.Problems
	if v := c.QueryParam("case_id"); v != "" {
		if f.CaseID, err = strconv.ParseUint(v, 10, 64); err != nil || f.CaseID == 0 {
			probs.Add("case_id", "must be a case id (a positive whole number)")
		}
	}
	if f.Kind != "" && f.Kind != evidence.KindCash && f.Kind != evidence.KindWallet {
		probs.Add("kind", "must be cash or wallet")
	}
	q := evidence.ItemQuery{Status: c.QueryParam("status"), Circle: c.QueryParam("circle"), Currency: c.QueryParam("currency"),
		SeizedFrom: c.QueryParam("seized_from"), SeizedAfter: c.QueryParam("seized_after"), SeizedBefore: c.QueryParam("seized_before")}
	evidence.CheckItemQuery(q, &f, &probs)
	var ok bool
	if f.After, ok = page.After(); !ok {
		probs.Add("cursor", cursorForeign)
	}
	if err := probs.Err(); err != nil {
		return err
	}
	var out []itemJSON
	if err := s.store.View(func(tx *ledger.Tx) error {
		views, next, err := reg.Items(tx, f)
		if err != nil {
			return err
		}
		page.NextAfter(next)
		out = make([]itemJSON, 0, len(views))
		for _, v := range views {
			j, err := s.itemJSON(tx, v)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	}); err != nil {
		return err
	}
	return page.Write(c, out)
}
