// Package store is iamd's persistence contract: what the IAM and STS services may ask of a
// backend, and what every backend guarantees. The conformance suite in storetest checks each
// guarantee; sqlstore implements it on SQLite and PostgreSQL.
//
// Guarantees:
//
//   - Transactions are closures. Read runs fn against one consistent snapshot: it sees every
//     Write committed before it began and none committed after. Write runs fn serializably with
//     respect to every other Write: a read-check-write sequence inside fn (count the user's keys,
//     create one if fewer than two) cannot be interleaved with another. A Write whose fn returns an
//     error changes nothing. A backend may run fn more than once when it meets a conflict or a busy
//     database, so fn must be idempotent apart from its effects on the Tx, and must not keep the Tx
//     after it returns. fn must not start another transaction on the same Store (a backend may
//     have a single writer connection, and a nested Write would wait for itself).
//   - Everything is scoped by account id, except lookups that must work before the account is
//     known (an access key by its id) and the seal keyring, which belongs to the installation.
//   - Names are unique per account and kind, compared case-insensitively (AWS's rule), and are
//     returned as they were written. Creating a duplicate returns ErrAlreadyExists; reading or
//     changing something absent returns ErrNotFound; deleting something others still refer to (a
//     user with keys, a policy that is attached, a default policy version) returns ErrConflict.
//     The services check those cases first to answer in AWS's words; the store's refusal is the
//     backstop that keeps the data consistent. Errors are tested with errors.Is.
//   - Entities reference one another by unique id, so renaming a user or group keeps its keys,
//     memberships, attachments and inline policies.
//   - Lists are ordered by name (case-insensitively) and paged with an opaque marker that names the
//     last item returned: paging is stable under concurrent inserts and deletes (no item is
//     returned twice, and an item present for the whole listing is returned once).
//   - Computed counts are exact: a managed policy's AttachmentCount and
//     PermissionsBoundaryUsageCount are counted when it is read, never kept as a separate tally.
//   - Generation increases with every committed Write that changed data, so a cache of compiled
//     policies can be validated with one cheap call. It never decreases while the data persists.
//     A Write that changed nothing writes nothing (so iamd can start on a full disk).
//   - Time values are stored with at least microsecond precision and returned in UTC.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/iamd/iamd/internal/iam"
)

// Sentinel errors; backends may wrap them with detail.
var (
	ErrNotFound      = errors.New("store: not found")
	ErrAlreadyExists = errors.New("store: already exists")
	ErrConflict      = errors.New("store: conflict")
	// ErrInvalidMarker is returned for a paging marker this store did not issue.
	ErrInvalidMarker = errors.New("store: invalid marker")
	// ErrStorageFull is returned by a write that failed because the storage has no space left.
	// Nothing was written; reads still work, and writes work again once space is freed. Its
	// Unavailable method gives the message for clients, which are told to retry later (HTTP 503)
	// rather than that the service failed.
	ErrStorageFull error = unavailableError("store: storage is full (no space left on the device): the data is read-only until space is freed")
)

type unavailableError string

func (e unavailableError) Error() string { return string(e) }

// Unavailable is the message clients get: the server is up, but cannot accept writes now.
func (e unavailableError) Unavailable() string {
	return "The service is unavailable: its storage is full, so it serves reads only. Writes succeed again once the operator frees space."
}

// Store is a backend.
type Store interface {
	// Read runs fn in a read-only transaction on a consistent snapshot.
	Read(ctx context.Context, fn func(Tx) error) error
	// Write runs fn in a serializable read-write transaction, committing if fn returns nil. It
	// may run fn again after a conflict or busy database; fn must be idempotent.
	Write(ctx context.Context, fn func(Tx) error) error
	// Generation is a counter that every committed Write that changed data increases.
	Generation(ctx context.Context) (uint64, error)
	// RecordAccessKeyUses writes when, for which service and from which region access keys were
	// last used; keys that no longer exist are skipped. It does not move Generation: last-used
	// data feeds GetAccessKeyLastUsed and the credential report, never an authorization
	// decision, so caches validated by Generation stay valid.
	RecordAccessKeyUses(ctx context.Context, uses map[string]iam.AccessKeyLastUsed) error
	// RecordRoleUse writes a role's RoleLastUsed without moving Generation, for the same reason:
	// last-use data is reported, never used to decide. ErrNotFound when the role is gone.
	RecordRoleUse(ctx context.Context, account, roleID string, used iam.RoleLastUsed) error
	// AppendEvents stores audit events. Like the last-use records it does not move Generation:
	// events are reported, never used to decide. An event whose ID is already stored is
	// skipped, so a batch may be written again after a failure.
	AppendEvents(ctx context.Context, events []Event) error
	// Events lists an account's events, newest first, as the filter selects them.
	Events(ctx context.Context, account string, f EventFilter) (Page[Event], error)
	// DeleteEventsBefore removes the events older than t, of every account (retention).
	DeleteEventsBefore(ctx context.Context, t time.Time) error
	Close() error
}

