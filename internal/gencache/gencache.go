// Package gencache is a bounded map whose entries hold only for the store generation they were
// read at (store.Store's Generation: a counter every committed write moves). A cache validated
// this way never answers with something the store no longer says: any write makes every entry
// stale at once, and an entry read before a write that landed during the read is never kept.
//
// Each Map counts its hits and misses under a name (Stats), for the metrics: a cache that
// misses tells an operator that writes, or a bound too small, cost store reads.
package gencache

import (
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Map caches values by string key for one generation at a time. The zero value is not usable:
// make one with New. It is safe for concurrent use.
type Map[V any] struct {
	mu  sync.RWMutex
	gen uint64
	m   map[string]V
	max int
	st  *counters
}

// New returns a Map that holds at most max entries; beyond that it starts afresh, which costs
// one store read per key. Its hits and misses are counted under a name made of the calling
// package and the value type ("authn/*authn.keyEntry"), so that callers need not name their
// caches; NewNamed names one explicitly.
func New[V any](max int) *Map[V] {
	name := reflect.TypeFor[V]().String()
	if pc, _, _, ok := runtime.Caller(1); ok {
		if f := runtime.FuncForPC(pc); f != nil {
			name = callerPackage(f.Name()) + "/" + name
		}
	}
	return NewNamed[V](name, max)
}

// NewNamed is New with the name its hits and misses are counted under. Maps of one name share
// their counters (several nodes in one process, as in tests).
func NewNamed[V any](name string, max int) *Map[V] {
	return &Map[V]{m: make(map[string]V), max: max, st: countersOf(name)}
}

// callerPackage is the last element of the package path of a function named as runtime names
// them ("github.com/iamd/iamd/internal/authn.New" → "authn").
func callerPackage(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	if i := strings.IndexByte(fn, '.'); i >= 0 {
		fn = fn[:i]
	}
	return fn
}

// counters are one name's hits and misses: atomic, so that a hit stays free of locks beyond
// the map's read lock and of allocations.
type counters struct {
	hits, misses atomic.Uint64
}

var registry struct {
	sync.Mutex
	byName map[string]*counters
}

func countersOf(name string) *counters {
	registry.Lock()
	defer registry.Unlock()
	if registry.byName == nil {
		registry.byName = map[string]*counters{}
	}
	c := registry.byName[name]
	if c == nil {
		c = new(counters)
		registry.byName[name] = c
	}
	return c
}

// Stat is the count of one name's lookups since the process started.
type Stat struct {
	Name         string
	Hits, Misses uint64
}

// Stats returns every name's counts, sorted by name. The counters are the process's, not a
// node's: they are read rarely (a metrics scrape) and several nodes in one process are a test's
// arrangement.
func Stats() []Stat {
	registry.Lock()
	defer registry.Unlock()
	out := make([]Stat, 0, len(registry.byName))
	for name, c := range registry.byName {
		out = append(out, Stat{Name: name, Hits: c.hits.Load(), Misses: c.misses.Load()})
	}
	slices.SortFunc(out, func(a, b Stat) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Get returns the value cached for key at generation gen.
func (c *Map[V]) Get(gen uint64, key string) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[key]
	cur := c.gen
	c.mu.RUnlock()
	return c.current(v, ok && cur == gen)
}

// GetBytes is Get for a key held in bytes (built on the caller's stack): the lookup copies
// nothing.
func (c *Map[V]) GetBytes(gen uint64, key []byte) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[string(key)]
	cur := c.gen
	c.mu.RUnlock()
	return c.current(v, ok && cur == gen)
}

// current is v when it is current, else the zero value; it counts the hit or the miss.
func (c *Map[V]) current(v V, ok bool) (V, bool) {
	if !ok {
		c.st.misses.Add(1)
		var zero V
		return zero, false
	}
	c.st.hits.Add(1)
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
