package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/chain/service"
	"github.com/amanat-ledger/amanat/ledger"
)

// checkMaxBytes bounds the bundle the check page reads; the server's body
// limit bounds the whole request before it.
const checkMaxBytes = 1 << 20

// checkTitles say in a clerk's words what each check of chain.CheckBundle
// proves.
var checkTitles = map[string]string{
	chain.CheckReadable:     "The file is one court bundle of this format, for one item",
	chain.CheckCheckpoint:   "The checkpoint is signed by the bundle's key, which is a key you trust, and names the bundle's tree",
	chain.CheckEntries:      "Every custody entry is in the signed tree, follows the one before it, and is an event the item's state allowed",
	chain.CheckTransactions: "Every ledger transaction is in the signed tree and is one the entries name, no more and no fewer",
	chain.CheckRecords:      "The item's own record and the court orders its entries name are in the signed tree and fit the entries",
}

// checkLine is one check as the page lists it.
type checkLine struct {
	Check  string
	Title  string
	Status string // pass, fail or not-reached
	Reason string
}

// bundleCheckDoc is the result of chain.CheckBundle on one bundle.
type bundleCheckDoc struct {
	Done    bool
	OK      bool
	Checks  []checkLine
	Summary string // the report's text when every check passed
	Trusted bool   // the signing key is one of those given
	Keys    string // the trusted keys as entered
}

// checkBundle runs the command line's custody check on data and lists its
// checks. It reads no store: the bundle and the keys are all it has.
func checkBundle(data []byte, trusted ...string) bundleCheckDoc {
	doc := bundleCheckDoc{Done: true, Keys: strings.Join(trusted, "\n")}
	rep, err := chain.CheckBundle(data, service.RecordKinds(), trusted...)
	failed := chain.FailedCheck(err)
	status := "pass"
	if err != nil && failed == "" {
		// A failure that names no check: which passed is unknown, so
		// none is said to have.
		status = "not-reached"
		doc.Checks = append(doc.Checks, checkLine{Check: "bundle", Title: "The bundle", Status: "fail", Reason: err.Error()})
	}
	for _, name := range chain.BundleChecks {
		line := checkLine{Check: name, Title: checkTitles[name], Status: status}
		if name == failed {
			line.Status, line.Reason = "fail", err.Error()
			status = "not-reached"
		}
		if line.Title == "" {
			line.Title = name
		}
		doc.Checks = append(doc.Checks, line)
	}
	doc.OK = err == nil
	if doc.OK {
		doc.Summary, doc.Trusted = rep.String(), rep.Trusted
	}
	return doc
}

// getCheck is GET /check: the form. It needs no account and reads nothing
// of the store; the server's own log key is offered as the trusted key.
func (s *Server) getCheck(c echo.Context) error {
	return s.render(c, http.StatusOK, "docs/check.html", bundleCheckDoc{Keys: s.custody.PublicKey()})
}

// postCheck is POST /check: a multipart form with the bundle as file
// "bundle" and the trusted keys, one a line, as "trusted".
func (s *Server) postCheck(c echo.Context) error {
	keys := strings.Fields(c.FormValue("trusted"))
	var probs ledger.Problems
	if _, err := chain.TrustedKeys(keys...); err != nil {
		probs.Add("trusted", err.Error())
	}
	data, err := uploaded(c, "bundle")
	if err != nil {
		probs.Add("bundle", err.Error())
	}
	if err := probs.Err(); err != nil {
		return s.renderProblem(c, "docs/check.html", bundleCheckDoc{Keys: strings.Join(keys, "\n")}, err)
	}
	return s.render(c, http.StatusOK, "docs/check.html", checkBundle(data, keys...))
}

// uploaded reads the file field of a multipart form, at most checkMaxBytes.
func uploaded(c echo.Context, field string) ([]byte, error) {
	fh, err := c.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, errors.New("choose the court bundle file (custody-item-N.json)")
	}
	if err != nil {
		return nil, fmt.Errorf("read the upload: %w", err)
	}
	if fh.Size > checkMaxBytes {
		return nil, errors.New("the file is larger than 1 MB; a court bundle is a few kilobytes per custody entry")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, checkMaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > checkMaxBytes {
		return nil, errors.New("the file is larger than 1 MB")
	}
	if len(data) == 0 {
		return nil, errors.New("the file is empty")
	}
	return data, nil
}
