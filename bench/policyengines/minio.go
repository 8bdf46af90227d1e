package policyengines

import (
	"encoding/json"
	"strings"

	"github.com/iamd/iamd/policy"
	mp "github.com/minio/pkg/v3/policy"
	"github.com/minio/pkg/v3/policy/condition"
)

// Minio is minio/pkg's policy package with Identity decoded once.
//
// The document is decoded with encoding/json, not minio's ParseConfig: ParseConfig also
// validates against what a MinIO server serves, and refuses this policy twice over (s3:prefix is
// not a condition key of s3:DeleteObject in MinIO's table, and ec2:/cloudwatch: actions are not
// MinIO actions), although IAM accepts it. Minio's evaluator needs neither check: it matches
// actions and resources as wildcard strings.
type Minio struct {
	p         mp.Policy
	ipKey     string // the ConditionValues key minio reads for aws:SourceIp
	prefixKey string // and for s3:prefix
}

// NewMinio decodes Identity into minio's policy type.
func NewMinio() (*Minio, error) {
	var p mp.Policy
	if err := json.Unmarshal([]byte(Identity), &p); err != nil {
		return nil, err
	}
	return &Minio{
		p:         p,
		ipKey:     condition.KeyName("aws:SourceIp").Name(),
		prefixKey: condition.KeyName("s3:prefix").Name(),
	}, nil
}

func (*Minio) Name() string { return "minio/pkg" }

// Prepare splits the resource as a MinIO server does before it asks the policy: an S3 ARN
// becomes bucket and object name (minio joins them back with "/" and matches the statement's
// resource pattern without its "arn:aws:s3:::" prefix). A resource that is not an S3 ARN is
// passed whole as the bucket, where only a "*" pattern can match it, as in IAM.
func (e *Minio) Prepare(r Request) (Decider, error) {
	args := e.args(r)
	return func() (policy.Decision, error) { return e.decide(&args), nil }, nil
}

// PrepareAllowed is Prepare for minio's native question, IsAllowed, which answers yes or no
// without telling an explicit deny from an implicit one.
func (e *Minio) PrepareAllowed(r Request) func() bool {
	args := e.args(r)
	return func() bool { return e.p.IsAllowed(args) }
}

func (e *Minio) args(r Request) mp.Args {
	args := mp.Args{AccountName: CallerName, Action: mp.Action(r.Action), ConditionValues: map[string][]string{}}
	if rest, ok := strings.CutPrefix(r.Resource, mp.ResourceARNPrefix); ok {
		args.BucketName, args.ObjectName, _ = strings.Cut(rest, "/")
	} else {
		args.BucketName = r.Resource
	}
	if r.SourceIP != "" {
		args.ConditionValues[e.ipKey] = []string{r.SourceIP}
	}
	if r.Prefix != "" {
		args.ConditionValues[e.prefixKey] = []string{r.Prefix}
	}
	return args
}

// decide derives IAM's three-way decision from minio's yes/no: when IsAllowed says no, a second
// pass over the Deny statements alone (DenyOnly) tells whether one of them matched.
func (e *Minio) decide(args *mp.Args) policy.Decision {
	if e.p.IsAllowed(*args) {
		return policy.Allowed
	}
	denyOnly := *args
	denyOnly.DenyOnly = true
	if !e.p.IsAllowed(denyOnly) {
		return policy.ExplicitDeny
	}
	return policy.ImplicitDeny
}
