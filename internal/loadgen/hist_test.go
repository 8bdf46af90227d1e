package loadgen

import (
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
		tol    float64 // relative
	}{
		{"single", []time.Duration{300 * time.Microsecond}, 0.5, 300 * time.Microsecond, 0.01},
		{"exact below 128µs", []time.Duration{10 * time.Microsecond, 20 * time.Microsecond, 30 * time.Microsecond}, 0.5, 21 * time.Microsecond, 0},
		{"max caps the bucket edge", []time.Duration{5 * time.Millisecond}, 0.99, 5 * time.Millisecond, 0},
		{"p99 of a ramp", ramp(10000), 0.99, 9900 * time.Microsecond, 0.01},
		{"p50 of a ramp", ramp(10000), 0.5, 5000 * time.Microsecond, 0.01},
		{"seconds", []time.Duration{3 * time.Second, 7 * time.Second}, 1, 7 * time.Second, 0},
		{"negative counts as zero", []time.Duration{-time.Second}, 0.5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h histogram
			for _, v := range tt.values {
				h.record(v)
			}
			got := h.quantile(tt.q)
			diff := float64(got-tt.want) / float64(max(tt.want, 1))
			if diff < -tt.tol || diff > tt.tol+0.0001 {
				t.Errorf("quantile(%v) = %v, want %v ± %.0f%%", tt.q, got, tt.want, tt.tol*100)
			}
		})
	}
}

func ramp(n int) []time.Duration {
	v := make([]time.Duration, n)
	for i := range v {
		v[i] = time.Duration(i+1) * time.Microsecond
	}
	return v
}

// TestBuckets checks that bucket boundaries are contiguous and increasing, so quantiles are
// monotone.
func TestBuckets(t *testing.T) {
	prev := -1
	for us := uint64(0); us < 1<<22; us += 1 + us/512 {
		b := bucketOf(us)
		if b < prev {
			t.Fatalf("bucketOf(%d) = %d < %d", us, b, prev)
		}
		if lo := lowerOf(b); lo > us || (b+1 < len(histogram{}.counts) && lowerOf(b+1) <= us) {
			t.Fatalf("%d µs in bucket %d = [%d, %d)", us, b, lo, lowerOf(b+1))
		}
		prev = b
	}
	if b := bucketOf(^uint64(0)); b != len(histogram{}.counts)-1 {
		t.Errorf("huge value in bucket %d", b)
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b histogram
	a.record(time.Millisecond)
	b.record(2 * time.Millisecond)
	b.record(3 * time.Millisecond)
	a.merge(&b)
	if a.n != 3 || a.max != 3*time.Millisecond {
		t.Errorf("merged n=%d max=%v", a.n, a.max)
	}
}
