package ledger

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies a failure. The HTTP layer maps each code to a status in one
// table; domain code never picks a status itself.
type Code string

const (
	EInvalid      Code = "invalid"      // well-formed input that breaks a rule (422)
	EMalformed    Code = "malformed"    // input that cannot be read at all (400)
	ENotFound     Code = "not_found"    // 404
	EConflict     Code = "conflict"     // 409: a reused idempotency key, a second reversal
	EUnauthorized Code = "unauthorized" // 401
	EForbidden    Code = "forbidden"    // 403
	EInternal     Code = "internal"     // 500: a bug or a broken store
	EUnavailable  Code = "unavailable"  // 503: the store is closed or shutting down
	ERateLimited  Code = "rate_limited" // 429: too many failed attempts; try again later
)

// FieldError names one bad field of a request and why it is bad.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the domain error every package returns for failures a caller can
// act on.
type Error struct {
	Code   Code
	Msg    string
	Fields []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Msg
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	if e.Msg == "" {
		return strings.Join(parts, "; ")
	}
	return e.Msg + ": " + strings.Join(parts, "; ")
}

// Errorf makes an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// FieldErr makes an EInvalid error about one field.
func FieldErr(field, reason string) *Error {
	return &Error{Code: EInvalid, Msg: "invalid input", Fields: []FieldError{{Field: field, Reason: reason}}}
}

// Problems collects field errors while a request is checked, so that one
// answer names every bad field at once.
type Problems struct{ list []FieldError }

// Add records a bad field.
func (p *Problems) Add(field, reason string) { p.list = append(p.list, FieldError{field, reason}) }

// Addf records a bad field with a formatted reason.
func (p *Problems) Addf(field, format string, args ...any) {
	p.Add(field, fmt.Sprintf(format, args...))
}

// Err returns nil when nothing was added, else an EInvalid Error naming every field.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Msg: "invalid input", Fields: p.list}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}
