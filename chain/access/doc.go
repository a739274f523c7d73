// Package access owns who may use Amanat: the roles; the bearer tokens
// that carry them, kept in the store as SHA-256 hashes (bucket
// ledger.AuthTokens), never as the tokens themselves; the user accounts
// (ledger.AuthUsers) with their Argon2id password hashes and the
// failed-login limit; and the console sessions (ledger.AuthSessions), kept
// as hashes too. docs/access.md gives the rules.
//
// It sits beside the domain, not in it: the books, the custody log and the
// evidence register never import it. The HTTP layer checks tokens, sessions
// and roles with it; the CLI and the service wiring issue them with it.
package access