// Event is one audit event. Data is the event itself (CloudTrail's JSON); the other fields are
// what a lookup filters on.
type Event struct {
	ID           string
	Account      string
	Time         time.Time
	Name         string // the operation
	Source       string // "iam.amazonaws.com", "sts.amazonaws.com", …
	Username     string
	AccessKeyID  string
	ReadOnly     bool
	ResourceType string
	ResourceName string
	Data         []byte
}

// EventFilter selects events: those whose time is in [Start, End] (a zero bound is open) and,
// when Attribute is set, whose Attribute equals Value. Marker and MaxItems page as elsewhere.
type EventFilter struct {
	Start, End time.Time
	Attribute  EventAttribute
	Value      string
	Marker     string
	MaxItems   int
}

// EventAttribute is what an EventFilter compares.
type EventAttribute string

// The attributes LookupEvents looks events up by.
const (
	EventByID           EventAttribute = "EventId"
	EventByName         EventAttribute = "EventName"
	EventByReadOnly     EventAttribute = "ReadOnly"
	EventByUsername     EventAttribute = "Username"
	EventByResourceType EventAttribute = "ResourceType"
	EventByResourceName EventAttribute = "ResourceName"
	EventBySource       EventAttribute = "EventSource"
	EventByAccessKeyID  EventAttribute = "AccessKeyId"
)

// DefaultMaxItems is the page size when a ListOptions leaves MaxItems zero (AWS's default).
const DefaultMaxItems = 100

// ListOptions selects a page of a list. Marker is the value a previous Page returned.
type ListOptions struct {
	PathPrefix string // "" or "/" lists everything
	Marker     string
	MaxItems   int // 0 means DefaultMaxItems
}

// Page is one page of a list. Marker is set, and IsTruncated true, when more items follow.
type Page[T any] struct {
	Items       []T
	IsTruncated bool
	Marker      string
}

// PolicyScope selects managed policies for ListPolicies.
type PolicyScope string

const (
	ScopeAll   PolicyScope = "All"
	ScopeAWS   PolicyScope = "AWS"   // AWS managed policies (account "aws")
	ScopeLocal PolicyScope = "Local" // the account's customer managed policies
)

// PolicyListOptions selects managed policies.
type PolicyListOptions struct {
	ListOptions
	Scope        PolicyScope // "" means ScopeAll
	OnlyAttached bool
}

// Record is an entity of a kind that is found only by its name or by the user it belongs to:
// login profiles, MFA devices, OIDC and SAML providers, certificates, SSH keys, service-specific
// credentials, account-wide settings. The service owns the encoding of Data (JSON by convention)
// and seals any secret in it before storing; the store keeps Data as given.
type Record struct {
	Account string
	Kind    string // e.g. "login-profile"; each kind is its own namespace
	Name    string // unique per (Account, Kind), compared case-insensitively
	// OwnerID is the unique id of the user the record belongs to, "" for none.
	OwnerID string
	Data    []byte
}

// SealKey is a data key of the seal keyring, wrapped under the master key.
type SealKey struct {
	ID         uint32
	Wrapped    []byte
	CreateDate time.Time
}

// Bucket is an S3 bucket's entry in the registry. Its Name is global: unique across every
// account of the installation, as bucket names are across AWS, and compared exactly (S3's
// names are lowercase). The configuration documents are kept as the S3 layer gives them.
type Bucket struct {
	Name       string
	Account    string // the owner
	Region     string
	CreateDate time.Time
	// Policy is the bucket policy as stored ("" for none); PolicyPrincipals are the users and
	// roles it names, bound to their unique ids when it was stored (as a trust policy's are).
	Policy           string
	PolicyPrincipals []iam.PrincipalID
	// PublicAccessBlock is nil when the bucket has none configured.
	PublicAccessBlock *PublicAccessBlock
	// ObjectOwnership is the ownership controls' rule ("BucketOwnerEnforced", …), "" for none.
	ObjectOwnership string
	// Tags is the bucket's tag set, nil for none.
	Tags []iam.Tag
	// CORS is the CORS configuration as the S3 layer encodes it, "" for none.
	CORS string
	// Configs holds further configuration documents by name (versioning, encryption,
	// lifecycle, …), each encoded by the S3 layer.
	Configs map[string]string
}

// PublicAccessBlock is a bucket's S3 Block Public Access configuration.
type PublicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

// BucketListOptions selects an account's buckets for Buckets.
type BucketListOptions struct {
	Prefix string // only names that start with it
	Region string // only buckets of this region; "" for all
	After  string // only names after it (byte order): the last name of a previous page
	Limit  int    // at most this many; 0 for all
}

