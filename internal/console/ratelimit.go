package console

import (
	"sync"
	"time"
)

// limiter rate-limits sign-in attempts per key (a client address; an account and user name)
// with a token bucket: burst attempts at once, then one per every. An attempt takes a token
// before the password is checked (so concurrent guesses are limited too) and a success gives
// it back, so only failures count. Nothing is ever locked: a bucket refills by itself, and a
// name is limited whether or not such a user exists, so the limit tells nothing either.
type limiter struct {
	mu    sync.Mutex
	m     map[string]*bucket
	burst float64
	every time.Duration
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxLimiterKeys bounds a limiter's memory; past it, full buckets (which limit nothing) go.
const maxLimiterKeys = 100_000

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{m: make(map[string]*bucket), burst: float64(burst), every: every}
}

// refill brings b's tokens up to now.
func (l *limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+d.Seconds()/l.every.Seconds())
		b.at = now
	}
}

// take takes a token for key; when there is none, it returns how long until there is one.
func (l *limiter) take(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m[key]
	if b == nil {
		if len(l.m) >= maxLimiterKeys {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.m[key] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(l.every))
	}
	b.tokens--
	return true, 0
}

// give returns a token taken for an attempt that succeeded.
func (l *limiter) give(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.m[key]; b != nil {
		b.tokens = min(l.burst, b.tokens+1)
	}
}

// sweep drops full buckets; if the table is still full (an attack from many addresses), it
// forgets half of it: a limit forgotten costs one burst of guesses, a table without bound
// costs the process. Called with mu held.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.m {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.m, k)
		}
	}
	for k := range l.m {
		if len(l.m) < maxLimiterKeys/2 {
			break
		}
		delete(l.m, k)
	}
}
