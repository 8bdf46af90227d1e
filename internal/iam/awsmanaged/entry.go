// Package awsmanaged defines the format of the catalogue of AWS managed policies that package
// iam embeds (policies.json.gz): gen writes it, package iam reads it.
package awsmanaged

import (
	"encoding/json"
	"time"
)

// Entry is one policy of the catalogue at its default version. The short keys keep the
// catalogue small.
type Entry struct {
	Name        string          `json:"n"`
	Path        string          `json:"p"`
	ID          string          `json:"i"`
	Version     string          `json:"v"`
	Created     time.Time       `json:"c"`
	Updated     time.Time       `json:"u"`
	Description string          `json:"d,omitempty"`
	Document    json.RawMessage `json:"doc"` // raw, so AWS's statement and key order stay
}

// History is one policy's recorded versions (versions.json.gz), in the catalogue's order of
// policies so that the two files line up entry for entry. The package records most versions AWS
// published, not all, and some of its dates are the policy's creation date rather than the
// version's (see README.md).
type History struct {
	Name     string    `json:"n"`
	Path     string    `json:"p"`
	Versions []Version `json:"v"` // newest first, as ListPolicyVersions lists them
	// Chunks are the gzip members of documents.gz holding this policy's earlier documents, each
	// as its offset and length in the file and holding a JSON array of documents. A member holds
	// at most about 256 KB of JSON, so reading an old version inflates little.
	Chunks [][2]int `json:"k,omitempty"`
}

// Version is one recorded version of a policy. The default version's document is the
// catalogue's (policies.json.gz): Chunk is 0 for it; an earlier version's document is element
// Pos of Chunks[Chunk-1].
type Version struct {
	ID      string    `json:"i"`
	Created time.Time `json:"c"`
	Chunk   int       `json:"k,omitempty"`
	Pos     int       `json:"x,omitempty"`
}
