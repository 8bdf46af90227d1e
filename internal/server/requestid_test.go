package server

import (
	"regexp"
	"strconv"
	"testing"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Request ids are version-4 UUIDs, as AWS's are, and do not repeat.
func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := newRequestID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("request id %q is not a version-4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("request id %q repeated", id)
		}
		seen[id] = true
	}
}

func BenchmarkNewRequestID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newRequestID()
	}
}

// A call's id and length header are strings over its own bytes; they must read as the
// allocating forms would.
func TestCallStrings(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
	}{{"zero", 0}, {"one digit", 7}, {"two digits", 42}, {"a response", 1534}, {"the body limit", DefaultMaxBody}, {"largest", 1<<63 - 1}} {
		t.Run(tc.name, func(t *testing.T) {
			c := new(call)
			id := c.newID()
			if !uuidV4.MatchString(id) || id != string(c.idText[:]) {
				t.Errorf("newID = %q (bytes %q)", id, c.idText[:])
			}
			if got, want := c.length(tc.n), strconv.Itoa(tc.n); got != want {
				t.Errorf("length(%d) = %q, want %q", tc.n, got, want)
			}
		})
	}
}
