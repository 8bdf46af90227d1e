package totp

import (
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1, truncated to the 6 digits IAM uses.
func TestVectors(t *testing.T) {
	seed := []byte("12345678901234567890")
	tests := []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	}
	for _, tc := range tests {
		step := Step(time.Unix(tc.unix, 0))
		if got := Code(seed, step); got != tc.want {
			t.Errorf("%d: Code = %s, want %s", tc.unix, got, tc.want)
		}
		if !Valid(seed, step, tc.want) || Valid(seed, step+1, tc.want) {
			t.Errorf("%d: Valid accepts the wrong step or refuses the right one", tc.unix)
		}
	}
}

func TestFindConsecutive(t *testing.T) {
	seed := []byte("12345678901234567890")
	c1, c2 := Code(seed, 100), Code(seed, 101)
	if s, ok := FindConsecutive(seed, c1, c2, 90, 110); !ok || s != 100 {
		t.Errorf("FindConsecutive = %d, %v; want 100, true", s, ok)
	}
	if _, ok := FindConsecutive(seed, c1, c2, 101, 110); ok {
		t.Error("found outside the window")
	}
	if _, ok := FindConsecutive(seed, c2, c1, 90, 110); ok {
		t.Error("found codes in the wrong order")
	}
}
