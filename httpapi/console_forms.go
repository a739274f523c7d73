package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/ledger"
)

// routesConsoleForms registers the console's entry forms and its finance and
// admin pages on g, the console's group (a live session, a CSRF token on
// every POST). Each page calls the domain method its API operation calls,
// with the same actor: the forms hold no rule of their own.
func (s *Server) routesConsoleForms(g *echo.Group) {
	g.GET("/seizures/new", s.consoleSeizureForm)
	g.POST("/seizures/new", s.consoleSeizureSubmit)
	g.POST("/validate-address", s.consoleValidateAddress)
	g.GET("/rates", s.consoleRates)
	g.POST("/rates", s.consoleRateSubmit)
	g.GET("/valuation", s.consoleValuation)
	g.GET("/reconciliations", s.consoleReconciliations)
	g.POST("/reconciliations", s.consoleReconciliationSubmit)
	g.GET("/verify", s.consoleVerify)
	g.GET("/audit", s.consoleAudit)
	s.routesConsoleUsers(g)
}

// formErrors is a domain refusal as the forms show it: each reason under the
// input its field names. Fields that no input has (a whole item, the list of
// witnesses) are placed on the nearest enclosing name the form knows
// (placeErrors); what is left is shown above the form.
type formErrors map[string][]string

// fieldProblems splits err into the reasons of named fields and, for a
// refusal that names none (a conflict, a 404, a role refused), its message.
// An error that is not a domain refusal is returned as is: the page then
// fails as an API call would.
func fieldProblems(err error) (formErrors, string, error) {
	var de *ledger.Error
	if !errors.As(err, &de) || ledger.ErrorCode(err) == ledger.EInternal || ledger.ErrorCode(err) == ledger.EUnavailable {
		return nil, "", err
	}
	fe := formErrors{}
	for _, f := range de.Fields {
		fe[f.Field] = append(fe[f.Field], consoleAdvice.Replace(f.Reason))
	}
	msg := ""
	if len(de.Fields) == 0 {
		msg = consoleAdvice.Replace(de.Error())
	}
	return fe, msg, nil
}

// consoleAdvice says where, in the console, to do what the domain advises.
var consoleAdvice = strings.NewReplacer(
	"create it with POST /v1/cases first", "pick a case from the list or create a new one with this form",
)

// withPrefix is fe with each field put under prefix ("case." + "fir").
func (fe formErrors) withPrefix(prefix string) formErrors {
	out := formErrors{}
	for k, v := range fe {
		out[prefix+k] = v
	}
	return out
}

func (fe formErrors) merge(other formErrors) formErrors {
	if fe == nil {
		fe = formErrors{}
	}
	for k, v := range other {
		fe[k] = append(fe[k], v...)
	}
	return fe
}

// parentRE strips the last step of a field path: "items[1].address" →
// "items[1]", "items[1]" → "items".
var parentRE = regexp.MustCompile(`(\[\d+\]|\.[a-z_]+)$`)

// placeErrors moves each reason whose field no input of the form bears to
// the nearest enclosing name that one does, and returns the reasons with no
// such place at all (shown above the form). known says which names the
// form has.
func (fe formErrors) placeErrors(known func(string) bool) []string {
	var top []string
	for _, field := range sortedKeys(fe) {
		if known(field) {
			continue
		}
		reasons := fe[field]
		delete(fe, field)
		to := field
		for to != "" && !known(to) {
			parent := parentRE.ReplaceAllString(to, "")
			if parent == to {
				parent = ""
			}
			to = parent
		}
		for _, r := range reasons {
			if to == "" {
				top = append(top, field+": "+r)
				continue
			}
			fe[to] = append(fe[to], field+": "+r)
		}
	}
	return top
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// newFormKey is a fresh key for one filling-in of a form. The form sends it
// back with its submit, and the write is made once per key: a second submit
// of the same page (a double click, a reload) answers what the first did.
func newFormKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("read random: %v", err)) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}

// formKeyRE is the form of a key newFormKey makes; anything else is
// refused rather than stored.
var formKeyRE = regexp.MustCompile(`^[0-9a-f]{32}$`)
