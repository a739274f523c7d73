// Package access owns who may use the API: the five roles and the bearer
// tokens that carry them, kept in the store as SHA-256 hashes (bucket
// ledger.AuthTokens), never as the tokens themselves.
//
// It sits beside the domain, not in it: the books, the custody log and the
// evidence register never import it. The HTTP layer checks tokens and roles
// with it; the CLI and the service wiring issue tokens with it.
package access
