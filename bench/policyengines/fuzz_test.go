package policyengines

import (
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzActions are actions in the canonical case AWS documents: on them all engines must agree.
var fuzzActions = []string{
	"s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectAcl",
	"ec2:DescribeInstances", "ec2:RunInstances", "cloudwatch:GetMetricData", "iam:CreateUser",
}

// fuzzOtherResources are resources that are not S3 ARNs; minio/pkg knows only buckets and
// objects, so these come from a fixed list rather than from the fuzzer.
var fuzzOtherResources = []string{
	"*", "arn:aws:iam::111122223333:user/bob", "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
}

// FuzzAgree is a differential test: for any request it builds, every engine must give the same
// decision. The action is one of fuzzActions when the selector is small; otherwise the fuzzer's
// own action string is used and only the engines that compare actions without regard to case
// (as IAM does) are compared, since Cedar's `like` and minio's wildcard compare bytes (see
// TestDivergences). An S3 resource is "arn:aws:s3:::" plus the fuzzer's string.
func FuzzAgree(f *testing.F) {
	for _, r := range append(Mix(), More()...) {
		sel := uint8(255)
		for i, a := range fuzzActions {
			if a == r.Action {
				sel = uint8(i)
			}
		}
		rest, _ := strings.CutPrefix(r.Resource, "arn:aws:s3:::")
		f.Add(sel, r.Action, rest, r.SourceIP, r.Prefix)
	}
	f.Add(uint8(2), "", "data-a/uploads/x", "::ffff:10.1.2.3", "")
	f.Add(uint8(3), "", "data-a//home/alice/x", "", "home/alice/*")
	f.Add(uint8(200), "S3:getOBJECT", "data-a/secret/x", "10.0.0.1", "")
	es := engines(f)
	f.Fuzz(func(t *testing.T, sel uint8, action, resource, sourceIP, prefix string) {
		// IAM request strings are UTF-8; the engines disagree on how to match invalid bytes.
		if !utf8.ValidString(action) || !utf8.ValidString(resource) || !utf8.ValidString(sourceIP) || !utf8.ValidString(prefix) {
			t.Skip()
		}
		r := Request{Name: "fuzz", Action: action, SourceIP: sourceIP, Prefix: prefix}
		foldingOnly := true
		if int(sel) < len(fuzzActions) {
			r.Action, foldingOnly = fuzzActions[sel], false
		}
		if sel&0x80 != 0 && int(sel&0x7f) < len(fuzzOtherResources) {
			r.Resource = fuzzOtherResources[sel&0x7f]
		} else {
			r.Resource = "arn:aws:s3:::" + resource
		}
		mapped := false
		if a, err := netip.ParseAddr(sourceIP); err == nil && a.Is4In6() {
			mapped = true // Cedar keeps IPv4-mapped IPv6 apart from IPv4 (see TestDivergences)
		}
		// minio matches a bucket ARN as "bucket/", so object patterns ("bucket-*/*") match it
		// (see TestDivergences).
		bucketOnly := strings.HasPrefix(r.Resource, "arn:aws:s3:::") && !strings.Contains(resource, "/")
		want := decide(t, es[0], r) // iamd
		for _, e := range es[1:] {
			switch {
			case foldingOnly && !strings.HasPrefix(e.Name(), "opa"),
				mapped && e.Name() == "cedar-go",
				bucketOnly && e.Name() == "minio/pkg":
				continue
			}
			if got := decide(t, e, r); got != want {
				t.Errorf("%s: %+v: got %v, iamd %v", e.Name(), r, got, want)
			}
		}
	})
}
