// Package iamsvc implements the IAM API operations: AWS's business rules, validation beyond the
// model's constraints, quotas, Marker/MaxItems paging and AWS's error wording, over the store.
// Every rule that spans entities (a quota and the insert it guards, a delete and the references
// that forbid it) is checked inside the one store Write that makes the change, so concurrent
// requests cannot slip past it.
package iamsvc

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	arnpkg "github.com/iamd/iamd/arn"
	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// Config is what the service needs.
type Config struct {
	Store store.Store
	// Keyring seals access-key secrets at rest.
	Keyring *seal.Keyring
	// Authz compiles policy documents (validation shares its cache). Nil means documents are
	// parsed without a cache.
	Authz *authz.Authorizer
	Now   func() time.Time
	// IssuerBase is the URL relying parties reach this iamd under; outbound web identity
	// federation issuers are made below it. "" means DefaultIssuerBase.
	IssuerBase string
	// Access feeds the access advisor: the tracker the authorizer notes attempts with. Nil
	// means reports see only what earlier flushes stored.
	Access *AccessTracker
	// SetRootAccess turns one of IAM's centralized root access features on or off in the
	// organization of account and returns the features enabled after (package orgs); nil
	// means no account is in an organization. What an account's organization is, IAM reads
	// from Authz (OrganizationOf).
	SetRootAccess func(ctx context.Context, account, feature string, on bool) ([]string, error)
}

// Service implements iamapi.Service.
type Service struct {
	cfg Config
	// seeded is set once the AWS managed policies are known to be stored.
	seeded atomic.Bool
}

var _ iamapi.Service = (*Service)(nil)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// now is the creation/update time stamped on entities, in whole seconds as AWS reports it (so
// what a Create returns equals what a later Get reads back).
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// caller is the authenticated principal of the request; the server puts it in ctx before any
// operation runs, so its absence is an internal fault.
func caller(ctx context.Context) (*authn.Principal, error) {
	p, ok := authn.FromContext(ctx)
	if !ok || p == nil || p.Account() == "" {
		return nil, errors.New("iamsvc: no authenticated principal in context")
	}
	return p, nil
}

// callerUser resolves an optional UserName parameter the way AWS does: given, it names the user;
// absent, it means the calling IAM user, or the root user (root reports true) for root
// credentials. Other callers (role sessions, federated users) must name the user.
func callerUser(p *authn.Principal, name string) (user string, root bool, err error) {
	if name != "" {
		return name, false, nil
	}
	switch p.Kind() {
	case authn.User, authn.UserSession:
		return p.UserName(), false, nil
	case authn.Root, authn.RootSession:
		return "", true, nil
	}
	return "", false, awserr.Validation("Must specify userName when calling with non-User credentials")
}

// compile validates a policy document for its place, answering MalformedPolicyDocument with the
// parser's AWS reason.
func (s *Service) compile(doc string, kind policy.Kind) error {
	var err error
	if s.cfg.Authz != nil {
		_, err = s.cfg.Authz.Compile(doc, kind)
	} else {
		_, err = policy.Parse([]byte(doc), kind)
	}
	if err == nil {
		return nil
	}
	var se *policy.SyntaxError
	if errors.As(err, &se) {
		return awserr.MalformedPolicyDocument(se.Reason)
	}
	return err
}

// ---- AWS's error wording ----

func noSuchUser(name string) error {
	return awserr.NoSuchEntity("The user with name " + name + " cannot be found.")
}

func noSuchRole(name string) error {
	return awserr.NoSuchEntity("The role with name " + name + " cannot be found.")
}

func noSuchGroup(name string) error {
	return awserr.NoSuchEntity("The group with name " + name + " cannot be found.")
}

// checkARN refuses a policy or boundary ARN that is no ARN at all: AWS answers it as invalid
// input, not as a policy it cannot find.
func checkARN(s string) error {
	if _, err := arnpkg.Parse(s); err != nil {
		return awserr.InvalidInput("ARN " + s + " is not valid.")
	}
	return nil
}

func noSuchPolicy(arn string) error {
	return awserr.NoSuchEntity("Policy " + arn + " was not found.")
}

func notAttachable(arn string) error {
	return awserr.NoSuchEntity("Policy " + arn + " does not exist or is not attachable.")
}

// serviceRolePolicy refuses an AWS managed policy of a service-linked role (path
// /aws-service-role/) anywhere but on its role: AWS answers PolicyNotAttachable. The role's
// sentence is AWS's recorded answer; the user's and group's follow it.
func serviceRolePolicy(p iam.ManagedPolicy, kind iam.EntityKind) error {
	if p.Account != "aws" || !strings.HasPrefix(p.Path, iam.ServiceLinkedPathPrefix) {
		return nil
	}
	target := "a User"
	switch kind {
	case iam.KindRole:
		target = "a Customer Role"
	case iam.KindGroup:
		target = "a Group"
	}
	return awserr.New(http.StatusBadRequest, "PolicyNotAttachable", "Cannot attach a Service Role Policy to "+target+".")
}

func noSuchBoundary(arn string) error {
	return awserr.NoSuchEntity("Scope ARN: " + arn + " does not exist or is not attachable.")
}

func noSuchKey(id string) error {
	return awserr.NoSuchEntity("The Access Key with id " + id + " cannot be found.")
}

func noSuchInline(kind iam.EntityKind, name string) error {
	return awserr.NoSuchEntity("The " + string(kind) + " policy with name " + name + " cannot be found.")
}

func quota(name string, n int) error {
	return awserr.LimitExceeded(fmt.Sprintf("Cannot exceed quota for %s: %d", name, n))
}

func deleteConflict(what string) error {
	return awserr.DeleteConflict("Cannot delete entity, must " + what + " first.")
}

