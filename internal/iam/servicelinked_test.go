package iam

import "testing"

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
