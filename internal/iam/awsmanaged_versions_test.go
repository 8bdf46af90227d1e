package iam

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ReadOnlyAccess's v2, an early version with a date of its own in the source; the hash (of the
// compact document) was computed from the npm package with a separate tool.
const (
	readOnlyRecorded = 151
	readOnlyV2SHA256 = "8e20cb3b2656f47f25cdc076bf37bb555e65375222e1a97ad9e17f181df5b9a6"
)

// TestAWSManagedVersions checks every shipped version of every policy: newest first, the default
// first and alone marked so, dates not after the default's, and every document compact JSON,
// each gzip member of documents read once (reading every version through
// AWSManagedPolicyVersion would inflate each member once per version in it); the first, second
// and last version of each policy are read through AWSManagedPolicyVersion.
func TestAWSManagedVersions(t *testing.T) {
	total := 0
	histories := awsManagedHistory()
	for pi, m := range AWSManagedPolicies() {
		arn := m.Policy().Arn
		vs, ok := AWSManagedPolicyVersions(arn)
		if !ok || len(vs) == 0 || vs[0].VersionID != m.DefaultVersion || !vs[0].IsDefaultVersion || !vs[0].CreateDate.Equal(m.Updated) {
			t.Fatalf("%s: versions %v, %v; default %s updated %v", arn, vs, ok, m.DefaultVersion, m.Updated)
		}
		total += len(vs)
		h := histories[pi]
		inChunk := make([]int, len(h.Chunks))
		for _, v := range h.Versions[1:] {
			if v.Chunk < 1 || v.Chunk > len(h.Chunks) || v.Pos != inChunk[v.Chunk-1] {
				t.Fatalf("%s %s: chunk %d position %d", arn, v.ID, v.Chunk, v.Pos)
			}
			inChunk[v.Chunk-1]++
		}
		for ci, c := range h.Chunks {
			var docs []json.RawMessage
			if err := gunzipJSON(awsManagedDocuments[c[0]:c[0]+c[1]], &docs); err != nil || len(docs) != inChunk[ci] {
				t.Fatalf("%s: chunk %d: %d documents, %v; want %d", arn, ci, len(docs), err, inChunk[ci])
			}
			for _, d := range docs {
				if !json.Valid(d) || strings.Contains(string(d), "\n") || d[0] != '{' {
					t.Fatalf("%s: chunk %d: a document is not compact JSON", arn, ci)
				}
			}
		}
		last := 1 << 30
		for i, v := range vs {
			n, err := strconv.Atoi(strings.TrimPrefix(v.VersionID, "v"))
			if err != nil || n >= last || v.IsDefaultVersion != (i == 0) || v.CreateDate.IsZero() || v.CreateDate.After(m.Updated) {
				t.Fatalf("%s: version %d is %+v after v%d", arn, i, v, last)
			}
			last = n
			if i > 1 && i < len(vs)-1 {
				continue
			}
			got, ok := AWSManagedPolicyVersion(arn, v.VersionID)
			if !ok || got.VersionID != v.VersionID || !got.CreateDate.Equal(v.CreateDate) || got.IsDefaultVersion != v.IsDefaultVersion {
				t.Fatalf("%s %s: %+v, %v", arn, v.VersionID, got, ok)
			}
			if !json.Valid([]byte(got.Document)) || strings.Contains(got.Document, "\n") || !strings.HasPrefix(got.Document, "{") {
				t.Fatalf("%s %s: document is not compact JSON", arn, v.VersionID)
			}
			if i == 0 && got.Document != m.Document {
				t.Fatalf("%s: default version's document is not the catalogue's", arn)
			}
		}
	}
	if total != 6194 {
		t.Errorf("%d versions shipped, want the source's 6,194", total)
	}
}

func TestAWSManagedVersionsReadOnlyAccess(t *testing.T) {
	const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	vs, _ := AWSManagedPolicyVersions(arn)
	if len(vs) != readOnlyRecorded || vs[0].VersionID != readOnlyVersion || vs[len(vs)-1].VersionID != "v1" {
		t.Fatalf("%d versions, %s to %s; want %d, %s to v1", len(vs), vs[0].VersionID, vs[len(vs)-1].VersionID, readOnlyRecorded, readOnlyVersion)
	}
	v2, ok := AWSManagedPolicyVersion(arn, "v2")
	sum := sha256.Sum256([]byte(v2.Document))
	if !ok || v2.IsDefaultVersion || !v2.CreateDate.Equal(time.Date(2015, 4, 21, 16, 37, 57, 0, time.UTC)) || hex.EncodeToString(sum[:]) != readOnlyV2SHA256 {
		t.Errorf("v2 = %v (created %v, default %v), sha256 %x", ok, v2.CreateDate, v2.IsDefaultVersion, sum)
	}
	for _, id := range []string{"v180", "v189", "v0", "V2", ""} { // v180 is AWS's but not recorded
		if _, ok := AWSManagedPolicyVersion(arn, id); ok {
			t.Errorf("version %q found", id)
		}
	}
	if _, ok := AWSManagedPolicyVersions("arn:aws:iam::aws:policy/NoSuchPolicy"); ok {
		t.Error("versions of an absent policy")
	}
}

// BenchmarkAWSManagedOldVersion is the cost of GetPolicyVersion's read of an old version of the
// largest policy: one gzip member inflated.
func BenchmarkAWSManagedOldVersion(b *testing.B) {
	for b.Loop() {
		if _, ok := AWSManagedPolicyVersion("arn:aws:iam::aws:policy/ReadOnlyAccess", "v140"); !ok {
			b.Fatal("v140 missing")
		}
	}
}
