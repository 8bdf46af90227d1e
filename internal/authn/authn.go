// Package authn turns a request into an authenticated principal: it verifies the SigV4 signature
// and resolves the credentials behind it — the account root user's or an IAM user's long-term
// access key (secret kept sealed in the store), or temporary credentials (a sealed session token,
// opened without the database). Principal can only be constructed here, so nothing downstream can
// act for a caller that was not authenticated.
package authn

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/gencache"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/session"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/usage"
	"github.com/iamd/iamd/sigv2"
	"github.com/iamd/iamd/sigv4"
)

// CallerKind says what sort of principal made a request.
type CallerKind uint8

const (
	Anonymous     CallerKind = iota // an unsigned call (only AssumeRoleWithWebIdentity/SAML)
	Root                            // the account root user with its long-term key
	User                            // an IAM user with a long-term key
	AssumedRole                     // a role session
	FederatedUser                   // GetFederationToken credentials
	UserSession                     // GetSessionToken credentials of an IAM user
	RootSession                     // GetSessionToken credentials of the root user
)

// Principal is an authenticated caller.
type Principal struct {
	kind        CallerKind
	account     string
	arn         string
	userID      string
	entityID    string // the unique id (AIDA…, AROA…) of the IAM user or role behind the principal
	userName    string // the IAM user (User, UserSession, FederatedUser's source)
	accessKeyID string
	session     *session.Session
	region      string
}

// Kind is the principal's kind.
func (p *Principal) Kind() CallerKind { return p.kind }

// Account is the account the principal belongs to.
func (p *Principal) Account() string { return p.account }

// ARN is the principal's ARN as GetCallerIdentity reports it.
func (p *Principal) ARN() string { return p.arn }

// UserID is GetCallerIdentity's UserId: the account id for root, AIDA… for users, AROA…:session
// for role sessions, ACCOUNT:name for federated users.
func (p *Principal) UserID() string { return p.userID }

// EntityID is the unique id of the IAM user or role the principal acts as: the user of a
// long-term key, GetSessionToken or GetFederationToken credentials (AIDA…), or a session's role
// (AROA…); "" for the root user, its sessions and anonymous callers. Policies are found by it,
// never by name, so that a deleted and re-created namesake is another principal.
func (p *Principal) EntityID() string { return p.entityID }

// UserName is the IAM user behind the request ("" for root and roles).
func (p *Principal) UserName() string { return p.userName }

// AccessKeyID is the access key the request was signed with.
func (p *Principal) AccessKeyID() string { return p.accessKeyID }

// Session is the session behind temporary credentials, nil for long-term keys.
func (p *Principal) Session() *session.Session { return p.session }

// Region is the region of the signature's credential scope.
func (p *Principal) Region() string { return p.region }

// IsRoot reports whether the root user is calling, with its key or its session.
func (p *Principal) IsRoot() bool { return p.kind == Root || p.kind == RootSession }

// Temporary reports whether the request used temporary credentials.
func (p *Principal) Temporary() bool { return p.session != nil }

// LogValue is what the access log records of a principal.
func (p *Principal) LogValue() slog.Value {
	if p == nil || p.kind == Anonymous {
		return slog.StringValue("anonymous")
	}
	return slog.StringValue(p.arn)
}

// anonymous is the principal of unsigned calls.
var anonymous = &Principal{kind: Anonymous}

// AnonymousPrincipal is the principal of unsigned calls. STS evaluates AssumeRoleWithWebIdentity
// and AssumeRoleWithSAML as it even when a client signs them: as in AWS, the token or assertion
// is the caller's only identity.
func AnonymousPrincipal() *Principal { return anonymous }

type ctxKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of the request ctx belongs to.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(*Principal)
	return p, ok
}

// Config is what an Authenticator needs.
type Config struct {
	Store store.Store
	// Keyring opens session tokens and access-key secrets at rest.
	Keyring *seal.Keyring
	Now     func() time.Time
	Logger  *slog.Logger
}

