package awsquery

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestParamsOrder covers the three ways finish orders parameters: already sorted (the SDKs'
// habit), a short unsorted list, and a long one; duplicates are found in all three.
func TestParamsOrder(t *testing.T) {
	long := func(dup bool) string {
		var parts []string
		for i := 40; i > 0; i-- {
			parts = append(parts, fmt.Sprintf("P%02d=%d", i, i))
		}
		if dup {
			parts = append(parts, "P07=again")
		}
		return strings.Join(parts, "&")
	}
	tests := []struct {
		name    string
		body    string
		wantDup string
	}{
		{"sorted", "Action=A&UserName=u&Version=1", ""},
		{"short unsorted", "Version=1&UserName=u&Action=A", ""},
		{"short duplicate", "Version=1&Action=A&Version=2", `"Version"`},
		{"long unsorted", long(false), ""},
		{"long duplicate", long(true), `"P07"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseParams("", []byte(tt.body), "application/x-www-form-urlencoded; charset=utf-8")
			if tt.wantDup != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantDup) {
					t.Fatalf("err = %v, want a duplicate %s", err, tt.wantDup)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sort.StringsAreSorted(p.names) {
				t.Errorf("names not sorted: %v", p.names)
			}
			// Every pair of the body is found under its name with its own value.
			for _, pair := range strings.Split(tt.body, "&") {
				k, v, _ := strings.Cut(pair, "=")
				if got, ok := p.Get(k); !ok || got != v {
					t.Errorf("Get(%q) = %q, %v; want %q", k, got, ok, v)
				}
			}
		})
	}
}

func TestParseMediaTypeFastPath(t *testing.T) {
	tests := []struct {
		name, ct string
		wantErr  bool
	}{
		{"sdk", "application/x-www-form-urlencoded; charset=utf-8", false},
		{"plain", "application/x-www-form-urlencoded", false},
		{"other spacing goes through mime", "application/x-www-form-urlencoded;charset=utf-8", false},
		{"latin1 refused", "application/x-www-form-urlencoded; charset=iso-8859-1", true},
		{"json refused", "application/json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseParams("", []byte("Action=A"), tt.ct)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
