package authz

import (
	"strings"
	"testing"
)

// FuzzResourceHandling feeds arbitrary scenarios and ARNs to the simulator's ARN readers: they
// must answer, never panic; a scenario is accepted only when every resource type it needs is
// named by an EC2 ARN; a resource's account is one the ARN names or the owner; only user ARNs
// pass as callers.
func FuzzResourceHandling(f *testing.F) {
	f.Add("EC2-VPC-EBS", "arn:aws:ec2:us-east-1:123456789012:instance/i-1\narn:aws:ec2:us-east-1::image/ami-1", "111122223333")
	f.Add("EC2-VPC-InstanceStore-Subnet", "arn:aws:ec2:*:*:subnet/*", "")
	f.Add("EC2-Classic-EBS", "*", "")
	f.Add("", "arn:aws:s3:::bucket/key", "999999999999")
	f.Add("EC2-VPC-EBS", "arn:::::\narn:aws:ec2:::volume", "x")
	f.Add("", "arn:aws:iam::123456789012:user/team/alice\narn:aws:sts::123456789012:assumed-role/r/s", "")
	f.Fuzz(func(t *testing.T, option, resources, owner string) {
		list := strings.Split(resources, "\n")
		err := CheckResourceHandling(option, list)
		if need, ok := ResourceHandlingOptions[option]; ok && err == nil {
			for _, typ := range need {
				found := false
				for _, r := range list {
					if strings.HasPrefix(r, "arn:") && strings.Contains(r, ":ec2:") && strings.Contains(r, ":"+typ) {
						found = true
					}
				}
				if !found {
					t.Fatalf("%s accepted without a %s among %q", option, typ, list)
				}
			}
		}
		if option != "" && ResourceHandlingOptions[option] == nil && err == nil {
			t.Fatalf("unknown option %q accepted", option)
		}
		for _, r := range list {
			if isUserARN(r) && (!strings.HasPrefix(r, "arn:") || !strings.Contains(r, ":iam:") || !strings.Contains(r, ":user/")) {
				t.Fatalf("isUserARN(%q) is true", r)
			}
			if a := resourceAccount(r, owner); a != owner && !strings.Contains(r, ":"+a+":") {
				t.Fatalf("resourceAccount(%q, %q) = %q: neither the owner nor named by the ARN", r, owner, a)
			}
		}
	})
}
