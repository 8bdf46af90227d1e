package sigv4

import (
	"strings"
	"sync"
)

// authCacheSize bounds the Authorization headers remembered; when the cache fills up it is
// emptied, which costs each client one parse.
const authCacheSize = 4096

// sigSep is what stands between the rest of an Authorization header of the SDKs' shape and
// its signature.
const sigSep = ", Signature="

// authCache remembers, for the SDKs' shape, the part of an Authorization header before the
// signature ("AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…") once a request carrying it
// has verified: parsed, checked, split, and with the signing key it was verified with. A
// client sends the same part all day, changing only the signature, so verifySDK finds what it
// would parse in one lookup. What the part says is checked again each time it can change:
// against the request's date, its headers and the key's current secret.
type authCache struct {
	mu sync.RWMutex
	m  map[string]*authEntry
}

// authEntry is a remembered header part. Its strings are its own, not the request's, and it
// never changes once added.
type authEntry struct {
	credential, signedHeaders string
	sc                        scope
	names                     []string
	key                       *signingKey
}

// lookup finds the entry for h when h is a known part followed by sigSep and a 64-character
// signature without a comma, which is exactly how parseSDKAuthorization would split it; it
// returns the signature with it.
func (c *authCache) lookup(h string) (*authEntry, string) {
	n := len(h) - len(sigSep) - 64
	if n <= 0 || h[n:n+len(sigSep)] != sigSep {
		return nil, ""
	}
	sig := h[n+len(sigSep):]
	if strings.IndexByte(sig, ',') >= 0 || sig[len(sig)-1] == ' ' {
		return nil, ""
	}
	c.mu.RLock()
	e := c.m[h[:n]]
	c.mu.RUnlock()
	return e, sig
}

// add remembers part, which parsed as credential and signedHeaders (substrings of it) and
// verified with key, in a copy of its own.
func (c *authCache) add(part, credential, signedHeaders string, key *signingKey) {
	p := strings.Clone(part)
	const at = len(algorithm + " Credential=") // where parseSDKAuthorization found it
	e := &authEntry{credential: p[at : at+len(credential)], signedHeaders: p[len(p)-len(signedHeaders):], key: key}
	if parseCredential(e.credential, &e.sc) != nil {
		return // not what verifySDK checked: leave it out
	}
	e.names = strings.Split(e.signedHeaders, ";")
	c.mu.Lock()
	if c.m == nil || len(c.m) >= authCacheSize {
		c.m = make(map[string]*authEntry, 64)
	}
	c.m[p] = e
	c.mu.Unlock()
}
