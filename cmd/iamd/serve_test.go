package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	tests := []struct {
		name, gogc, limit string
		wantPercent       int
		wantLimit         int64
	}{
		{name: "defaults", wantPercent: 400, wantLimit: 1 << 30},
		{name: "operator's GOGC", gogc: "150", wantPercent: 100, wantLimit: 1 << 30},
		{name: "operator's GOMEMLIMIT", limit: "2GiB", wantPercent: 400, wantLimit: math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The runtime read GOGC/GOMEMLIMIT at start; the settings below stand for what it set.
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			t.Setenv("GOGC", tt.gogc)
			t.Setenv("GOMEMLIMIT", tt.limit)
			tuneGC()
			if got := debug.SetGCPercent(100); got != tt.wantPercent {
				t.Errorf("GC percent %d, want %d", got, tt.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("memory limit %d, want %d", got, tt.wantLimit)
			}
		})
	}
}