// kindTitle is the entity kind as AWS capitalizes it in quota names (PoliciesPerUser).
func kindTitle(k iam.EntityKind) string {
	switch k {
	case iam.KindRole:
		return "Role"
	case iam.KindGroup:
		return "Group"
	}
	return "User"
}

// notFound maps the store's ErrNotFound to the AWS error for the entity, passing other errors.
func notFound(err error, aws error) error {
	if errors.Is(err, store.ErrNotFound) {
		return aws
	}
	return err
}

// exists maps the store's ErrAlreadyExists to AWS's EntityAlreadyExists.
func exists(err error, msg string) error {
	if errors.Is(err, store.ErrAlreadyExists) {
		return awserr.EntityAlreadyExists(msg)
	}
	return err
}

// invalidMarker answers a Marker this service did not issue.
func invalidMarker(err error) error {
	if errors.Is(err, store.ErrInvalidMarker) {
		return awserr.New(http.StatusBadRequest, "InvalidInput", "Invalid Marker.")
	}
	return err
}

// ---- lookups inside transactions ----

func getUser(ctx context.Context, tx store.Tx, account, name string) (iam.User, error) {
	u, err := tx.User(ctx, account, name)
	return u, notFound(err, noSuchUser(name))
}

func getRole(ctx context.Context, tx store.Tx, account, name string) (iam.Role, error) {
	r, err := tx.Role(ctx, account, name)
	return r, notFound(err, noSuchRole(name))
}

func getGroup(ctx context.Context, tx store.Tx, account, name string) (iam.Group, error) {
	g, err := tx.Group(ctx, account, name)
	return g, notFound(err, noSuchGroup(name))
}

// principalExists checks that the user, role or group exists.
func principalExists(ctx context.Context, tx store.Tx, account string, kind iam.EntityKind, name string) error {
	var err error
	switch kind {
	case iam.KindUser:
		_, err = getUser(ctx, tx, account, name)
	case iam.KindRole:
		_, err = getRole(ctx, tx, account, name)
	default:
		_, err = getGroup(ctx, tx, account, name)
	}
	return err
}

// visiblePolicy reads a managed policy the account may use: its own or an AWS managed one.
// Another account's policy is reported as missing, as AWS does.
func visiblePolicy(ctx context.Context, tx store.Tx, account, arn string, missing error) (iam.ManagedPolicy, error) {
	if err := checkARN(arn); err != nil {
		return iam.ManagedPolicy{}, err
	}
	p, err := tx.Policy(ctx, arn)
	if err != nil {
		return p, notFound(err, missing)
	}
	if p.Account != account && p.Account != "aws" {
		return iam.ManagedPolicy{}, missing
	}
	if p.Account == "aws" {
		// AWS managed policies are shared by the installation's accounts; each sees its own uses.
		if p.AttachmentCount, p.PermissionsBoundaryUsageCount, err = tx.PolicyUses(ctx, account, arn); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ---- conversions ----

func tagsOut(tags []iam.Tag) []iamapi.Tag {
	if tags == nil {
		return nil
	}
	out := make([]iamapi.Tag, len(tags))
	for i, t := range tags {
		out[i] = iamapi.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// tagList is tagsOut for the answers where AWS sends the Tags element even when it is empty
// (GetPolicy, GetInstanceProfile, GetServerCertificate, the providers' Get operations and the
// authorization details): a non-nil empty slice is encoded as an empty element.
func tagList(tags []iam.Tag) []iamapi.Tag {
	if out := tagsOut(tags); out != nil {
		return out
	}
	return []iamapi.Tag{}
}

func tagsIn(tags []iamapi.Tag) []iam.Tag {
	if len(tags) == 0 {
		return nil
	}
	out := make([]iam.Tag, len(tags))
	for i, t := range tags {
		out[i] = iam.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func boundaryOut(arn string) *iamapi.AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &iamapi.AttachedPermissionsBoundary{PermissionsBoundaryType: iam.BoundaryType, PermissionsBoundaryArn: arn}
}

func ptr[T any](v T) *T { return &v }

func maxItems(n *int32) int {
	if n == nil {
		return 0
	}
	return int(*n)
}

// encodeDocument percent-encodes a policy document as AWS returns it (RFC 3986: every byte but
// the unreserved characters), so that SDKs and the CLI that URL-decode documents read it back.
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// ---- paging of lists the store returns whole (tags, access keys, policy versions) ----

const sliceMarkerPrefix = "iamd-i:"

// sliceMarker encodes the index of the next item.
func sliceMarker(next int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(sliceMarkerPrefix + strconv.Itoa(next)))
}

// parseSliceMarker decodes a marker of sliceMarker; "" is the start.
func parseSliceMarker(m string) (int, error) {
	if m == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, store.ErrInvalidMarker
	}
	num, ok := strings.CutPrefix(string(raw), sliceMarkerPrefix)
	if !ok {
		return 0, store.ErrInvalidMarker
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || strconv.Itoa(n) != num {
		return 0, store.ErrInvalidMarker
	}
	return n, nil
}

// pageSlice returns the page of items that marker and max select.
func pageSlice[T any](items []T, marker string, max int) (page []T, truncated bool, next string, err error) {
	start, err := parseSliceMarker(marker)
	if err != nil {
		return nil, false, "", invalidMarker(err)
	}
	if max <= 0 {
		max = store.DefaultMaxItems
	}
	if start > len(items) {
		start = len(items)
	}
	if max >= len(items)-start { // compared this way so a huge max cannot overflow
		return items[start:], false, "", nil
	}
	end := start + max
	return items[start:end], true, sliceMarker(end), nil
}

// equalFold compares entity names as AWS does: case-insensitively.
func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
