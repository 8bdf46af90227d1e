package usage

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestNoteThrottlesAndFlushes(t *testing.T) {
	var written []map[string]int
	r := New(time.Minute, time.Second, 100, t0, func(_ context.Context, b map[string]int) error {
		written = append(written, maps.Clone(b))
		return nil
	})
	steps := []struct {
		name    string
		at      time.Duration
		key     string
		v       int
		due     bool
		pending int
	}{
		{"first use is queued, not yet due", 0, "a", 1, false, 1},
		{"same key within the interval is not", 30 * time.Second, "a", 2, true, 1},
		{"another key is", 30 * time.Second, "b", 3, true, 2},
	}
	for _, s := range steps {
		if due := r.Note(s.key, t0.Add(s.at), s.v); due != s.due || r.Pending() != s.pending {
			t.Errorf("%s: due %v pending %d, want %v %d", s.name, due, r.Pending(), s.due, s.pending)
		}
	}
	if err := r.Flush(context.Background(), t0.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if len(written) != 1 || written[0]["a"] != 1 || written[0]["b"] != 3 || r.Pending() != 0 {
		t.Fatalf("written %v, pending %d", written, r.Pending())
	}
	// Just flushed: a new key is queued but not due until a second has passed.
	if r.Note("c", t0.Add(30*time.Second), 4) {
		t.Error("due right after a flush")
	}
	if !r.Note("a", t0.Add(91*time.Second), 5) || r.Pending() != 2 {
		t.Errorf("after the interval a is noted again and the notes are due: pending %d", r.Pending())
	}
}

func TestFailedFlushKeepsNotes(t *testing.T) {
	fail := true
	var got map[string]int
	r := New(time.Minute, 0, 100, t0, func(_ context.Context, b map[string]int) error {
		if fail {
			return errors.New("disk full")
		}
		got = maps.Clone(b)
		return nil
	})
	r.Note("a", t0, 1)
	if err := r.Flush(context.Background(), t0); err == nil || r.Pending() != 1 {
		t.Fatalf("failed flush: err %v, pending %d", err, r.Pending())
	}
	r.Note("a", t0.Add(2*time.Minute), 2) // newer than the failed note: it wins
	fail = false
	if err := r.Flush(context.Background(), t0.Add(2*time.Minute)); err != nil || got["a"] != 2 {
		t.Fatalf("flush after recovery: %v, wrote %v", err, got)
	}
}

func TestBounds(t *testing.T) {
	r := New(time.Minute, time.Hour, 3, t0, func(context.Context, map[int]int) error { return nil })
	for i := range 10 {
		r.Note(i, t0, i)
	}
	if n := r.Pending(); n != 3 {
		t.Errorf("pending %d, want the bound 3", n)
	}
	if n := len(r.noted); n > 3 {
		t.Errorf("remembers %d keys, more than the bound 3", n)
	}
}

func TestConcurrent(t *testing.T) {
	var mu sync.Mutex
	total := 0
	r := New(time.Nanosecond, 0, 1000, t0, func(_ context.Context, b map[int]int) error {
		mu.Lock()
		total += len(b)
		mu.Unlock()
		return nil
	})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if r.Note(g*1000+i, t0.Add(time.Duration(i)), i) {
					r.Flush(context.Background(), t0.Add(time.Duration(i)))
				}
			}
		}()
	}
	wg.Wait()
	r.Flush(context.Background(), t0)
	if total != 800 {
		t.Errorf("wrote %d notes, want 800", total)
	}
}
