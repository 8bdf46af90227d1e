package policy

import (
	"slices"
	"strings"
)

// Context holds the request's context keys. Key names compare case-insensitively, as in AWS;
// each key may hold several values. It is a small slice-backed table: building one per request
// is cheap (the values of all keys share one backing array), Reset keeps its storage for reuse,
// and Lookup does not allocate.
type Context struct {
	entries []ctxEntry
	vals    []string // backing of the entries' values
	// unicode is set once a key with non-ASCII bytes is stored: until then two keys of
	// different lengths cannot be equal under case folding, which find uses to skip them.
	unicode bool
	// fill, when set, adds keys before the context is first used (Defer).
	fill func(*Context)
}

// Defer makes f fill the context when it is first used — read, written or counted — instead
// of now. Building the ~20 global keys of a request costs more than most evaluations, and an
// evaluation whose statements have no conditions and no policy variables reads none of them.
// f runs once, before the use that triggers it; it may use the context itself.
func (c *Context) Defer(f func(*Context)) { c.fill = f }

// load runs a deferred fill.
func (c *Context) load() {
	if f := c.fill; f != nil {
		c.fill = nil
		f(c)
	}
}

type ctxEntry struct {
	key  string
	vals []string
}

func (c *Context) find(key string) int {
	c.load()
	return c.findFold(key, isASCII(key))
}

// findFold is find for a key whose ASCII-ness the caller knows.
func (c *Context) findFold(key string, ascii bool) int {
	if !c.unicode && ascii {
		for i := range c.entries {
			if k := c.entries[i].key; len(k) == len(key) && strings.EqualFold(k, key) {
				return i
			}
		}
		return -1
	}
	for i := range c.entries {
		if strings.EqualFold(c.entries[i].key, key) {
			return i
		}
	}
	return -1
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Grow makes room for n more keys of one value each without allocating.
func (c *Context) Grow(n int) {
	c.entries = slices.Grow(c.entries, n)
	c.vals = slices.Grow(c.vals, n)
}

// store copies values into the shared backing; the result's capacity is its length, so a
// later Set of more values for the same key cannot run into the next key's values.
func (c *Context) store(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	if cap(c.vals)-len(c.vals) < len(values) {
		c.vals = make([]string, 0, max(2*cap(c.vals), 16, len(values)))
	}
	n := len(c.vals)
	c.vals = append(c.vals, values...)
	return c.vals[n : n+len(values) : n+len(values)]
}

// Set gives key exactly the values given (none: present but empty, as an empty list).
func (c *Context) Set(key string, values ...string) {
	c.load()
	ascii := isASCII(key)
	if i := c.findFold(key, ascii); i >= 0 {
		c.entries[i].vals = append(c.entries[i].vals[:0], values...)
		return
	}
	c.unicode = c.unicode || !ascii
	c.grow()
	e := &c.entries[len(c.entries)-1]
	e.key = key
	e.vals = c.store(values)
}

// Add appends values to key's values.
func (c *Context) Add(key string, values ...string) {
	if i := c.find(key); i >= 0 {
		c.entries[i].vals = append(c.entries[i].vals, values...)
		return
	}
	c.Set(key, values...)
}

// grow adds one entry, reusing one that Reset left behind when there is one.
func (c *Context) grow() {
	if len(c.entries) < cap(c.entries) {
		c.entries = c.entries[:len(c.entries)+1]
		return
	}
	c.entries = append(c.entries, ctxEntry{})
}

// Lookup returns key's values. The slice belongs to the Context: do not modify it.
func (c *Context) Lookup(key string) ([]string, bool) {
	if i := c.find(key); i >= 0 {
		return c.entries[i].vals, true
	}
	return nil, false
}

// Delete removes key.
func (c *Context) Delete(key string) {
	if i := c.find(key); i >= 0 {
		last := len(c.entries) - 1
		c.entries[i], c.entries[last] = c.entries[last], c.entries[i]
		c.entries = c.entries[:last]
	}
}

// Reset empties the context and keeps its storage.
func (c *Context) Reset() {
	c.fill = nil
	c.entries = c.entries[:0]
	clear(c.vals) // let the old values go
	c.vals = c.vals[:0]
	c.unicode = false
}

// Len is the number of keys.
func (c *Context) Len() int {
	c.load()
	return len(c.entries)
}

// Keys lists the key names as they were set.
func (c *Context) Keys() []string {
	c.load()
	out := make([]string, len(c.entries))
	for i := range c.entries {
		out[i] = c.entries[i].key
	}
	return out
}

// SetPrincipalKeys fills the global condition keys that follow from the principal —
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username (IAM users) and
// aws:ResourceAccount — where the context does not already have them. For a role session
// aws:PrincipalArn is the role's ARN, as in AWS.
func (r *Request) SetPrincipalKeys() {
	p := &r.Principal
	acct := principalAccount(p)
	setIfAbsent := func(k, v string) {
		if v == "" {
			return
		}
		if _, ok := r.Context.Lookup(k); !ok {
			r.Context.Set(k, v)
		}
	}
	kind := kindOf(p.ARN)
	principalARN := p.ARN
	if p.RoleARN != "" {
		principalARN = p.RoleARN
	}
	setIfAbsent("aws:PrincipalArn", principalARN)
	setIfAbsent("aws:PrincipalAccount", acct)
	switch kind {
	case pkUser:
		setIfAbsent("aws:PrincipalType", "User")
		name := p.ARN[strings.LastIndexByte(p.ARN, '/')+1:]
		setIfAbsent("aws:username", name)
	case pkRoot:
		setIfAbsent("aws:PrincipalType", "Account")
	case pkAssumedRole:
		setIfAbsent("aws:PrincipalType", "AssumedRole")
	case pkFederatedUser:
		setIfAbsent("aws:PrincipalType", "FederatedUser")
	}
	ra := r.ResourceAccount
	if ra == "" {
		ra = acct
	}
	setIfAbsent("aws:ResourceAccount", ra)
}
