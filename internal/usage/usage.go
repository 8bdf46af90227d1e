// Package usage records uses (of an access key, a role, an action) for the reports that show
// them — last-used dates, the access advisor — without a store write per request: a key is
// noted at most once per interval, and the notes are written together, at most once per flush
// interval, by the request that finds them due. A crash loses at most the notes of the last
// flush interval; AWS's own last-used data is approximate too.
package usage

import (
	"context"
	"sync"
	"time"
)

// Recorder collects notes by key. It is safe for concurrent use; make one with New.
type Recorder[K comparable, V any] struct {
	every, flushEvery time.Duration
	max               int
	write             func(ctx context.Context, batch map[K]V) error

	mu       sync.Mutex
	noted    map[K]time.Time // key → when it was last noted
	pending  map[K]V
	flushed  time.Time
	flushing bool
}

// New returns a Recorder that notes a key at most once per every and writes pending notes with
// write at most once per flushEvery, counted from start. It remembers at most max keys (then it
// forgets them all, which costs one extra note per key) and holds at most max notes pending
// (further ones wait for the next interval).
func New[K comparable, V any](every, flushEvery time.Duration, max int, start time.Time, write func(ctx context.Context, batch map[K]V) error) *Recorder[K, V] {
	return &Recorder[K, V]{every: every, flushEvery: flushEvery, max: max, write: write,
		noted: map[K]time.Time{}, pending: map[K]V{}, flushed: start}
}

// Note queues a use of k at now, described by v, unless k was noted less than the interval ago,
// and reports whether the pending notes are due to be written (Flush).
func (r *Recorder[K, V]) Note(k K, now time.Time, v V) (due bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if last, ok := r.noted[k]; !ok || now.Sub(last) >= r.every {
		if len(r.noted) >= r.max {
			clear(r.noted)
		}
		if len(r.pending) < r.max {
			r.noted[k] = now
			r.pending[k] = v
		}
	}
	return len(r.pending) > 0 && !r.flushing && now.Sub(r.flushed) >= r.flushEvery
}

// Pending is the number of notes waiting to be written.
func (r *Recorder[K, V]) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

// Flush writes the pending notes now (one writer at a time: a Flush while another runs does
// nothing). Notes that fail to be written stay pending, unless a newer note of the same key came
// meanwhile.
func (r *Recorder[K, V]) Flush(ctx context.Context, now time.Time) error {
	r.mu.Lock()
	if len(r.pending) == 0 || r.flushing {
		r.mu.Unlock()
		return nil
	}
	batch := r.pending
	r.pending = map[K]V{}
	r.flushing = true
	r.mu.Unlock()

	err := r.write(ctx, batch)

	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushing, r.flushed = false, now
	if err != nil {
		for k, v := range batch {
			if _, newer := r.pending[k]; !newer {
				r.pending[k] = v
			}
		}
	}
	return err
}
