package iamsvc

import (
	"strings"
	"testing"
)

func TestParseIdentityARN(t *testing.T) {
	cases := []struct {
		name, in, account, typ, entity string
		ok                             bool
	}{
		{"user with path", "arn:aws:iam::123456789012:user/a/b/alice", "123456789012", "user", "alice", true},
		{"role", "arn:aws:iam::123456789012:role/r", "123456789012", "role", "r", true},
		{"group", "arn:aws:iam::123456789012:group/g", "123456789012", "group", "g", true},
		{"policy is not an identity", "arn:aws:iam::aws:policy/ReadOnlyAccess", "", "", "", false},
		{"trailing slash", "arn:aws:iam::123456789012:user/a/", "", "", "", false},
		{"other service", "arn:aws:s3:::bucket/user/x", "", "", "", false},
		{"region set", "arn:aws:iam:us-east-1:123456789012:user/x", "", "", "", false},
		{"not an ARN", "user/x", "", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			account, typ, name, ok := parseIdentityARN(tc.in)
			if ok != tc.ok || account != tc.account || typ != tc.typ || name != tc.entity {
				t.Errorf("parseIdentityARN(%q) = %q %q %q %v", tc.in, account, typ, name, ok)
			}
		})
	}
}

func FuzzParseIdentityARN(f *testing.F) {
	f.Add("arn:aws:iam::123456789012:user/a/b/alice")
	f.Add("arn:aws:iam::aws:policy/x")
	f.Add("arn:::::")
	f.Fuzz(func(t *testing.T, s string) {
		account, typ, name, ok := parseIdentityARN(s)
		if !ok {
			return
		}
		if name == "" || strings.Contains(name, "/") || !strings.Contains(s, ":"+account+":"+typ+"/") {
			t.Fatalf("parseIdentityARN(%q) = %q %q %q", s, account, typ, name)
		}
	})
}

func TestValidDeletionTaskID(t *testing.T) {
	uuid := "11111111-2222-4333-8444-555555555555"
	cases := []struct {
		name, id string
		ok       bool
	}{
		{"well formed", "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/" + uuid, true},
		{"short uuid", "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/123", false},
		{"missing role", "task/aws-service-role/ecs.amazonaws.com/" + uuid, false},
		{"wrong prefix", "task/other/ecs.amazonaws.com/R/" + uuid, false},
		{"extra part", "task/aws-service-role/a/b/c/" + uuid, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := validDeletionTaskID(tc.id); got != tc.ok {
				t.Errorf("validDeletionTaskID(%q) = %v", tc.id, got)
			}
		})
	}
}

func FuzzDeletionTaskID(f *testing.F) {
	f.Add("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/11111111-2222-4333-8444-555555555555")
	f.Add("task/aws-service-role///")
	f.Fuzz(func(t *testing.T, id string) {
		if validDeletionTaskID(id) && len(taskName(id)) != 36 {
			t.Fatalf("valid id %q names record %q", id, taskName(id))
		}
	})
}
