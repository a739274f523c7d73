// Package address owns one decision: is a string a well-formed address of a
// given chain and network, what kind of address is it, and if it is not one,
// why not — in words a custodian registering a seized wallet can act on.
//
// It checks form only (alphabet, checksum, length, network prefix and the
// encoding rules of BIP-173, BIP-350 and EIP-55). It cannot tell whether an
// address was ever used or who holds its keys. It never trims or corrects its
// input: an address that needs fixing is refused with a reason, because a
// silently "repaired" address could be a different address.
//
// It sits under chain/ because the top level of the repository is fixed;
// it imports nothing of the project, and the register and the API use it.
package address
