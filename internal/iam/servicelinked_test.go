package iam

import (
	"strings"
	"testing"
)

func TestServiceLinkedRoleFor(t *testing.T) {
	cases := []struct {
		name, service, role string
		suffix, ok          bool
	}{
		{"known", "ecs.amazonaws.com", "AWSServiceRoleForECS", false, true},
		{"case-insensitive", "AutoScaling.AmazonAWS.com", "AWSServiceRoleForAutoScaling", true, true},
		{"unknown", "nosuch.amazonaws.com", "", false, false},
		{"empty", "", "", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := ServiceLinkedRoleFor(tc.service)
			if ok != tc.ok || r.RoleName != tc.role || r.CustomSuffix != tc.suffix {
				t.Errorf("ServiceLinkedRoleFor(%q) = %+v, %v", tc.service, r, ok)
			}
		})
	}
	if p := ServiceLinkedPath("ECS.amazonaws.com"); p != "/aws-service-role/ecs.amazonaws.com/" || !IsServiceLinked(p) || IsServiceLinked("/service-role/") {
		t.Errorf("ServiceLinkedPath = %q", p)
	}
}

// TestServiceLinkedRoleTable checks every row against the forms AWS documents: a service principal
// of the amazonaws.com domain, a role named AWSServiceRoleFor…, short enough to take a suffix when
// one is allowed, and an AWS managed policy of the embedded catalogue at /aws-service-role/.
func TestServiceLinkedRoleTable(t *testing.T) {
	if len(serviceLinkedRoles) < 100 {
		t.Errorf("%d services, want at least 100", len(serviceLinkedRoles))
	}
	names := map[string]string{}
	for service, r := range serviceLinkedRoles {
		if !strings.HasSuffix(service, ".amazonaws.com") || service != strings.ToLower(service) || strings.ContainsAny(service, "/ ") {
			t.Errorf("%s: not a service principal", service)
		}
		if !strings.HasPrefix(r.RoleName, "AWSServiceRoleFor") || !ValidName(r.RoleName) || len(r.RoleName) > MaxRoleNameLen {
			t.Errorf("%s: role name %q", service, r.RoleName)
		}
		if other, dup := names[r.RoleName]; dup {
			t.Errorf("%s: role name %s is also %s's", service, r.RoleName, other)
		}
		names[r.RoleName] = service
		p, ok := AWSManagedPolicyByARN(r.PolicyARN)
		if !ok || p.Path != ServiceLinkedPathPrefix || PolicyARN(AWSManagedAccount, p.Path, p.Name) != r.PolicyARN {
			t.Errorf("%s: policy %s not in the catalogue at %s (%+v, %v)", service, r.PolicyARN, ServiceLinkedPathPrefix, p.Path, ok)
		}
		got, ok := ServiceLinkedRoleFor(strings.ToUpper(service))
		if !ok || got != r {
			t.Errorf("ServiceLinkedRoleFor(%s) = %+v, %v", service, got, ok)
		}
	}
}
