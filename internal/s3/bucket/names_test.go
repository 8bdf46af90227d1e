package bucket

import (
	"regexp"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, n := range []string{"abc", "my-bucket.example", "a1.b2-c3", "xn-abc", "docexamplebucket1", "192.168.5.4x", "aaa" + string(make([]byte, 0))} {
		if !ValidName(n) {
			t.Errorf("ValidName(%q) = false", n)
		}
	}
	for _, n := range []string{"", "ab", "ABC", "a_b", "a..b", ".ab", "ab-", "192.168.5.4", "xn--x", "sthree-x", "amzn-s3-demo-x", "x-s3alias", "x--ol-s3", "x.mrap", "x--x-s3", "x--table-s3", "a b"} {
		if ValidName(n) {
			t.Errorf("ValidName(%q) = true", n)
		}
	}
}

func TestCanonicalUserID(t *testing.T) {
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	a, b := CanonicalUserID(acctA), CanonicalUserID(acctB)
	if !hex64.MatchString(a) || !hex64.MatchString(b) || a == b || CanonicalUserID(acctA) != a {
		t.Errorf("CanonicalUserID: %s %s", a, b)
	}
}