// Authenticator verifies requests. It is safe for concurrent use.
type Authenticator struct {
	cfg      Config
	verifier *sigv4.Verifier
	// s3 verifies S3's requests (sigv4.VerifyS3): presigned URLs live as long as they say.
	s3 *sigv4.Verifier
	// s3v2 verifies S3's requests signed with SigV2.
	s3v2 *sigv2.Verifier
	// keys caches resolved long-term access keys (with their opened secrets) by key id.
	keys  *gencache.Map[*keyEntry]
	usage *usage.Recorder[string, iam.AccessKeyLastUsed]
	// entities caches the current name of the user or role behind a session by its unique id
	// ("" once it no longer exists).
	entities *gencache.Map[string]
}

// New returns an Authenticator.
func New(cfg Config) *Authenticator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &Authenticator{cfg: cfg, keys: gencache.New[*keyEntry](maxCachedKeys), entities: gencache.New[string](maxCachedKeys)}
	a.usage = a.newUsage()
	a.verifier = &sigv4.Verifier{
		Services: []string{"iam", "sts", "cloudtrail", "organizations"},
		Now:      cfg.Now,
		Secret:   a.secret,
		// AWS's IAM and STS take a presigned request for 15 minutes, whatever X-Amz-Expires says.
		MaxPresignAge: 15 * time.Minute,
		// Authenticate's callers refuse a form body that repeats a parameter before they call it.
		FormChecked: true,
	}
	a.s3 = &sigv4.Verifier{Services: []string{"s3"}, Now: cfg.Now, Secret: a.secret}
	a.s3v2 = &sigv2.Verifier{Now: cfg.Now, Secret: a.secret}
	return a
}

// SecretAD is the additional data that binds sealed access-key secrets to their key id, so a
// sealed secret copied onto another key's row does not open.
func SecretAD(accessKeyID string) []byte { return []byte("iamd/access-key/" + accessKeyID) }

// resolved carries what the secret lookup learnt from the verifier's callback to Authenticate.
type resolved struct {
	key     *keyEntry // a long-term key, as cached
	session *session.Session
	result  sigv4.Result // the verifier's, reused with its SignedHeaders storage
}

type resolvedKey struct{}

// resolvedPool recycles the per-request resolved: it only lives for one Authenticate.
var resolvedPool = sync.Pool{New: func() any { return new(resolved) }}

// Authenticate verifies r (whose complete body is body) for a call to service ("iam" or "sts").
// An unsigned request yields the anonymous principal when unsignedOK, else
// MissingAuthenticationToken. Failures the caller made are *awserr.Error in AWS's words (a store
// failure is returned as it is). The caller must already have decoded
// a form body and refused it if it gives a parameter twice: the signature covers the body as a
// whole, not which of two values a decoder keeps.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte, service string, unsignedOK bool) (*Principal, error) {
	p, err := a.authenticate(ctx, r, body, service, unsignedOK)
	if err != nil {
		return nil, awsError(err)
	}
	return p, nil
}

// awsError is err in AWS's words when it is a SigV4 failure, else err as it is. Out of line so
// that a request that authenticates pays nothing for it.
func awsError(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &awserr.Error{Code: se.Code, Message: se.Message, Status: se.Status}
	}
	return err
}

func (a *Authenticator) authenticate(ctx context.Context, r *http.Request, body []byte, service string, unsignedOK bool) (*Principal, error) {
	if !sigv4.HasSignature(r) {
		if unsignedOK {
			return anonymous, nil
		}
		return nil, &sigv4.Error{Code: sigv4.CodeMissingAuthenticationToken, Message: "Request is missing Authentication Token", Status: http.StatusForbidden}
	}
	res := resolvedPool.Get().(*resolved)
	defer func() {
		res.key, res.session = nil, nil
		resolvedPool.Put(res)
	}()
	res2 := &res.result
	if err := a.verifier.VerifyInto(context.WithValue(ctx, resolvedKey{}, res), r, body, res2); err != nil {
		return nil, err
	}
	if res2.Credential.Service != service {
		// The signature is good but made for the other service of this endpoint.
		return nil, &sigv4.Error{Code: sigv4.CodeSignatureDoesNotMatch, Status: http.StatusForbidden,
			Message: "Credential should be scoped to correct service: '" + service + "'. "}
	}
	return a.principal(ctx, res, res2.Credential.Region, service)
}

