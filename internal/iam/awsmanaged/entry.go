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
