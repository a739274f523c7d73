package httpapi

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"reflect"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// Every list pages the same way: limit and cursor in, next_cursor out, in
// the answer {"data": [...], "next_cursor": ...}. A cursor is opaque to
// clients: base64url of what the list resumes after, which for lists in id
// or sequence order is 8 bytes big-endian (the last id of the page), and
// for balances and rates is the domain's own resume key.

// Page is one list request's paging: what it asks for and, once the list is
// read, where the next page starts.
type Page struct {
	Limit  int
	Cursor []byte // nil for the first page
	next   []byte // nil on the last page
}

// Reasons a cursor is refused.
const (
	cursorUnknown = "is not a cursor this server gave out"
	// Cases and items have always answered a cursor of another list so;
	// kept so that their answers do not change.
	cursorForeign = "is not a cursor this list gave out"
)

// pageParams reads limit (default 100, at most 1000) and cursor.
func pageParams(c echo.Context) (*Page, error) {
	p := &Page{Limit: 100}
	var probs ledger.Problems
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			probs.Add("limit", "must be a whole number from 1 to 1000")
		} else {
			p.Limit = n
		}
	}
	if cur := c.QueryParam("cursor"); cur != "" {
		b, err := base64.RawURLEncoding.DecodeString(cur)
		if err != nil || len(b) == 0 {
			probs.Add("cursor", cursorUnknown)
		} else {
			p.Cursor = b
		}
	}
	return p, probs.Err()
}

// readerPage admits a reader role to a list and reads its paging.
func readerPage(c echo.Context) (*Page, error) {
	if err := requireRole(c, access.Readers...); err != nil {
		return nil, err
	}
	return pageParams(c)
}

// After is the id (or sequence number) the page resumes after: 0 on the
// first page; ok is false for a cursor that holds no id.
func (p *Page) After() (after uint64, ok bool) {
	if p.Cursor == nil {
		return 0, true
	}
	if len(p.Cursor) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(p.Cursor), true
}

// AfterID is After, refusing a cursor that holds no id.
func (p *Page) AfterID() (uint64, error) {
	after, ok := p.After()
	if !ok {
		return 0, ledger.FieldErr("cursor", cursorUnknown)
	}
	return after, nil
}

// Next sets the next page's cursor; nil means this is the last page.
func (p *Page) Next(cursor []byte) { p.next = cursor }

// NextAfter sets the next page to resume after id last; 0 means this is
// the last page.
func (p *Page) NextAfter(last uint64) {
	p.next = nil
	if last != 0 {
		p.next = binary.BigEndian.AppendUint64(nil, last)
	}
}

// listBody is the shape of every list answer.
type listBody struct {
	Data       any     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// Write answers data as this page.
func (p *Page) Write(c echo.Context, data any) error {
	if v := reflect.ValueOf(data); v.Kind() == reflect.Slice && v.IsNil() {
		data = []any{}
	}
	body := listBody{Data: data}
	if p.next != nil {
		s := base64.RawURLEncoding.EncodeToString(p.next)
		body.NextCursor = &s
	}
	return c.JSON(http.StatusOK, body)
}