// principal is the caller behind credentials the verifier resolved into res.
func (a *Authenticator) principal(ctx context.Context, res *resolved, region, service string) (*Principal, error) {
	if s := res.session; s != nil {
		name, err := a.sessionEntity(ctx, s)
		if err != nil {
			return nil, err
		}
		p := sessionPrincipal(s, region)
		if p.userName != "" {
			// A user renamed since the session began is still its user, under the new name.
			p.userName = name
		}
		return p, nil
	}
	e := res.key
	k := &e.key
	a.noteUse(ctx, k.AccessKeyID, service, region)
	if k.UserName == "" {
		return &Principal{kind: Root, account: k.Account, arn: e.rootARN, userID: k.Account,
			accessKeyID: k.AccessKeyID, region: region}, nil
	}
	u := e.user
	return &Principal{kind: User, account: k.Account, arn: u.Arn, userID: u.UserID, entityID: u.UserID, userName: u.UserName,
		accessKeyID: k.AccessKeyID, region: region}, nil
}

func sessionPrincipal(s *session.Session, region string) *Principal {
	p := &Principal{account: s.Account, accessKeyID: s.AccessKeyID, session: s, region: region, entityID: s.EntityID}
	switch s.Origin {
	case session.AssumedRole:
		p.kind = AssumedRole
		p.arn = iam.AssumedRoleARN(s.Account, s.EntityName, s.SessionName)
		p.userID = s.EntityID + ":" + s.SessionName
	case session.FederatedUser:
		p.kind = FederatedUser
		p.arn = iam.FederatedUserARN(s.Account, s.SessionName)
		p.userID = s.Account + ":" + s.SessionName
		p.userName = s.EntityName
	case session.UserSession:
		p.kind = UserSession
		p.arn = iam.UserARN(s.Account, s.EntityPath, s.EntityName)
		p.userID = s.EntityID
		p.userName = s.EntityName
	case session.RootSession:
		p.kind = RootSession
		p.arn = iam.RootARN(s.Account)
		p.userID = s.Account
	}
	return p
}

// secret is the verifier's SecretFunc: it finds the secret behind a credential and remembers
// what it found for Authenticate.
func (a *Authenticator) secret(ctx context.Context, c sigv4.Credential) (string, error) {
	res, _ := ctx.Value(resolvedKey{}).(*resolved)
	if res == nil {
		return "", errors.New("authn: secret lookup outside Authenticate")
	}
	if c.SessionToken != "" {
		s, err := session.Decode(a.cfg.Keyring, c.SessionToken)
		if err != nil || s.AccessKeyID != c.AccessKeyID {
			return "", sigv4.InvalidClientTokenID()
		}
		if !a.cfg.Now().Before(s.Expires) {
			return "", sigv4.ExpiredToken()
		}
		res.session = s
		return s.Secret, nil
	}
	if strings.HasPrefix(c.AccessKeyID, "ASIA") {
		// Temporary key ids are only valid with their session token.
		return "", sigv4.InvalidClientTokenID()
	}
	e, err := a.lookupKey(ctx, c.AccessKeyID)
	if err != nil {
		return "", err
	}
	res.key = e
	return e.secret, nil
}

