package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
)

// Helpers for tests that sign requests by hand with this package's own key derivation.

// sign is mac with the MAC in hex, as a signature is written.
func (k *signingKey) sign(h hash.Hash, b []byte, from int) (all, sig []byte) {
	n := len(b)
	b, _ = k.mac(h.(stateHash), b, from)
	b = appendHex(b, b[n:n+sha256.Size])
	return b, b[n+sha256.Size:]
}

func appendHex(dst, src []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 2*len(src))[:n+2*len(src)]
	hex.Encode(dst[n:], src)
	return dst
}
