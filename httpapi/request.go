package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/amanat-ledger/amanat/ledger"
	"github.com/amanat-ledger/amanat/ledger/text"
)

const rawBodyKey = "amanat.rawbody"

// decodeJSON reads the request body into v strictly: one JSON value, no
// unknown fields (a typo must not silently drop data), no trailing bytes.
// Unreadable JSON is EMalformed (400); JSON of the wrong shape names the field
// and is EInvalid (422).
func decodeJSON(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he // body limit: 413
		}
		return ledger.Errorf(ledger.EMalformed, "read body: %v", err)
	}
	c.Set(rawBodyKey, body)
	if len(bytes.TrimSpace(body)) == 0 {
		return ledger.Errorf(ledger.EMalformed, "the request body is empty; send a JSON object")
	}
	// encoding/json turns bytes that are not UTF-8 into U+FFFD without a
	// word, so a check after decoding could never tell "ff fe" from two
	// replacement characters the client meant. Judge the raw bytes first.
	if !utf8.Valid(body) {
		return invalidUTF8(body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return withFieldPath(jsonError(err), body, reflect.TypeOf(v))
	}
	if _, err := dec.Token(); err != io.EOF {
		return ledger.Errorf(ledger.EMalformed, "the body holds more than one JSON value")
	}
	// encoding/json takes a key in any case ("PURPOSE" fills purpose) and
	// lets the last of two equal keys win, so a second copy of a field
	// could carry a value past anyone who reads the body. One spelling,
	// once.
	if path, reason := keyProblem(body, reflect.TypeOf(v)); path != "" {
		return &ledger.Error{Code: ledger.EInvalid, Msg: "invalid input", Fields: []ledger.FieldError{{Field: path, Reason: reason}}}
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return ledger.Errorf(ledger.EMalformed, "malformed JSON at byte %d: %v", syn.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ledger.Errorf(ledger.EMalformed, "malformed JSON: the body ends too early")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		reason := fmt.Sprintf("must be %s, not a JSON %s", jsonKind(typ.Type), typ.Value)
		if typ.Value == "number" && typ.Type.Kind() == reflect.String {
			reason += " (amounts and rates travel as strings, e.g. \"1500.00\"; ids are numbers)"
		}
		return &ledger.Error{Code: ledger.EInvalid, Msg: "invalid input", Fields: []ledger.FieldError{{Field: field, Reason: reason}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &ledger.Error{Code: ledger.EInvalid, Msg: "invalid input", Fields: []ledger.FieldError{{Field: name, Reason: "unknown field"}}}
	}
	return ledger.Errorf(ledger.EMalformed, "malformed JSON: %v", err)
}

// withFieldPath names an unknown field by its full path in the body
// ("items[1].location.city"), where encoding/json gives only its name.
func withFieldPath(err error, body []byte, t reflect.Type) error {
	var e *ledger.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Reason != "unknown field" {
		return err
	}
	if path, _ := keyProblem(body, t); path != "" {
		e.Fields[0].Field = path
	}
	return err
}

// invalidUTF8 names the field whose string holds bytes that are not UTF-8
// ("fir", "items[1].description"), by walking the raw body's tokens and
// checking the bytes each one was read from. A key with bad bytes is named
// by its path as decoded; bad bytes outside any string leave the JSON
// unreadable, which is a 400.
func invalidUTF8(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var prev int64
	// next reads one token and says whether the bytes it came from (with
	// the separators before it) are valid UTF-8.
	next := func() (json.Token, bool, error) {
		tok, err := dec.Token()
		if err != nil {
			return nil, true, err
		}
		off := dec.InputOffset()
		ok := utf8.Valid(body[prev:off])
		prev = off
		return tok, ok, nil
	}
	var walk func(path string) (string, bool, error)
	walk = func(path string) (string, bool, error) {
		tok, ok, err := next()
		if err != nil {
			return "", false, err
		}
		if !ok {
			return path, true, nil
		}
		d, isDelim := tok.(json.Delim)
		if !isDelim {
			return "", false, nil
		}
		switch d {
		case '{':
			for dec.More() {
				kt, ok, err := next()
				if err != nil {
					return "", false, err
				}
				key, _ := kt.(string)
				p := key
				if path != "" {
					p = path + "." + key
				}
				if !ok {
					return p, true, nil
				}
				if r, found, err := walk(p); found || err != nil {
					return r, found, err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if r, found, err := walk(fmt.Sprintf("%s[%d]", path, i)); found || err != nil {
					return r, found, err
				}
			}
		}
		_, _, err = next() // the closing delimiter
		return "", false, err
	}
	path, found, err := walk("")
	switch {
	case found && path == "":
		path = "(body)"
	case !found:
		if err == nil {
			err = errors.New("bytes that are not UTF-8 outside any string")
		}
		return ledger.Errorf(ledger.EMalformed, "the body is not valid UTF-8 JSON: %v", err)
	}
	return &ledger.Error{Code: ledger.EInvalid, Msg: "invalid input", Fields: []ledger.FieldError{{Field: path, Reason: "is not valid UTF-8 text (bytes that are not UTF-8 are refused, never replaced)"}}}
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// keyProblem walks body in document order beside the Go type it was
// decoded into and returns the path of the first object key that the type
// does not have, that matches a field only when case is ignored, or that the
// same object gives twice (in any case), with the reason; "" when it finds
// none.
func keyProblem(body []byte, t reflect.Type) (string, string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var reason string
	var walk func(t reflect.Type, path string) (string, bool)
	walk = func(t reflect.Type, path string) (string, bool) {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t != nil && t.Kind() != reflect.Struct && (t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)) {
			// Decodes itself. A struct that does (a place given as text or
			// as an object) still reads an object into its own fields.
			t = nil
		}
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return "", false
		}
		switch d {
		case '{':
			seen := map[string]string{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return "", false
				}
				key, _ := kt.(string)
				p := key
				if path != "" {
					p = path + "." + key
				}
				if first, dup := seen[strings.ToLower(key)]; dup {
					reason = fmt.Sprintf("is given twice (also as %q); give each field once", first)
					return p, true
				}
				seen[strings.ToLower(key)] = key
				var ft reflect.Type
				switch {
				case t != nil && t.Kind() == reflect.Struct:
					f, name, known := jsonField(t, key)
					if !known {
						reason = "unknown field"
						return p, true
					}
					if name != key {
						reason = fmt.Sprintf("unknown field; the field is spelt %q", name)
						return p, true
					}
					ft = f
				case t != nil && t.Kind() == reflect.Map:
					ft = t.Elem()
				}
				if r, found := walk(ft, p); found {
					return r, true
				}
			}
		case '[':
			var et reflect.Type
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				et = t.Elem()
			}
			for i := 0; dec.More(); i++ {
				if r, found := walk(et, fmt.Sprintf("%s[%d]", path, i)); found {
					return r, true
				}
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return "", false
		}
		return "", false
	}
	r, _ := walk(t, "")
	return r, reason
}

// jsonField finds the field encoding/json would decode key into: the
// exported field whose JSON name matches exactly, else case-insensitively;
// name is that field's JSON name.
func jsonField(t reflect.Type, key string) (ft reflect.Type, name string, ok bool) {
	var fold reflect.Type
	var foldName string
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || (f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "") {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f.Type, name, true
		}
		if fold == nil && strings.EqualFold(name, key) {
			fold, foldName = f.Type, name
		}
	}
	return fold, foldName, fold != nil
}

func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[ID]() {
		return `an id (a whole number such as 7, or its digits as a string, "7")`
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Int32, reflect.Uint32, reflect.Uint:
		return "a whole number"
	}
	return "a " + t.Kind().String()
}

