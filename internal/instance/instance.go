// Package instance is iamd's enrolment of machines as EC2-style instances: an administrator
// enrols an instance id with one instance profile and receives an instance credential; the agent
// on that machine (package agent) presents the credential to get the credentials of the profile's
// role, which STS issues as a role session named after the instance once the role's trust policy
// allows the EC2 service principal. The credential proves one instance bound to one profile and
// is good for nothing else: it is not an AWS key and opens no other operation. Revoking the
// instance, deleting the profile or removing its role stops new credentials at once. Every issue
// and refusal is logged.
package instance

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/instancecred"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/sts"
)

// RecordKind is the store record kind of enrolled instances; the record name is the instance id.
const RecordKind = "iamd-instance"

// Status values of an enrolment.
const (
	StatusActive  = "Active"
	StatusRevoked = "Revoked"
)

// DefaultDuration is the lifetime of the role credentials issued to an instance. EC2 issues
// instance role credentials for about six hours and rotates them well before they expire; the
// agent refreshes an hour ahead.
const DefaultDuration = 6 * time.Hour

// DefaultRegion is the region of an instance enrolled without one.
const DefaultRegion = "us-east-1"

// maxInstances bounds enrolments per account.
const maxInstances = 10000

// Instance is one enrolment.
type Instance struct {
	InstanceId          string
	InstanceArn         string
	Region              string
	AvailabilityZone    string
	InstanceProfileName string
	InstanceProfileArn  string
	InstanceProfileId   string
	Status              string
	CreateDate          time.Time
	RevokeDate          *time.Time `json:",omitempty"`
}

// record is the stored form: the enrolment and the SHA-256 of the credential's secret. The
// secret is 256 random bits, so a plain hash resists guessing as well as a slow one would.
type record struct {
	Instance
	SecretHash []byte
}

// Config is what the service needs.
type Config struct {
	Store  store.Store
	STS    *sts.Service
	Logger *slog.Logger
	Now    func() time.Time
	// Duration of issued role credentials; 0 means DefaultDuration.
	Duration time.Duration
}

// Service implements the enrolment operations and the agent's credential fetch.
type Service struct{ cfg Config }

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Duration == 0 {
		cfg.Duration = DefaultDuration
	}
	return &Service{cfg: cfg}
}

// ARN is an instance's ARN as EC2 forms it.
func ARN(region, account, id string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":instance/" + id
}

