// Package gencache is a bounded map whose entries hold only for the store generation they were
// read at (store.Store's Generation: a counter every committed write moves). A cache validated
// this way never answers with something the store no longer says: any write makes every entry
// stale at once, and an entry read before a write that landed during the read is never kept.
package gencache

import "sync"

// Map caches values by string key for one generation at a time. The zero value is not usable:
// make one with New. It is safe for concurrent use.
type Map[V any] struct {
	mu  sync.RWMutex
	gen uint64
	m   map[string]V
	max int
}

// New returns a Map that holds at most max entries; beyond that it starts afresh, which costs
// one store read per key.
func New[V any](max int) *Map[V] {
	return &Map[V]{m: make(map[string]V), max: max}
}

// Get returns the value cached for key at generation gen.
func (c *Map[V]) Get(gen uint64, key string) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[key]
	cur := c.gen
	c.mu.RUnlock()
	return current(v, ok && cur == gen)
}

// GetBytes is Get for a key held in bytes (built on the caller's stack): the lookup copies
// nothing.
func (c *Map[V]) GetBytes(gen uint64, key []byte) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[string(key)]
	cur := c.gen
	c.mu.RUnlock()
	return current(v, ok && cur == gen)
}

// current is v when it is current, else the zero value.
func current[V any](v V, ok bool) (V, bool) {
	if !ok {
		var zero V
		return zero, false
	}
	return v, true
}

// Put caches v for key, read at generation gen. Callers take gen before they read v, so a value
// read while a write landed is tagged with the older generation and is stale at its first use.
// A Put for a generation older than the newest seen is dropped; a newer one empties the map.
func (c *Map[V]) Put(gen uint64, key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen || len(c.m) >= c.max:
		clear(c.m)
		c.gen = gen
	}
	c.m[key] = v
}