// Tx is what a transaction can do. Methods that change data fail with an error when called
// inside Read. Returned values are copies: changing them changes nothing stored.
type Tx interface {
	// Accounts.
	CreateAccount(ctx context.Context, a iam.Account) error
	Account(ctx context.Context, id string) (iam.Account, error)
	Accounts(ctx context.Context) ([]iam.Account, error)

	// Users. UpdateUser replaces the user with u.UserID (name, path, boundary, tags,
	// PasswordLastUsed); renaming onto an existing name is ErrAlreadyExists. DeleteUser is
	// ErrConflict while keys, group memberships, attached or inline policies remain.
	CreateUser(ctx context.Context, u iam.User) error
	User(ctx context.Context, account, name string) (iam.User, error)
	UserByID(ctx context.Context, account, id string) (iam.User, error)
	UpdateUser(ctx context.Context, u iam.User) error
	DeleteUser(ctx context.Context, account, name string) error
	Users(ctx context.Context, account string, opt ListOptions) (Page[iam.User], error)
	CountUsers(ctx context.Context, account string) (int, error)

	// Access keys. CreateAccessKey resolves k.UserName ("" = root) in k.Account; AccessKey finds
	// a key by id across all users and accounts.
	CreateAccessKey(ctx context.Context, k iam.AccessKey) error
	AccessKey(ctx context.Context, id string) (iam.AccessKey, error)
	AccessKeys(ctx context.Context, account, userName string) ([]iam.AccessKey, error)
	CountAccessKeys(ctx context.Context, account, userName string) (int, error)
	UpdateAccessKeyStatus(ctx context.Context, account, id, status string) error
	RecordAccessKeyUse(ctx context.Context, id string, used iam.AccessKeyLastUsed) error
	DeleteAccessKey(ctx context.Context, account, id string) error

	// Groups and membership. DeleteGroup is ErrConflict while it has members or policies.
	CreateGroup(ctx context.Context, g iam.Group) error
	Group(ctx context.Context, account, name string) (iam.Group, error)
	GroupByID(ctx context.Context, account, id string) (iam.Group, error)
	UpdateGroup(ctx context.Context, g iam.Group) error
	DeleteGroup(ctx context.Context, account, name string) error
	Groups(ctx context.Context, account string, opt ListOptions) (Page[iam.Group], error)
	CountGroups(ctx context.Context, account string) (int, error)
	// AddUserToGroup is idempotent, as AWS's AddUserToGroup is.
	AddUserToGroup(ctx context.Context, account, group, user string) error
	RemoveUserFromGroup(ctx context.Context, account, group, user string) error
	GroupMembers(ctx context.Context, account, group string, opt ListOptions) (Page[iam.User], error)
	GroupsForUser(ctx context.Context, account, user string, opt ListOptions) (Page[iam.Group], error)
	CountGroupsForUser(ctx context.Context, account, user string) (int, error)

	// Roles. DeleteRole is ErrConflict while it has policies or is in an instance profile.
	CreateRole(ctx context.Context, r iam.Role) error
	Role(ctx context.Context, account, name string) (iam.Role, error)
	RoleByID(ctx context.Context, account, id string) (iam.Role, error)
	UpdateRole(ctx context.Context, r iam.Role) error
	RecordRoleUse(ctx context.Context, account, roleID string, used iam.RoleLastUsed) error
	DeleteRole(ctx context.Context, account, name string) error
	Roles(ctx context.Context, account string, opt ListOptions) (Page[iam.Role], error)
	CountRoles(ctx context.Context, account string) (int, error)

	// Managed policies, looked up by ARN. CreatePolicy stores the policy with its document as
	// the default version: p.DefaultVersionID when set ("v12", as AWS managed policies are
	// seeded), else v1; that version's CreateDate is p.UpdateDate. DeletePolicy removes its versions too and is ErrConflict while attached or used
	// as a boundary. UpdatePolicy changes Description, Tags, UpdateDate.
	CreatePolicy(ctx context.Context, p iam.ManagedPolicy, document string) error
	Policy(ctx context.Context, arn string) (iam.ManagedPolicy, error)
	UpdatePolicy(ctx context.Context, p iam.ManagedPolicy) error
	DeletePolicy(ctx context.Context, arn string) error
	Policies(ctx context.Context, account string, opt PolicyListOptions) (Page[iam.ManagedPolicy], error)
	CountPolicies(ctx context.Context, account string) (int, error)
	// CreatePolicyVersion adds the next version ("v" + one more than any before) and returns it.
	CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool, created time.Time) (iam.PolicyVersion, error)
	PolicyVersion(ctx context.Context, arn, versionID string) (iam.PolicyVersion, error)
	PolicyVersions(ctx context.Context, arn string) ([]iam.PolicyVersion, error)
	SetDefaultPolicyVersion(ctx context.Context, arn, versionID string) error
	// DeletePolicyVersion is ErrConflict for the default version.
	DeletePolicyVersion(ctx context.Context, arn, versionID string) error

	// Attachments of managed policies. AttachPolicy is idempotent; DetachPolicy of a policy not
	// attached is ErrNotFound.
	AttachPolicy(ctx context.Context, account string, kind iam.EntityKind, principal, policyARN string) error
	DetachPolicy(ctx context.Context, account string, kind iam.EntityKind, principal, policyARN string) error
	AttachedPolicies(ctx context.Context, account string, kind iam.EntityKind, principal string, opt ListOptions) (Page[iam.AttachedPolicy], error)
	CountAttachedPolicies(ctx context.Context, account string, kind iam.EntityKind, principal string) (int, error)
	PolicyAttachments(ctx context.Context, policyARN string) ([]iam.PolicyAttachment, error)
	// PolicyUses counts a managed policy's uses by the entities of one account: attachments and
	// permissions boundaries. An AWS managed policy is shared by every account of the
	// installation, and each account sees only its own uses of it (Policy counts them all;
	// Policies counts those of the account it lists for).
	PolicyUses(ctx context.Context, account, policyARN string) (attached, boundaries int, err error)

	// Inline policies. PutInlinePolicy creates or replaces.
	PutInlinePolicy(ctx context.Context, account string, p iam.InlinePolicy) error
	InlinePolicy(ctx context.Context, account string, kind iam.EntityKind, principal, name string) (iam.InlinePolicy, error)
	InlinePolicies(ctx context.Context, account string, kind iam.EntityKind, principal string) ([]iam.InlinePolicy, error)
	InlinePolicyNames(ctx context.Context, account string, kind iam.EntityKind, principal string, opt ListOptions) (Page[string], error)
	DeleteInlinePolicy(ctx context.Context, account string, kind iam.EntityKind, principal, name string) error

	// Instance profiles. Roles are filled in when read. DeleteInstanceProfile is ErrConflict
	// while it holds a role; AddRoleToInstanceProfile is ErrConflict when it already holds one.
	CreateInstanceProfile(ctx context.Context, p iam.InstanceProfile) error
	InstanceProfile(ctx context.Context, account, name string) (iam.InstanceProfile, error)
	UpdateInstanceProfile(ctx context.Context, p iam.InstanceProfile) error
	DeleteInstanceProfile(ctx context.Context, account, name string) error
	InstanceProfiles(ctx context.Context, account string, opt ListOptions) (Page[iam.InstanceProfile], error)
	InstanceProfilesForRole(ctx context.Context, account, role string, opt ListOptions) (Page[iam.InstanceProfile], error)
	AddRoleToInstanceProfile(ctx context.Context, account, profile, role string) error
	RemoveRoleFromInstanceProfile(ctx context.Context, account, profile, role string) error

	// Records: entities found only by name or by owner (see Record). CreateRecord is
	// ErrAlreadyExists for a name taken case-insensitively; UpdateRecord replaces Data and Owner
	// and is ErrNotFound for an absent record. Records lists a kind by name, paged (PathPrefix
	// is ignored). DeleteUser is ErrConflict while the user owns records.
	CreateRecord(ctx context.Context, r Record) error
	Record(ctx context.Context, account, kind, name string) (Record, error)
	UpdateRecord(ctx context.Context, r Record) error
	DeleteRecord(ctx context.Context, account, kind, name string) error
	Records(ctx context.Context, account, kind string, opt ListOptions) (Page[Record], error)
	RecordsByOwner(ctx context.Context, account, kind, ownerID string) ([]Record, error)
	CountRecords(ctx context.Context, account, kind string) (int, error)

	// S3 buckets. Names are global: CreateBucket is ErrAlreadyExists when any account has the
	// name. UpdateBucket replaces everything but Name, Account and CreateDate; it, Bucket and
	// DeleteBucket are ErrNotFound for an absent bucket. Buckets lists an account's buckets in
	// name order (byte order, as S3 lists them).
	CreateBucket(ctx context.Context, b Bucket) error
	Bucket(ctx context.Context, name string) (Bucket, error)
	UpdateBucket(ctx context.Context, b Bucket) error
	DeleteBucket(ctx context.Context, name string) error
	Buckets(ctx context.Context, account string, opt BucketListOptions) ([]Bucket, error)
	CountBuckets(ctx context.Context, account string) (int, error)

	// Seal keyring keys, for the whole installation.
	SealKeys(ctx context.Context) ([]SealKey, error)
	AddSealKey(ctx context.Context, k SealKey) error
}
