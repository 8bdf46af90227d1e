package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
	"slices"
	"sync"
)

// keyCacheSize bounds the signing-key cache. A key is valid for one (date, region, service), so
// a busy server needs about one entry per active access key and service; when the cache fills
// up it is simply emptied, which costs at most one derivation per key.
const keyCacheSize = 4096

// keyVariants bounds the keys kept per access key id (dates, regions, services, and a secret
// that changed under the same id); past it the oldest is dropped.
const keyVariants = 8

type keyID struct {
	accessKeyID, secret, date, region, service string
}

// signingKey is a derived key k, kept as the SHA-256 states after hashing k^ipad and k^opad:
// HMAC(k, m) = H(k^opad || H(k^ipad || m)), so restoring a state skips a block per hash and
// signing needs no allocation.
type signingKey struct {
	id           keyID
	inner, outer []byte // marshaled SHA-256 states
}

// keyCache is indexed by access key id alone: hashing one short string and comparing the few
// variants under it is cheaper than hashing all five parts of the key's identity.
type keyCache struct {
	mu sync.RWMutex
	m  map[string][]*signingKey
	n  int // keys held
}

// get returns the signing key for sc under secret, deriving it on a miss.
func (c *keyCache) get(sc *scope, secret string) *signingKey {
	c.mu.RLock()
	for _, k := range c.m[sc.accessKeyID] {
		if k.id.secret == secret && k.id.date == sc.date && k.id.region == sc.region && k.id.service == sc.service {
			c.mu.RUnlock()
			return k
		}
	}
	c.mu.RUnlock()
	id := keyID{accessKeyID: sc.accessKeyID, secret: secret, date: sc.date, region: sc.region, service: sc.service}
	k := deriveKey(id)
	c.mu.Lock()
	if c.m == nil || c.n >= keyCacheSize {
		c.m = make(map[string][]*signingKey, 64)
		c.n = 0
	}
	list := c.m[id.accessKeyID]
	if len(list) >= keyVariants {
		list = append(list[:0:0], list[1:]...)
		c.n--
	}
	c.m[id.accessKeyID] = append(list, k)
	c.n++
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
	var ipad, opad [sha256.BlockSize]byte
	copy(ipad[:], k)
	copy(opad[:], k)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	return &signingKey{id: id, inner: hashState(ipad[:]), outer: hashState(opad[:])}
}

func hashState(block []byte) []byte {
	h := sha256.New()
	h.Write(block)
	st, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("sigv4: sha256 state cannot be marshaled: " + err.Error()) // the standard library's always can
	}
	return st
}

// stateHash is a SHA-256 whose state can be restored: signing keys are kept as states. The
// pooled scratch holds one, asserted to this interface once rather than on every request.
type stateHash interface {
	hash.Hash
	encoding.BinaryUnmarshaler
}

// mac appends to b the HMAC-SHA256 under k of b[from:] and returns b and the MAC part.
// h is a SHA-256 hash the caller reuses; its state is overwritten.
func (k *signingKey) mac(h stateHash, b []byte, from int) (all, mac []byte) {
	if err := h.UnmarshalBinary(k.inner); err != nil {
		panic("sigv4: sha256 state cannot be restored: " + err.Error())
	}
	h.Write(b[from:])
	n := len(b)
	b = h.Sum(b)
	if err := h.UnmarshalBinary(k.outer); err != nil {
		panic("sigv4: sha256 state cannot be restored: " + err.Error())
	}
	h.Write(b[n:])
	b = h.Sum(b[:n])
	return b, b[n:]
}

const hexdigits = "0123456789abcdef"

// hexPairs holds each byte's two hex digits, first digit in the low byte.
var hexPairs = func() (t [256]uint16) {
	for i := range t {
		t[i] = uint16(hexdigits[i>>4]) | uint16(hexdigits[i&15])<<8
	}
	return t
}()

// hex8 returns the hex digits of sum[i:i+4] as a little-endian word: eight characters at once.
func hex8(sum *[sha256.Size]byte, i int) uint64 {
	q := (*[4]byte)(sum[i:])
	return uint64(hexPairs[q[0]]) | uint64(hexPairs[q[1]])<<16 | uint64(hexPairs[q[2]])<<32 | uint64(hexPairs[q[3]])<<48
}

// appendHexSum is appendHex for a SHA-256 sum: a fixed size and a table of digit pairs, written
// eight digits at a time, make it several times faster, and it runs twice per request.
func appendHexSum(dst []byte, sum *[sha256.Size]byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 2*sha256.Size)[:n+2*sha256.Size]
	out := (*[2 * sha256.Size]byte)(dst[n:])
	for i := 0; i < sha256.Size; i += 4 {
		binary.LittleEndian.PutUint64(out[2*i:], hex8(sum, i))
	}
	return dst
}

// equalHex reports whether s is mac in lower-case hex, as subtle.ConstantTimeCompare of the
// encoding would, in time that depends only on the lengths, without encoding mac first.
func equalHex(mac []byte, s string) bool {
	if len(s) != 2*len(mac) {
		return false
	}
	if len(mac) == sha256.Size {
		return equalHexSum((*[sha256.Size]byte)(mac), s)
	}
	var d byte
	for i, c := range mac {
		d |= (s[2*i] ^ hexdigits[c>>4]) | (s[2*i+1] ^ hexdigits[c&15]) // ^ and | bind alike: parenthesized
	}
	return d == 0
}

// equalHexSum is equalHex for a SHA-256 sum, where len(s) == 64: it compares eight digits
// per step, every step whatever the earlier ones found.
func equalHexSum(mac *[sha256.Size]byte, s string) bool {
	var sig [2 * sha256.Size]byte
	copy(sig[:], s)
	var d uint64
	for i := 0; i < sha256.Size; i += 4 {
		d |= binary.LittleEndian.Uint64(sig[2*i:]) ^ hex8(mac, i)
	}
	return d == 0
}