// sessionEntity returns the current name of the user or role a session belongs to, and refuses
// a session whose user or role no longer exists: temporary credentials belong to the entity with
// the unique id they were issued to, and end with it, as on AWS. A user or role of the same name
// created since is another entity, which the session must never act as. Sessions of the root
// user (and its federation tokens) have no entity.
func (a *Authenticator) sessionEntity(ctx context.Context, s *session.Session) (string, error) {
	if s.EntityID == "" {
		return "", nil
	}
	gen, err := a.generation(ctx)
	if err != nil {
		return "", err
	}
	// Unique ids are unique across accounts, so the id alone is the key.
	name, ok := a.entities.Get(gen, s.EntityID)
	if !ok {
		err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
			if s.Origin == session.AssumedRole {
				r, err := tx.RoleByID(ctx, s.Account, s.EntityID)
				name = r.RoleName
				return err
			}
			u, err := tx.UserByID(ctx, s.Account, s.EntityID)
			name = u.UserName
			return err
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		if err != nil {
			name = ""
		}
		a.entities.Put(gen, s.EntityID, name)
	}
	if name == "" {
		return "", sigv4.InvalidClientTokenID()
	}
	return name, nil
}

// AuthenticateS3 verifies an S3 request in S3's form of SigV4 (sigv4.VerifyS3) without reading
// its body, into res. An unsigned request is the anonymous caller, whom only a bucket policy can
// grant anything. Failures are *sigv4.Error (the S3 front words them as S3 does) or the store's.
// A presigned URL made with temporary credentials stops working when they expire, whatever its
// X-Amz-Expires says: the session is checked on every use.
//
// Requests signed with SigV2 (sigv2: what boto3 and the aws CLI presign with for us-east-1) are
// verified too; vhostBucket is the bucket a virtual-hosted-style request names in its host,
// which SigV2's string to sign includes.
func (a *Authenticator) AuthenticateS3(ctx context.Context, r *http.Request, res *sigv4.S3Result, vhostBucket string) (*Principal, error) {
	v2 := sigv2.Is(r)
	if !v2 && !sigv4.HasSignature(r) {
		return anonymous, nil
	}
	rs := resolvedPool.Get().(*resolved)
	defer func() {
		rs.key, rs.session = nil, nil
		resolvedPool.Put(rs)
	}()
	ctx2 := context.WithValue(ctx, resolvedKey{}, rs)
	if v2 {
		vr, err := a.s3v2.Verify(ctx2, r, vhostBucket)
		if err != nil {
			return nil, err
		}
		*res = sigv4.S3Result{V2: true, PayloadHash: sigv4.UnsignedPayload}
		res.Credential, res.Presigned, res.SignedAt = vr.Credential, vr.Presigned, vr.SignedAt
		return a.principal(ctx, rs, "us-east-1", "s3")
	}
	if err := a.s3.VerifyS3(ctx2, r, res); err != nil {
		return nil, err
	}
	return a.principal(ctx, rs, res.Credential.Region, "s3")
}

// AuthenticatePost verifies the signature of an S3 browser upload (a POST form whose policy is
// signed, sigv4.VerifyPostPolicy) and returns the principal of its credential. The caller
// checks the policy's expiration and conditions.
func (a *Authenticator) AuthenticatePost(ctx context.Context, pp sigv4.PostPolicy) (*Principal, error) {
	rs := resolvedPool.Get().(*resolved)
	defer func() {
		rs.key, rs.session = nil, nil
		resolvedPool.Put(rs)
	}()
	cred, err := a.s3.VerifyPostPolicy(context.WithValue(ctx, resolvedKey{}, rs), pp)
	if err != nil {
		return nil, err
	}
	return a.principal(ctx, rs, cred.Region, "s3")
}

// AuthenticatePostV2 is AuthenticatePost for a browser upload signed with SigV2 (its form's
// AWSAccessKeyId, policy and signature fields), as boto3 presigns POSTs for us-east-1.
func (a *Authenticator) AuthenticatePostV2(ctx context.Context, keyID, sessionToken, policy, signature string) (*Principal, error) {
	rs := resolvedPool.Get().(*resolved)
	defer func() {
		rs.key, rs.session = nil, nil
		resolvedPool.Put(rs)
	}()
	if _, err := a.s3v2.VerifyPost(context.WithValue(ctx, resolvedKey{}, rs), keyID, sessionToken, policy, signature); err != nil {
		return nil, err
	}
	return a.principal(ctx, rs, "us-east-1", "s3")
}