// writeOnce runs an idempotent write. fn runs inside one store transaction and
// returns the status and body of the answer; with an Idempotency-Key, the
// answer is stored with the write, a retry with the same key and request gets
// it back with nothing written, and a reuse with another request is a 409.
// Keys are per token, so two callers cannot collide.
func (s *Server) writeOnce(c echo.Context, fn func(tx *ledger.Tx) (int, any, error)) error {
	return s.writeOnceChecked(c, nil, fn)
}

// writeOnceChecked is writeOnce that runs check first, unless the request
// is a retry answered from its record (ledger.Store.WriteOnceChecked).
func (s *Server) writeOnceChecked(c echo.Context, check func() error, fn func(tx *ledger.Tx) (int, any, error)) error {
	key, req, err := idempotency(c)
	if err != nil {
		return err
	}
	reply, replayed, err := s.store.WriteOnceChecked(c.Request().Context(), key, req, check, func(tx *ledger.Tx) (ledger.Reply, error) {
		status, body, err := fn(tx)
		if err != nil {
			return ledger.Reply{}, err
		}
		data, err := json.Marshal(body)
		if err != nil {
			return ledger.Reply{}, fmt.Errorf("encode answer: %w", err)
		}
		return ledger.Reply{Code: status, Body: data}, nil
	})
	if err != nil {
		return keyReused(c, err)
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	return c.JSONBlob(reply.Code, reply.Body)
}

// maxIdempotencyKey bounds the Idempotency-Key header; the store's own
// bound (255 bytes) leaves room for the token id the key is scoped by.
const maxIdempotencyKey = 200

// idempotency is the store's idempotency key of a write ("" without an
// Idempotency-Key header), scoped to the caller's token so two callers
// cannot collide, and what a retry must match: the method, the path and the
// body in its canonical form, so that a retry whose JSON differs only in
// spacing, key order or escapes is the same request. Records written before
// canonical forms hold the hash of the body as sent (Request.Legacy).
func idempotency(c echo.Context) (key string, req ledger.Request, err error) {
	if k := c.Request().Header.Get("Idempotency-Key"); k != "" {
		// The key is stored, so it is free text like any other.
		if r := text.Check(k, maxIdempotencyKey, text.Line); r != "" {
			return "", req, ledger.FieldErr("Idempotency-Key", r)
		}
		key = strconv.FormatUint(actorOf(c).TokenID, 10) + " " + k
		if a := actorOf(c); a.TokenID == 0 && a.SessionID != 0 {
			// A console session has no token: its keys are its own.
			key = "s" + strconv.FormatUint(a.SessionID, 10) + " " + k
		}
	}
	raw, _ := c.Get(rawBodyKey).([]byte)
	method, path := []byte(c.Request().Method), []byte(c.Request().URL.Path)
	return key, ledger.Request{
		Hash:   ledger.RequestHash(method, path, canonicalJSON(raw)),
		Legacy: ledger.RequestHash(method, path, raw),
	}, nil
}

// canonicalJSON is body parsed and written again with object keys sorted,
// no spacing, and every number exactly as it was written (UseNumber): "1.0"
// and "1" stay different requests, as they may mean different things. A
// body that is not one JSON value (no body at all) is its own form.
func canonicalJSON(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return body
	}
	out, err := json.Marshal(v) // map keys sorted
	if err != nil {
		return body
	}
	return out
}

