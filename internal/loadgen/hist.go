package loadgen

import (
	"math/bits"
	"time"
)

// histogram records latencies in bounded memory with a relative error under 1%: values below
// 128 µs are kept exactly (in µs); above, each power of two is split into 128 linear buckets.
// It is not safe for concurrent use; each worker keeps its own and they are merged at the end.
type histogram struct {
	counts [subBuckets * 40]uint64
	n      uint64
	max    time.Duration
}

const (
	subBits    = 7
	subBuckets = 1 << subBits
)

func bucketOf(us uint64) int {
	if us < subBuckets {
		return int(us)
	}
	exp := bits.Len64(us) - subBits // ≥ 1
	idx := exp*subBuckets + int(us>>(exp-1)) - subBuckets
	if idx >= len(histogram{}.counts) {
		return len(histogram{}.counts) - 1
	}
	return idx
}

// lowerOf is the smallest value (µs) that falls in bucket i.
func lowerOf(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	exp := i / subBuckets
	return uint64(i%subBuckets+subBuckets) << (exp - 1)
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d/time.Microsecond))]++
	h.n++
	if d > h.max {
		h.max = d
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	if o.max > h.max {
		h.max = o.max
	}
}

// quantile returns the latency at quantile q (0 < q ≤ 1): the upper edge of the bucket holding
// the q·n-th value, capped by the observed maximum.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(lowerOf(i+1))*time.Microsecond, h.max)
		}
	}
	return h.max
}
