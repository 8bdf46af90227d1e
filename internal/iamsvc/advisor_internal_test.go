package iamsvc

import (
	"testing"
	"time"
)

// BenchmarkAccessTrackerNote measures what the authorization hook adds to a request that was
// already noted this minute (the common case): a map lookup under a mutex.
func BenchmarkAccessTrackerNote(b *testing.B) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := NewAccessTracker(nil, func() time.Time { return now }, nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tr.note("123456789012", "AIDAEXAMPLEEXAMPLE01", "arn:aws:iam::123456789012:user/u", "us-east-1", "iam:ListUsers")
		}
	})
}

func TestAccessTrackerNoteThrottles(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := NewAccessTracker(nil, func() time.Time { return now }, nil)
	cases := []struct {
		name    string
		advance time.Duration
		action  string
		pending int
		due     bool
	}{
		{"first attempt is queued", 0, "iam:ListUsers", 1, false},
		{"same action within a minute is not", 30 * time.Second, "iam:ListUsers", 1, false},
		{"another action is", 0, "iam:GetUser", 2, false},
		{"not an action", 0, "ListUsers", 2, false},
		{"after the flush interval it is due", flushInterval, "iam:ListUsers", 2, true},
	}
	for _, tc := range cases {
		now = now.Add(tc.advance)
		due := tr.note("123456789012", "AIDAEXAMPLEEXAMPLE01", "arn:aws:iam::123456789012:user/u", "us-east-1", tc.action)
		if due != tc.due || tr.notes.Pending() != tc.pending {
			t.Errorf("%s: due %v pending %d, want %v %d", tc.name, due, tr.notes.Pending(), tc.due, tc.pending)
		}
	}
}

func TestTimeOrderedID(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := ""
	for i := range 50 {
		id := timeOrderedID(base.Add(time.Duration(i) * time.Millisecond))
		if len(id) != 36 || id[14] != '7' || id <= prev {
			t.Fatalf("id %d = %q after %q: want 36 characters, version 7, increasing", i, id, prev)
		}
		prev = id
	}
}
