package authn

import (
	"context"
	"sync"
	"time"

	"github.com/iamd/iamd/internal/iam"
)

// Access-key use is recorded for GetAccessKeyLastUsed without a store write per request: each key
// is noted at most once per useInterval, and the notes are written together at most once per
// flushInterval by the request that finds them due (a write that leaves the store's generation,
// so no cache is invalidated by it). A crash loses at most the notes of the last flushInterval;
// AWS's own last-used data is approximate too.
const (
	useInterval   = time.Minute
	flushInterval = time.Second
)

type usage struct {
	mu       sync.Mutex
	noted    map[string]time.Time // key id → when its use was last noted
	pending  map[string]iam.AccessKeyLastUsed
	flushed  time.Time
	flushing bool
}

// noteUse records that a long-term key signed a request for service in region.
func (a *Authenticator) noteUse(ctx context.Context, keyID, service, region string) {
	now := a.cfg.Now().UTC()
	u := &a.usage
	u.mu.Lock()
	if last, ok := u.noted[keyID]; !ok || now.Sub(last) >= useInterval {
		if u.noted == nil {
			u.noted = map[string]time.Time{}
			u.pending = map[string]iam.AccessKeyLastUsed{}
		}
		if len(u.noted) > 1_000_000 {
			clear(u.noted) // bound memory; the cost is one extra note per key
		}
		u.noted[keyID] = now
		u.pending[keyID] = iam.AccessKeyLastUsed{LastUsedDate: now, ServiceName: service, Region: region}
	}
	// Any request may carry the pending notes to the store once they are due.
	if len(u.pending) == 0 || u.flushing || now.Sub(u.flushed) < flushInterval {
		u.mu.Unlock()
		return
	}
	batch := u.pending
	u.pending = map[string]iam.AccessKeyLastUsed{}
	u.flushed, u.flushing = now, true
	u.mu.Unlock()

	err := a.cfg.Store.RecordAccessKeyUses(ctx, batch)
	u.mu.Lock()
	u.flushing = false
	if err != nil {
		// Keep the notes for the next flush; the request itself is unaffected.
		for id, used := range batch {
			if _, newer := u.pending[id]; !newer {
				u.pending[id] = used
			}
		}
		a.cfg.Logger.Warn("recording access key use failed", "err", err)
	}
	u.mu.Unlock()
}
