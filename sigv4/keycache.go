package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
)

// keyCacheSize bounds the signing-key cache. A key is valid for one (date, region, service), so
// a busy server needs about one entry per active access key; when the cache fills up it is
// simply emptied, which costs at most one derivation per key.
const keyCacheSize = 4096

type keyID struct {
	accessKeyID, secret, date, region, service string
}

// signingKey is a derived key, kept as the two padded HMAC blocks so that signing needs no
// allocation: HMAC(k, m) = H(k^opad || H(k^ipad || m)).
type signingKey struct {
	ipad, opad [sha256.BlockSize]byte
}

type keyCache struct {
	mu sync.RWMutex
	m  map[keyID]*signingKey
}

func (c *keyCache) get(id keyID) *signingKey {
	c.mu.RLock()
	k := c.m[id]
	c.mu.RUnlock()
	if k != nil {
		return k
	}
	k = deriveKey(id)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= keyCacheSize {
		c.m = make(map[keyID]*signingKey, 64)
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

func hmacSHA256(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// deriveKey computes kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(id keyID) *signingKey {
	k := hmacSHA256([]byte("AWS4"+id.secret), []byte(id.date))
	k = hmacSHA256(k, []byte(id.region))
	k = hmacSHA256(k, []byte(id.service))
	k = hmacSHA256(k, []byte(terminator))
	var sk signingKey
	copy(sk.ipad[:], k)
	copy(sk.opad[:], k)
	for i := range sk.ipad {
		sk.ipad[i] ^= 0x36
		sk.opad[i] ^= 0x5c
	}
	return &sk
}

// sign appends the hex HMAC-SHA256 of msg under k to dst. scratch must hold the ipad block
// followed by msg (the caller builds it in place to avoid a copy) and is left unchanged.
func (k *signingKey) sign(dst []byte, scratch []byte) []byte {
	inner := sha256.Sum256(scratch)
	var outer [sha256.BlockSize + sha256.Size]byte
	copy(outer[:], k.opad[:])
	copy(outer[sha256.BlockSize:], inner[:])
	sum := sha256.Sum256(outer[:])
	return appendHex(dst, sum[:])
}

func appendHex(dst, src []byte) []byte {
	const hexdigits = "0123456789abcdef"
	for _, c := range src {
		dst = append(dst, hexdigits[c>>4], hexdigits[c&15])
	}
	return dst
}
