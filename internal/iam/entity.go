package iam

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Partition is the ARN partition iamd answers for.
const Partition = "aws"

// Account is a tenant. One exists today; every entity carries its account id.
type Account struct {
	ID         string // 12 digits
	Alias      string // optional account alias
	CreateDate time.Time
}

// Tag is a key/value pair on a user, role, policy or instance profile.
type Tag struct {
	Key   string
	Value string
}

// BoundaryType is the only permissions boundary type AWS defines, as AWS writes it: the API
// reference says the type "can only have a value of Policy", although the model's enum names it
// PermissionsBoundaryPolicy (the SDKs accept either).
const BoundaryType = "Policy"

// User is an IAM user.
type User struct {
	Account          string
	UserID           string // AIDA…
	UserName         string
	Path             string
	Arn              string
	CreateDate       time.Time
	PasswordLastUsed time.Time // zero if never
	// PermissionsBoundary is the ARN of the boundary policy, "" if none.
	PermissionsBoundary string
	Tags                []Tag
}

// Group is an IAM group.
type Group struct {
	Account    string
	GroupID    string // AGPA…
	GroupName  string
	Path       string
	Arn        string
	CreateDate time.Time
}

// Role is an IAM role.
type Role struct {
	Account                  string
	RoleID                   string // AROA…
	RoleName                 string
	Path                     string
	Arn                      string
	CreateDate               time.Time
	AssumeRolePolicyDocument string // the trust policy, as the client sent it
	Description              string
	MaxSessionDuration       int32 // seconds, MinMaxSessionDuration..MaxMaxSessionDuration
	PermissionsBoundary      string
	Tags                     []Tag
	LastUsed                 RoleLastUsed
	// TrustPrincipals are the IAM users and roles the trust policy named when it was stored,
	// bound to their unique ids: a principal deleted and re-created under the same name is
	// another principal, and the policy no longer admits it (internal/principals).
	TrustPrincipals []PrincipalID `json:",omitempty"`
}

// PrincipalID binds an IAM user or role ARN named in a resource policy to the unique id of the
// entity it named when the policy was stored.
type PrincipalID struct {
	ARN string
	ID  string // AIDA… or AROA…
}

// RoleLastUsed records the latest use of a role's credentials. Zero when never used.
type RoleLastUsed struct {
	LastUsedDate time.Time
	Region       string
}

// Access key statuses.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// AccessKey is a long-term access key. The secret is kept only sealed (internal/seal); the
// service seals it on creation and opens it to verify signatures.
type AccessKey struct {
	Account      string
	AccessKeyID  string // AKIA…
	UserName     string // "" for the account's root user
	Status       string // StatusActive or StatusInactive
	SecretSealed []byte
	CreateDate   time.Time
	LastUsed     AccessKeyLastUsed
}

// AccessKeyLastUsed is what GetAccessKeyLastUsed reports. Zero when never used; AWS then answers
// ServiceName and Region "N/A".
type AccessKeyLastUsed struct {
	LastUsedDate time.Time
	ServiceName  string
	Region       string
}

// ManagedPolicy is a customer managed (or AWS managed) policy. AttachmentCount and
// PermissionsBoundaryUsageCount are computed by the store when it reads the policy.
type ManagedPolicy struct {
	Account                       string // "aws" for AWS managed policies
	PolicyID                      string // ANPA…
	PolicyName                    string
	Path                          string
	Arn                           string
	DefaultVersionID              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string
	CreateDate                    time.Time
	UpdateDate                    time.Time
	Tags                          []Tag
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	VersionID        string // "v1", "v2", … never reused within a policy
	Document         string
	IsDefaultVersion bool
	CreateDate       time.Time
}

// EntityKind names the entity kinds that carry inline and attached policies.
type EntityKind string

const (
	KindUser  EntityKind = "user"
	KindGroup EntityKind = "group"
	KindRole  EntityKind = "role"
)

// InlinePolicy is a policy embedded in one user, group or role.
type InlinePolicy struct {
	Kind          EntityKind
	PrincipalName string
	PolicyName    string
	Document      string
}

// AttachedPolicy is a managed policy attached to a user, group or role, as ListAttached*Policies
// reports it.
type AttachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

// PolicyAttachment is one entity a managed policy is attached to (ListEntitiesForPolicy).
type PolicyAttachment struct {
	Kind EntityKind
	Name string
	ID   string // the entity's unique id
}

// InstanceProfile is an instance profile; AWS allows at most one role in it.
type InstanceProfile struct {
	Account             string
	InstanceProfileID   string // AIPA…
	InstanceProfileName string
	Path                string
	Arn                 string
	CreateDate          time.Time
	Roles               []Role
	Tags                []Tag
}

// AppendFoldedName appends name as IAM compares names, case-insensitively: lower-cased. Caches
// build their keys with it in a stack buffer, so that a lookup allocates nothing.
func AppendFoldedName(b []byte, name string) []byte {
	n := len(b)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			// Names IAM accepts are ASCII; any other (an ARN's name part, as given) folds by
			// Unicode's rules.
			return append(b[:n], strings.ToLower(name)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
