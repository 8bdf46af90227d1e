package sts

import (
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/iam"
)

// The AssumedRoleId and ARN are cut out of one string; they must be exactly what the separate
// concatenations give.
func TestAssumedRoleParts(t *testing.T) {
	for _, tc := range []struct{ name, roleID, account, role, session string }{
		{"plain", "AROAEXAMPLEID1234567", "123456789012", "demo", "session1"},
		{"session with symbols", "AROAX", "000000000001", "a.b-c", "me@example.com=+,.-"},
		{"one-letter names", "A", "999999999999", "r", "s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := assumedRoleParts(tc.roleID, tc.account, tc.role, tc.session)
			id, arn := cutAssumedRole(strings.Join(parts[:], ""), tc.roleID, tc.session)
			if want := tc.roleID + ":" + tc.session; id != want {
				t.Errorf("id = %q, want %q", id, want)
			}
			if want := iam.AssumedRoleARN(tc.account, tc.role, tc.session); arn != want {
				t.Errorf("arn = %q, want %q", arn, want)
			}
		})
	}
}
