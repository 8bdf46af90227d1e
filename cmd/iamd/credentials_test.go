package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCredentialsRefusesItsOwnChain checks the guard against a credential_process that would run
// itself without end: the same request nested in its own chain is refused before any lookup,
// while another request nested in it goes on and adds itself to the chain its children inherit.
func TestCredentialsRefusesItsOwnChain(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/app"
	self := requestID(strings.Join([]string{role, "", "", "", strconv.Itoa(3600)}, "\x00"))
	// An agent URL nothing listens on: a request that passes the guard fails there, offline.
	const deadAgent = "http://127.0.0.1:1"
	other := requestID(strings.Join([]string{"", "", "", deadAgent, strconv.Itoa(3600)}, "\x00"))
	tests := []struct {
		name      string
		chain     string
		args      []string
		wantLoop  bool
		wantChain string // IAMD_CREDENTIALS_CHAIN after the run; "" means unchanged
	}{
		{"same request nested in itself", self, []string{"--role-arn", role}, true, ""},
		{"same request deeper in the chain", "0123abcd " + self, []string{"--role-arn", role}, true, ""},
		{"other request nested", self, []string{"--agent", deadAgent}, false, self + " " + other},
		{"first in the chain", "", []string{"--agent", deadAgent}, false, other},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(chainEnv, tc.chain)
			_, err := run(t, "", append([]string{"credentials", "--no-cache"}, tc.args...)...)
			if err == nil {
				t.Fatal("succeeded; want an error (the loop, or the dead agent)")
			}
			if loop := strings.Contains(err.Error(), "would run itself without end"); loop != tc.wantLoop {
				t.Fatalf("err = %v, want the loop refusal: %v", err, tc.wantLoop)
			}
			want := tc.wantChain
			if want == "" {
				want = tc.chain
			}
			if got := os.Getenv(chainEnv); got != want {
				t.Errorf("%s = %q, want %q", chainEnv, got, want)
			}
		})
	}
}
