package simulate

import (
	"encoding/json"
	"testing"
)

// The simulator decides as the server does: the trust policy's own rule (internal/authz applies
// policy.TrustGate too), GetCallerIdentity never denied, and SCPs only for callers of an account.
func TestServerRules(t *testing.T) {
	const (
		alice    = `{"arn":"arn:aws:iam::111122223333:user/alice"}`
		role     = `arn:aws:iam::111122223333:role/r`
		allowAll = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
		denyAll  = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`
		trustEC2 = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`
		trustAcc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}}`
		bucket   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`
	)
	tests := []struct {
		name, req, decision, by string
	}{
		// Same account: the identity policy allows sts:AssumeRole, but the trust policy names
		// only EC2. AWS: the trust policy must allow the caller (or its account).
		{"trust policy not granting", `{"action":"sts:AssumeRole","resource":"` + role + `","principal":` + alice +
			`,"identityPolicies":[` + allowAll + `],"resourcePolicy":` + trustEC2 + `}`, "implicitDeny", "resourcePolicy"},
		{"trust policy trusting the account", `{"action":"sts:AssumeRole","resource":"` + role + `","principal":` + alice +
			`,"identityPolicies":[` + allowAll + `],"resourcePolicy":` + trustAcc + `}`, "allowed", "identityPolicies"},
		{"trust policy trusting the account, no identity allow", `{"action":"sts:AssumeRole","resource":"` + role + `","principal":` + alice +
			`,"resourcePolicy":` + trustAcc + `}`, "implicitDeny", "identityPolicies"},
		// A resource policy other than a trust policy is one grant among others.
		{"bucket policy not naming the caller", `{"action":"s3:PutObject","resource":"arn:aws:s3:::b/k","principal":` + alice +
			`,"identityPolicies":[` + allowAll + `],"resourcePolicy":` + bucket + `}`, "allowed", "identityPolicies"},
		// GetCallerIdentity: never denied, not even by an explicit Deny or an SCP.
		{"GetCallerIdentity under a deny", `{"action":"sts:GetCallerIdentity","resource":"*","principal":` + alice +
			`,"identityPolicies":[` + denyAll + `],"scps":[[` + denyAll + `]]}`, "allowed", ""},
		{"GetCallerIdentity without policies", `{"action":"sts:getcalleridentity","resource":"*","principal":` + alice + `}`, "allowed", ""},
		// SCPs: an anonymous caller is of no account, and no SCP applies to it.
		{"anonymous caller and an SCP", `{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"111122223333"` +
			`,"resourcePolicy":` + bucket + `,"scps":[[` + denyAll + `]]}`, "allowed", "resourcePolicy"},
		{"a caller of the account and an SCP", `{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","principal":` + alice +
			`,"resourcePolicy":` + bucket + `,"scps":[[` + denyAll + `]]}`, "explicitDeny", "scps[0][0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var req Request
			if err := json.Unmarshal([]byte(tc.req), &req); err != nil {
				t.Fatal(err)
			}
			res, err := Simulate(&req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Decision != tc.decision || res.DecidedBy != tc.by {
				t.Errorf("decision %s by %q, want %s by %q", res.Decision, res.DecidedBy, tc.decision, tc.by)
			}
		})
	}
}
