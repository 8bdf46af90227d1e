// Package bucket is iamd's S3 bucket registry and the bucket-level operations iamd answers itself
// (issue 18): bucket names are claimed globally in the store, and each bucket's owner, region,
// policy, Block Public Access settings, ownership controls, tags and CORS rules live there; the
// object backend (a local directory or an upstream S3 server) only holds objects, and is asked to
// create and remove a bucket's storage. The front (internal/server) authenticates and authorizes
// every request, finds the bucket with Registry.Get (cached for one store generation), evaluates
// its policy as EffectivePolicy gives it, and hands the bucket operations to Registry.Serve.
// Answers follow the Amazon S3 API Reference: its XML shapes in S3's namespace, its error codes,
// and its rules as of the April 2023 defaults (Block Public Access on and ACLs disabled for every
// new bucket).
package bucket

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/iamd/iamd/internal/gencache"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/principals"
	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/store"
)

// Object ownership settings (S3's ObjectOwnership values).
const (
	OwnerEnforced  = "BucketOwnerEnforced"
	OwnerPreferred = "BucketOwnerPreferred"
	ObjectWriter   = "ObjectWriter"
)

// Bucket is one bucket as the front needs it on every request. It is shared by every request of
// a store generation: treat it as read-only.
type Bucket struct {
	Name, Account, Region string
	Created               time.Time
	// Policy is the bucket policy as IAM evaluates and shows it: the stored document with the
	// users and roles it named rendered as they are now (principals.Render), so that a
	// principal deleted and re-created under the same name is not the one the policy admits.
	// "" when the bucket has none.
	Policy string
	// PolicyIsPublic says whether Policy is public by S3's definition (IsPublic).
	PolicyIsPublic bool
	// PublicAccessBlock is the bucket's Block Public Access configuration; HasPublicAccessBlock
	// is false when none is configured (then every flag is false).
	PublicAccessBlock    store.PublicAccessBlock
	HasPublicAccessBlock bool
	// ObjectOwnership is the ownership controls' rule, "" when none is configured (S3 then
	// behaves as ObjectWriter).
	ObjectOwnership string
	Tags            []iam.Tag
	cors            []corsRule
}

// ACLsDisabled reports whether the bucket's ACLs are disabled (BucketOwnerEnforced).
func (b *Bucket) ACLsDisabled() bool { return b.ObjectOwnership == OwnerEnforced }

// Config configures a Registry.
type Config struct {
	Store store.Store
	// Backend is the object backend. The registry sends it path-style requests of its own:
	// PUT /bucket (create the bucket's storage), DELETE /bucket (remove it; BucketNotEmpty when
	// it holds objects) and HEAD /bucket/key (does the object exist, for GetObjectAcl).
	Backend http.Handler
	// Region is iamd's region; "" means us-east-1.
	Region string
	Now    func() time.Time
}

// Registry is the bucket registry.
type Registry struct {
	cfg   Config
	cache *gencache.Map[*Bucket]
}

// maxCached bounds the cache of buckets by name (a miss costs one store read).
const maxCached = 10000

// New returns a registry.
func New(cfg Config) *Registry {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Registry{cfg: cfg, cache: gencache.New[*Bucket](maxCached)}
}

// Get returns the bucket named name, nil when there is none. Answers hold for one store
// generation, so the front may call it on every request.
func (r *Registry) Get(ctx context.Context, name string) (*Bucket, error) {
	gen, err := r.cfg.Store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	if b, ok := r.cache.Get(gen, name); ok {
		return b, nil
	}
	var b *Bucket
	err = r.cfg.Store.Read(ctx, func(tx store.Tx) error {
		sb, err := tx.Bucket(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			b = nil
			return nil
		}
		if err != nil {
			return err
		}
		b, err = load(ctx, tx, sb)
		return err
	})
	if err != nil {
		return nil, err
	}
	r.cache.Put(gen, name, b)
	return b, nil
}

// load turns a stored bucket into the front's view of it.
func load(ctx context.Context, tx store.Tx, sb store.Bucket) (*Bucket, error) {
	b := &Bucket{Name: sb.Name, Account: sb.Account, Region: sb.Region, Created: sb.CreateDate,
		ObjectOwnership: sb.ObjectOwnership, Tags: sb.Tags}
	if sb.PublicAccessBlock != nil {
		b.PublicAccessBlock, b.HasPublicAccessBlock = *sb.PublicAccessBlock, true
	}
	if sb.Policy != "" {
		doc, err := principals.Render(ctx, tx, sb.Policy, sb.PolicyPrincipals)
		if err != nil {
			return nil, err
		}
		b.Policy, b.PolicyIsPublic = doc, IsPublic(doc)
	}
	if sb.CORS != "" {
		if err := json.Unmarshal([]byte(sb.CORS), &b.cors); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Policy returns the policy of the bucket named name as the authorizer evaluates it (see
// Bucket.Policy), "" when there is no such bucket or it has no policy.
func (r *Registry) Policy(ctx context.Context, name string) (string, error) {
	b, err := r.Get(ctx, name)
	if err != nil || b == nil {
		return "", err
	}
	return b.Policy, nil
}

// EffectivePolicy is the bucket policy the authorizer evaluates for a caller of callerAccount
// (anonymous: an unsigned request): the bucket's policy, except that a public policy grants
// nothing to anyone outside the bucket owner's account while RestrictPublicBuckets is on (S3's
// Block Public Access: "only AWS service principals and authorized users within the bucket
// owner's account" get through; all cross-account access is blocked).
func (r *Registry) EffectivePolicy(b *Bucket, callerAccount string, anonymous bool) string {
	if b == nil || b.Policy == "" {
		return ""
	}
	if b.PolicyIsPublic && b.PublicAccessBlock.RestrictPublicBuckets && (anonymous || callerAccount != b.Account) {
		return ""
	}
	return b.Policy
}

// PublicAccess is the Block Public Access configuration in force for the bucket: the bucket's
// own (iamd has no account-level setting yet, so the bucket's is the most restrictive
// combination S3 would apply).
func (b *Bucket) PublicAccess() store.PublicAccessBlock { return b.PublicAccessBlock }

// CanonicalUserID is the S3 canonical user id of an account (64 lowercase hex digits), as every
// Owner and ACL grant names it. It is derived from the account id, so it is the same on every
// node and across restarts.
func CanonicalUserID(account string) string {
	sum := sha256.Sum256([]byte("iamd-canonical-user:" + account))
	return hex.EncodeToString(sum[:])
}

// answerErr writes e with the request ids the front set.
func answerErr(w http.ResponseWriter, req *http.Request, e *s3err.Error) {
	h := w.Header()
	s3err.Write(w, req, e, h.Get("X-Amz-Request-Id"), h.Get("X-Amz-Id-2"))
}

// failure answers err: an *s3err.Error as it is, a store that cannot write now as S3's
// ServiceUnavailable, anything else as InternalError.
func failure(w http.ResponseWriter, req *http.Request, err error) {
	if e, ok := s3err.As(err); ok {
		answerErr(w, req, e)
		return
	}
	var u interface{ Unavailable() string }
	if errors.As(err, &u) {
		answerErr(w, req, s3err.ServiceUnavailable())
		return
	}
	answerErr(w, req, s3err.InternalError())
}

// Region is iamd's region, the one S3 requests are signed for.
func (r *Registry) Region() string { return r.cfg.Region }