// ValidID reports whether id has EC2's instance id form: "i-" and 8 or 17 lower-case hex digits.
func ValidID(id string) bool {
	hexPart, ok := strings.CutPrefix(id, "i-")
	if !ok || (len(hexPart) != 8 && len(hexPart) != 17) {
		return false
	}
	for i := 0; i < len(hexPart); i++ {
		c := hexPart[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// validRegion accepts AWS's region name shape (letters, digits, dashes; 1–32 characters).
func validRegion(r string) bool {
	if r == "" || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// credentialPrefix starts every instance credential: "iamdi1.ACCOUNT.INSTANCEID.SECRET", the
// secret 32 random bytes in unpadded base64url (which has no dots).
const credentialPrefix = "iamdi1."

// ParseCredential splits an instance credential into its account, instance id and secret.
func ParseCredential(c string) (account, id string, secret []byte, err error) {
	bad := errors.New("instance: malformed instance credential")
	rest, ok := strings.CutPrefix(strings.TrimSpace(c), credentialPrefix)
	if !ok {
		return "", "", nil, bad
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 || !iam.IsAccountID(parts[0]) || !ValidID(parts[1]) {
		return "", "", nil, bad
	}
	secret, err = base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(secret) != 32 {
		return "", "", nil, bad
	}
	return parts[0], parts[1], secret, nil
}

func newCredential(account, id string) (string, []byte) {
	secret := make([]byte, 32)
	rand.Read(secret)
	h := sha256.Sum256(secret)
	return credentialPrefix + account + "." + id + "." + base64.RawURLEncoding.EncodeToString(secret), h[:]
}

func newInstanceID() string {
	b := make([]byte, 9)
	rand.Read(b)
	return "i-" + hex.EncodeToString(b)[:17]
}

// EnrollInput is EnrollInstance's input. InstanceId "" generates one.
type EnrollInput struct {
	InstanceId          string
	InstanceProfileName string
	Region              string
	AvailabilityZone    string
}

// EnrollOutput carries the instance credential, shown once: iamd keeps only its hash.
type EnrollOutput struct {
	Instance   Instance
	Credential string
}

// RevokeInput is RevokeInstance's input; InstanceArn is filled when decoding, for authorization.
type RevokeInput struct {
	InstanceId  string
	InstanceArn string
}

// ListInput is ListInstances' input.
type ListInput struct {
	Marker   string
	MaxItems int
}

// ListOutput is one page of enrolments.
type ListOutput struct {
	Instances   []Instance
	IsTruncated bool
	Marker      string `json:",omitempty"`
}

func callerAccount(ctx context.Context) (string, error) {
	p, ok := authn.FromContext(ctx)
	if !ok {
		return "", errors.New("instance: no principal in context")
	}
	return p.Account(), nil
}

func noSuchInstance(id string) error {
	return awserr.NoSuchEntity("The instance with id " + id + " cannot be found.")
}

// Enroll binds an instance id to an instance profile and returns the instance credential.
// Enrolling an id that was revoked replaces the old enrolment; an active one is
// EntityAlreadyExists.
func (s *Service) Enroll(ctx context.Context, in *EnrollInput) (*EnrollOutput, error) {
	acct, err := callerAccount(ctx)
	if err != nil {
		return nil, err
	}
	id := in.InstanceId
	if id == "" {
		id = newInstanceID()
	}
	if !ValidID(id) {
		return nil, awserr.Validation("1 validation error detected: Value '" + id + "' at 'instanceId' failed to satisfy constraint: Member must satisfy regular expression pattern: i-[0-9a-f]{8}([0-9a-f]{9})?")
	}
	region := in.Region
	if region == "" {
		region = DefaultRegion
	}
	if !validRegion(region) {
		return nil, awserr.Validation("1 validation error detected: Value '" + region + "' at 'region' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z0-9-]{1,32}")
	}
	az := in.AvailabilityZone
	if az == "" {
		az = region + "a"
	}
	if !validRegion(az) {
		return nil, awserr.Validation("1 validation error detected: Value '" + az + "' at 'availabilityZone' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z0-9-]{1,32}")
	}
	cred, hash := newCredential(acct, id)
	now := s.cfg.Now().UTC().Truncate(time.Second)
	var rec record
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		ip, err := tx.InstanceProfile(ctx, acct, in.InstanceProfileName)
		if errors.Is(err, store.ErrNotFound) {
			return awserr.NoSuchEntity("Instance Profile " + in.InstanceProfileName + " cannot be found.")
		}
		if err != nil {
			return err
		}
		rec = record{Instance: Instance{
			InstanceId: id, InstanceArn: ARN(region, acct, id), Region: region, AvailabilityZone: az,
			InstanceProfileName: ip.InstanceProfileName, InstanceProfileArn: ip.Arn, InstanceProfileId: ip.InstanceProfileID,
			Status: StatusActive, CreateDate: now,
		}, SecretHash: hash}
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		r := store.Record{Account: acct, Kind: RecordKind, Name: id, Data: data}
		old, err := readRecord(ctx, tx, acct, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			n, err := tx.CountRecords(ctx, acct, RecordKind)
			if err != nil {
				return err
			}
			if n >= maxInstances {
				return awserr.LimitExceeded(fmt.Sprintf("Cannot exceed quota for InstancesPerAccount: %d", maxInstances))
			}
			return tx.CreateRecord(ctx, r)
		case err != nil:
			return err
		case old.Status == StatusActive:
			return awserr.EntityAlreadyExists("The instance " + id + " is already enrolled; revoke it first.")
		}
		return tx.UpdateRecord(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("instance enrolled", "account", acct, "instance", id, "instanceProfile", rec.InstanceProfileArn)
	return &EnrollOutput{Instance: rec.Instance, Credential: cred}, nil
}

// Revoke stops an instance's credential: its next refresh fails.
func (s *Service) Revoke(ctx context.Context, in *RevokeInput) (*Instance, error) {
	acct, err := callerAccount(ctx)
	if err != nil {
		return nil, err
	}
	var rec record
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var err error
		rec, err = readRecord(ctx, tx, acct, in.InstanceId)
		if errors.Is(err, store.ErrNotFound) {
			return noSuchInstance(in.InstanceId)
		}
		if err != nil {
			return err
		}
		if rec.Status == StatusRevoked {
			return nil
		}
		now := s.cfg.Now().UTC().Truncate(time.Second)
		rec.Status, rec.RevokeDate = StatusRevoked, &now
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return tx.UpdateRecord(ctx, store.Record{Account: acct, Kind: RecordKind, Name: rec.InstanceId, Data: data})
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("instance revoked", "account", acct, "instance", rec.InstanceId)
	return &rec.Instance, nil
}

// List pages through the account's enrolments, by instance id.
func (s *Service) List(ctx context.Context, in *ListInput) (*ListOutput, error) {
	acct, err := callerAccount(ctx)
	if err != nil {
		return nil, err
	}
	if in.MaxItems < 0 || in.MaxItems > 1000 {
		return nil, awserr.Validation("1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000")
	}
	out := &ListOutput{Instances: []Instance{}}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		pg, err := tx.Records(ctx, acct, RecordKind, store.ListOptions{Marker: in.Marker, MaxItems: in.MaxItems})
		if errors.Is(err, store.ErrInvalidMarker) {
			return awserr.Validation("Invalid Marker.")
		}
		if err != nil {
			return err
		}
		out.Instances = out.Instances[:0]
		for _, r := range pg.Items {
			var rec record
			if err := json.Unmarshal(r.Data, &rec); err != nil {
				return fmt.Errorf("instance: decode %s: %w", r.Name, err)
			}
			out.Instances = append(out.Instances, rec.Instance)
		}
		out.IsTruncated, out.Marker = pg.IsTruncated, pg.Marker
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func readRecord(ctx context.Context, tx store.Tx, account, id string) (record, error) {
	var rec record
	r, err := tx.Record(ctx, account, RecordKind, id)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(r.Data, &rec); err != nil {
		return rec, fmt.Errorf("instance: decode %s: %w", id, err)
	}
	return rec, nil
}

// Credentials is the answer to an instance's credential fetch (its wire form).
type Credentials = instancecred.Credentials

// invalidCredential answers a credential that is malformed, unknown or wrong, alike, so that
// the answer tells nothing about which enrolments exist.
func invalidCredential() error {
	return awserr.New(http.StatusForbidden, "InvalidClientTokenId", "The instance credential is invalid.")
}

// InstanceCredentials checks an instance credential and returns fresh credentials of the role in
// the instance's profile.
func (s *Service) InstanceCredentials(ctx context.Context, credential string) (*Credentials, error) {
	acct, id, secret, err := ParseCredential(credential)
	if err != nil {
		s.cfg.Logger.Warn("instance credentials refused", "reason", "malformed credential")
		return nil, invalidCredential()
	}
	refuse := func(reason string, e error) (*Credentials, error) {
		s.cfg.Logger.Warn("instance credentials refused", "account", acct, "instance", id, "reason", reason)
		return nil, e
	}
	var rec record
	var role iam.Role
	var roleErr error
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		roleErr = nil
		rec, err = readRecord(ctx, tx, acct, id)
		if err != nil {
			return err
		}
		ip, err := tx.InstanceProfile(ctx, acct, rec.InstanceProfileName)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && ip.InstanceProfileID != rec.InstanceProfileId):
			// A profile deleted (and perhaps recreated under the same name) is not the one enrolled.
			roleErr = awserr.NoSuchEntity("Instance Profile " + rec.InstanceProfileName + " cannot be found.")
			return nil
		case err != nil:
			return err
		case len(ip.Roles) == 0:
			roleErr = awserr.NoSuchEntity("Instance Profile " + rec.InstanceProfileName + " has no role.")
			return nil
		}
		role = ip.Roles[0]
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return refuse("not enrolled", invalidCredential())
	}
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(h[:], rec.SecretHash) != 1 {
		return refuse("wrong secret", invalidCredential())
	}
	if rec.Status != StatusActive {
		return refuse("revoked", awserr.AccessDenied("The instance "+id+" has been revoked."))
	}
	if roleErr != nil {
		return refuse(roleErr.Error(), roleErr)
	}
	creds, user, err := s.cfg.STS.AssumeRoleForInstance(ctx, sts.InstanceRole{Role: role, InstanceID: id, InstanceARN: rec.InstanceArn, Duration: s.cfg.Duration})
	if err != nil {
		if e, ok := awserr.As(err); ok {
			return refuse(e.Message, err)
		}
		return nil, err
	}
	out := &Credentials{
		Code: "Success", AccessKeyId: creds.AccessKeyId, SecretAccessKey: creds.SecretAccessKey, Token: creds.SessionToken,
		Expiration: creds.Expiration.UTC(), LastUpdated: s.cfg.Now().UTC().Truncate(time.Second),
		AccountId: acct, RoleName: role.RoleName, RoleArn: role.Arn, AssumedRoleArn: user.Arn, AssumedRoleIdentity: user.AssumedRoleId,
		InstanceId: id, InstanceArn: rec.InstanceArn, Region: rec.Region, AvailabilityZone: rec.AvailabilityZone,
		InstanceProfileArn: rec.InstanceProfileArn, InstanceProfileId: rec.InstanceProfileId, EnrolledAt: rec.CreateDate,
	}
	s.cfg.Logger.Info("instance credentials issued", "account", acct, "credentials", out)
	return out, nil
}
