package iamsvc

import (
	"net/url"
	"testing"
)

func TestEncodeDocument(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unreserved kept", "aZ09-._~", "aZ09-._~"},
		{"json", `{"a": "b/c"}`, "%7B%22a%22%3A%20%22b%2Fc%22%7D"},
		{"utf-8 bytes", "é", "%C3%A9"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := encodeDocument(tc.in); got != tc.want {
				t.Errorf("encodeDocument(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzEncodeDocument checks that every document survives the URL decoding clients apply.
func FuzzEncodeDocument(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[]}`)
	f.Add("a+b %41\x00\xff")
	f.Fuzz(func(t *testing.T, doc string) {
		got, err := url.QueryUnescape(encodeDocument(doc))
		if err != nil || got != doc {
			t.Fatalf("round trip of %q = %q, %v", doc, got, err)
		}
	})
}

func TestParseSliceMarker(t *testing.T) {
	tests := []struct {
		name   string
		marker string
		want   int
		ok     bool
	}{
		{"empty is the start", "", 0, true},
		{"issued", sliceMarker(7), 7, true},
		{"not base64", "!!", 0, false},
		{"foreign prefix", "eHl6OjE", 0, false},
		{"negative", sliceMarker(0)[:2] + "garbage", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSliceMarker(tc.marker)
			if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
				t.Errorf("parseSliceMarker(%q) = %d, %v", tc.marker, got, err)
			}
		})
	}
}

// FuzzSliceMarker checks that any marker either is refused or selects a page within bounds.
func FuzzSliceMarker(f *testing.F) {
	f.Add(sliceMarker(3), 2)
	f.Add("", 0)
	f.Add("aWFtZC1pOi0x", 5)
	f.Fuzz(func(t *testing.T, marker string, max int) {
		items := []int{0, 1, 2, 3, 4}
		page, trunc, next, err := pageSlice(items, marker, max)
		if err != nil {
			return
		}
		if len(page) > len(items) || (trunc && next == "") || (!trunc && next != "") {
			t.Fatalf("pageSlice(%q, %d) = %v, %v, %q", marker, max, page, trunc, next)
		}
	})
}
