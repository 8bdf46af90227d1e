package sts

import (
	"testing"

	"github.com/iamd/iamd/internal/iam"
)

// assumedRoleUser cuts two values out of one string; they must be exactly what the separate
// concatenations give.
func TestAssumedRoleUser(t *testing.T) {
	for _, tc := range []struct{ name, roleID, account, role, session string }{
		{"plain", "AROAEXAMPLEID1234567", "123456789012", "demo", "session1"},
		{"session with symbols", "AROAX", "000000000001", "a.b-c", "me@example.com=+,.-"},
		{"one-letter names", "A", "999999999999", "r", "s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, arn := assumedRoleUser(tc.roleID, tc.account, tc.role, tc.session)
			if want := tc.roleID + ":" + tc.session; id != want {
				t.Errorf("id = %q, want %q", id, want)
			}
			if want := iam.AssumedRoleARN(tc.account, tc.role, tc.session); arn != want {
				t.Errorf("arn = %q, want %q", arn, want)
			}
		})
	}
}
