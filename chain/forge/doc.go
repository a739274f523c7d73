// Package forge re-signs an edited court bundle with a store's own private
// key, as an insider who holds that key could. Tests use it to show that
// "amanat custody check" refuses each such forgery for the rule it breaks,
// not for a stale hash, proof or signature. It knows only the bundle's JSON
// form (docs/custody-format.md) and the log's hex spelling of a hash
// (chain/log), not package chain, so that chain's own tests can import it
// too. It lives beside the custody package because the
// top level of the repository is fixed; nothing but tests imports it.
package forge
