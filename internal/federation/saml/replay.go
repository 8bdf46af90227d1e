package saml

import (
	"sync"
	"time"
)

// DefaultReplayEntries bounds a ReplayCache made with size 0.
const DefaultReplayEntries = 100000

// ReplayCache remembers assertion IDs until they expire, so that each assertion is accepted once
// within its validity. It is in memory: several iamd nodes each keep their own, so an assertion
// could be used once per node.
type ReplayCache struct {
	mu   sync.Mutex
	max  int
	seen map[string]time.Time // key → until when it is remembered
}

// NewReplayCache returns a cache of at most max entries (0: DefaultReplayEntries).
func NewReplayCache(max int) *ReplayCache {
	if max <= 0 {
		max = DefaultReplayEntries
	}
	return &ReplayCache{max: max, seen: map[string]time.Time{}}
}

// Use records key until the given time and reports whether it was unused. When the cache is
// full of unexpired entries it refuses (fails closed) rather than forgetting an ID early.
func (c *ReplayCache) Use(key string, until, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if exp, ok := c.seen[key]; ok && now.Before(exp) {
		return false
	}
	if len(c.seen) >= c.max {
		for k, exp := range c.seen {
			if !now.Before(exp) {
				delete(c.seen, k)
			}
		}
		if len(c.seen) >= c.max {
			return false
		}
	}
	c.seen[key] = until
	return true
}