// keyReused says which Idempotency-Key was reused in the form the client
// sent it: the store only knows its scoped form.
func keyReused(c echo.Context, err error) error {
	var e *ledger.Error
	if !errors.As(err, &e) || e.Code != ledger.EConflict || len(e.Fields) != 1 || e.Fields[0].Field != ledger.KeyField {
		return err
	}
	return ledger.Errorf(ledger.EConflict, "Idempotency-Key %q was already used with a different request (another method, path or body); send a new key for a new request",
		c.Request().Header.Get("Idempotency-Key"))
}

// queryParams maps each operation, as Echo names its route ("GET
// /v1/items/:id"), to the query parameters its OpenAPI description gives.
// Reading them from the served document means the server can refuse no
// parameter it documents and take none it does not.
func queryParams(doc *openapi3.T) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for path, item := range doc.Paths.Map() {
		route := pathParamRE.ReplaceAllString(path, ":$1")
		for method, op := range item.Operations() {
			names := map[string]bool{}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
					names[p.Value.Name] = true
				}
			}
			out[method+" "+route] = names
		}
	}
	return out
}

var pathParamRE = regexp.MustCompile(`\{([^}/]+)\}`)

// refuseUnknownQuery refuses a request whose query holds a parameter its
// operation does not have (a typo such as ?seal= would otherwise list
// everything), a parameter given twice (which one would count?), or text
// that is not UTF-8, naming each parameter, as decodeJSON does for bodies.
// Requests that matched no described route pass on to their 404 or 405.
func refuseUnknownQuery(allowed map[string]map[string]bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			names, ok := allowed[c.Request().Method+" "+c.Path()]
			raw := c.Request().URL.RawQuery
			if !ok || raw == "" {
				return next(c)
			}
			var probs ledger.Problems
			seen := map[string]int{}
			var order []string
			// Parsed here rather than by url.ParseQuery, which drops a
			// pair it cannot read without saying which.
			for pair := range strings.SplitSeq(raw, "&") {
				if pair == "" {
					continue
				}
				k, v, _ := strings.Cut(pair, "=")
				name, err := url.QueryUnescape(k)
				switch {
				case err != nil:
					probs.Add(k, "is not a valid URL escape")
					continue
				case !utf8.ValidString(name):
					probs.Add(strings.ToValidUTF8(name, "\uFFFD"), "is not valid UTF-8 text")
					continue
				}
				if seen[name]++; seen[name] == 1 {
					order = append(order, name)
				}
				if !names[name] {
					if seen[name] == 1 {
						probs.Add(name, "is not a parameter of this operation")
					}
					continue
				}
				switch value, err := url.QueryUnescape(v); {
				case strings.Contains(pair, ";"):
					probs.Add(name, "holds ';', which does not separate parameters: use '&', or %3B for a semicolon")
				case err != nil:
					probs.Add(name, "is not a valid URL escape")
				case !utf8.ValidString(value):
					probs.Add(name, "is not valid UTF-8 text")
				}
			}
			for _, name := range order {
				if n := seen[name]; n > 1 && names[name] {
					probs.Add(name, fmt.Sprintf("is given %d times; give it once", n))
				}
			}
			if err := probs.Err(); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// queryTime reads an RFC 3339 instant, or a YYYY-MM-DD date meaning the end
// of that day in UTC. The zero time and ok=false mean the parameter is absent.
func queryTime(c echo.Context, name string) (time.Time, bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, false, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), true, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Add(24*time.Hour - time.Nanosecond), true, nil
	}
	return time.Time{}, false, ledger.FieldErr(name, fmt.Sprintf("%q is neither an RFC 3339 instant (2025-06-03T10:00:00Z) nor a date (2025-06-03)", v))
}

// pathID reads a decimal id path parameter.
func pathID(c echo.Context, name string) (uint64, error) {
	v := c.Param(name)
	id, err := strconv.ParseUint(v, 10, 64)
	if err != nil || id == 0 {
		return 0, ledger.Errorf(ledger.ENotFound, "%s %q is not an id (a positive whole number)", name, v)
	}
	return id, nil
}
