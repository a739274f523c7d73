// Package httpapi serves Amanat's REST API with Echo v4 over one
// service.Service: bearer tokens and roles (checked with package access),
// RFC 7807 problem answers mapped from domain error codes in one table,
// one paging type for every list, idempotent writes, and one small handler
// per route that decodes, calls one domain method and encodes. Domain
// rules live in the domain packages; this package holds none.
package httpapi
