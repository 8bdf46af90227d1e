// Package authz decides whether an authenticated principal may perform an action on a resource:
// it gathers the policies that apply (the identity policies of the user and its groups or of the
// session's role, the permissions boundary, the session policies, the resource's policy), builds
// the request context, calls policy.Evaluate, and words a denial as AWS does. Compiled policies are
// cached and revalidated against the store's generation counter.
package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/gencache"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/session"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// Origin is what the transport knows of where a request came from and how (its address, TLS,
// user agent), for the global condition keys.
type Origin struct {
	SourceIP  string
	Secure    bool
	UserAgent string
}

// Request is one authorization question.
type Request struct {
	Action   string // "iam:CreateUser"
	Resource string // an ARN or "*"
	// Shown, when set, is how AWS's denial names the resource instead of its ARN ("policy path
	// /" for ListPolicies, "user NAME" for the access key operations).
	Shown string
	// ResourcePolicy applies to the resource (a role's trust policy for sts:AssumeRole).
	ResourcePolicy *policy.Policy
	// ResourceAccount owns the resource; "" means the principal's account.
	ResourceAccount string
	// Keys are the operation's own condition keys (aws:RequestTag/…, iam:PolicyARN, …).
	Keys []Key
	// LazyKeys, when set, supplies further keys that cost a lookup to find (S3's
	// s3:ExistingObjectTag/…, the object's stored tags): it is called only if the evaluation
	// reads a condition key at all.
	LazyKeys func() []Key
	// Federated is the identity provider (an oidc-provider or saml-provider ARN) an unsigned
	// AssumeRoleWithWebIdentity or AssumeRoleWithSAML caller proved itself through; STS sets it
	// after verifying the token, so that a trust policy's Federated principal can match.
	Federated string
	// Service is the AWS service principal ("ec2.amazonaws.com") an unsigned caller acts as:
	// iamd sets it when it assumes a role on behalf of an enrolled instance, after checking the
	// instance credential, so that a trust policy's Service principal can match.
	Service string
	// Dependent are further authorizations the call needs, each on its own (iam:TagUser for a
	// CreateUser with tags, iam:PassRole for AddRoleToInstanceProfile).
	Dependent []Request
}

// Key is one condition key with its values.
type Key struct {
	Name   string
	Values []string
}

// Config is what an Authorizer needs.
type Config struct {
	Store  store.Store
	Now    func() time.Time
	Logger *slog.Logger
	// Seal and Open protect encoded authorization messages so that only iamd can read them
	// (the node passes its keyring's). Nil Seal means no encoded messages are issued.
	Seal func(plaintext []byte) []byte
	Open func(sealed []byte) ([]byte, error)
	// Observe, when set, is told of every request Authorize evaluates, allowed or denied, before
	// the decision (the access advisor counts attempts, as AWS does). It must be cheap and must
	// not fail the request.
	Observe func(ctx context.Context, p *authn.Principal, action string)
	// Organization returns an account's place in its AWS Organizations organization, nil
	// outside one (package orgs). Its answers are cached for the store generation; nil means
	// no account is ever in an organization.
	Organization func(ctx context.Context, account string) (*Membership, error)
}

// Authorizer answers authorization questions. It is safe for concurrent use.
type Authorizer struct {
	cfg  Config
	docs docCache
	// sets caches compiled identity sides by the principal's unique id.
	sets *gencache.Map[*identitySet]
	// orgs caches accounts' organization memberships with their compiled SCPs and RCPs.
	orgs *gencache.Map[*orgSet]

	// now is the current second's aws:CurrentTime and aws:EpochTime, formatted once a second.
	now atomic.Pointer[nowKeys]
}

type nowKeys struct {
	sec            int64
	current, epoch string
}

// nowKeys returns the time keys of t's second.
func (a *Authorizer) nowKeys(t time.Time) *nowKeys {
	sec := t.Unix()
	if k := a.now.Load(); k != nil && k.sec == sec {
		return k
	}
	k := &nowKeys{sec: sec, current: t.Format(time.RFC3339), epoch: strconv.FormatInt(sec, 10)}
	a.now.Store(k)
	return k
}

// identitySet is the compiled identity side of a principal.
type identitySet struct {
	identity []*policy.Policy
	ids      []Source // names identity, index for index
	boundary *policy.Policy
	bid      Source
	tags     []iam.Tag
}

// New returns an Authorizer.
func New(cfg Config) *Authorizer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Authorizer{cfg: cfg, sets: gencache.New[*identitySet](maxCachedSets), orgs: gencache.New[*orgSet](maxCachedSets),
		docs: docCache{m: map[docKey]*policy.Policy{}}}
}

// Compile parses a stored policy document of the given kind, through a cache shared by all
// requests (documents are immutable once stored; the key is the document itself).
func (a *Authorizer) Compile(doc string, kind policy.Kind) (*policy.Policy, error) {
	return a.docs.get(doc, kind)
}

// ResourcePolicy compiles a stored resource policy (an S3 bucket's), through the same cache.
func (a *Authorizer) ResourcePolicy(doc string) (*policy.Policy, error) {
	return a.docs.get(doc, policy.KindResource)
}

// Authorize returns nil when p may make req, else an AccessDenied *awserr.Error in AWS's words.
// The request's Dependent authorizations are checked after it, each with its own action.
func (a *Authorizer) Authorize(ctx context.Context, p *authn.Principal, meta Origin, req Request) error {
	if a.cfg.Observe != nil {
		a.cfg.Observe(ctx, p, req.Action)
	}
	for i := -1; i < len(req.Dependent); i++ {
		r := req
		if i >= 0 {
			r = req.Dependent[i]
		}
		ev, err := a.evaluate(ctx, p, meta, r)
		if err != nil {
			return err
		}
		if ev.Result.Decision != policy.Allowed {
			trust := ev.Sets.Resource != nil && ev.Sets.Resource.Kind() == policy.KindTrust
			shown := r.Resource
			if r.Shown != "" {
				shown = r.Shown
			}
			decider := ""
			if pl := ev.Result.By.Place; ev.Result.Decision == policy.ExplicitDeny && (pl == policy.PlaceSCP || pl == policy.PlaceRCP ||
				pl == policy.PlaceIdentity || pl == policy.PlaceBoundary) {
				// The deciding policy is named when it has an ARN (a control policy, a managed
				// policy, a boundary), as AWS's messages name it; an inline policy is not.
				if src := ev.Sources.Of(ev.Result.By); strings.HasPrefix(src.ID, "arn:") {
					decider = src.ID
				}
			}
			return Denied(p, r.Action, shown, ev.Result, trust, decider)
		}
	}
	return nil
}

// Evaluate returns the full decision for req. A role's trust policy (req.ResourcePolicy of
// sts:AssumeRole*) must itself allow: a trust policy that does not name the caller or its
// account admits nobody, whatever the caller's identity policies say.
func (a *Authorizer) Evaluate(ctx context.Context, p *authn.Principal, meta Origin, req Request) (policy.Result, error) {
	ev, err := a.evaluate(ctx, p, meta, req)
	if err != nil {
		return policy.Result{}, err
	}
	res := ev.Result
	// The slices are shared with the request's trace: capped, so that an append by the caller
	// cannot write into the trace's storage.
	res.Matched = res.Matched[:len(res.Matched):len(res.Matched)]
	res.Missing = res.Missing[:len(res.Missing):len(res.Missing)]
	return res, nil
}

// Evaluation is one decision with everything that explains it.
type Evaluation struct {
	Result  policy.Result
	Sets    policy.Sets
	Sources Sources
	Request *policy.Request
}

// Source names one policy for traces, the simulator and decoded messages.
type Source struct {
	ID   string // the policy's name (inline) or ARN (managed); the simulator's input index
	Type string // the simulator's SourcePolicyType: user, group, role, aws-managed, user-managed, resource, none
	Doc  string // the document, for statement positions
	// Account owns the policy; decoded messages show the text of the caller's account only.
	Account string
}

// Sources names the policies of a policy.Sets, index for index.
type Sources struct {
	Identity []Source
	Resource Source
	Boundary Source
	Session  []Source
	// SCPs and RCPs name the organization's control policies, level by level.
	SCPs, RCPs [][]Source
}

// Of returns the source of the policy ref points at.
func (s *Sources) Of(ref policy.PolicyRef) Source {
	switch ref.Place {
	case policy.PlaceIdentity:
		if ref.Index >= 0 && ref.Index < len(s.Identity) {
			return s.Identity[ref.Index]
		}
	case policy.PlaceSession:
		if ref.Index >= 0 && ref.Index < len(s.Session) {
			return s.Session[ref.Index]
		}
	case policy.PlaceResource:
		return s.Resource
	case policy.PlaceBoundary:
		return s.Boundary
	case policy.PlaceSCP, policy.PlaceRCP:
		levels := s.SCPs
		if ref.Place == policy.PlaceRCP {
			levels = s.RCPs
		}
		if ref.Level >= 0 && ref.Level < len(levels) && ref.Index >= 0 && ref.Index < len(levels[ref.Level]) {
			return levels[ref.Level][ref.Index]
		}
	}
	return Source{}
}

// evaluate decides req for p and records the decision in ctx's trace. The Evaluation it returns
// belongs to the trace: callers read it and do not change it.
func (a *Authorizer) evaluate(ctx context.Context, p *authn.Principal, meta Origin, req Request) (*Evaluation, error) {
	sets := policy.Sets{Resource: req.ResourcePolicy}
	var srcs Sources
	if req.ResourcePolicy != nil {
		srcs.Resource = Source{ID: "trust", Type: "resource", Account: req.ResourceAccount}
	}
	var tags []iam.Tag
	s := p.Session()
	switch p.Kind() {
	case authn.Root, authn.RootSession:
		// The root user has no identity policies and is not limited by them.
	case authn.User, authn.UserSession, authn.FederatedUser, authn.AssumedRole:
		// The identity behind the principal is the entity with its unique id, never whatever
		// now bears its name: a user or role deleted and re-created is another principal.
		kind := iam.KindUser
		if p.Kind() == authn.AssumedRole {
			kind = iam.KindRole
		}
		if p.EntityID() != "" {
			is, err := a.identity(ctx, p.Account(), kind, p.EntityID())
			if err != nil {
				return nil, err
			}
			sets.Identity, sets.Boundary, tags = is.identity, is.boundary, is.tags
			srcs.Identity, srcs.Boundary = is.ids, is.bid
		}
	default:
		// Anonymous callers have no identity side: only a resource policy can grant.
	}
	if s != nil && (s.Origin == session.AssumedRole || s.Origin == session.FederatedUser || RootTask(s)) {
		sp, ids, err := a.sessionPolicies(ctx, s)
		if err != nil {
			return nil, err
		}
		sets.Session, srcs.Session = sp, ids
	}
	orgCaller, orgResource, err := a.orgPolicies(ctx, p, &req, &sets, &srcs)
	if err != nil {
		return nil, err
	}
	// The Evaluation, its Request and its first matches are one allocation, and the trace
	// keeps that Evaluation itself: nothing is copied.
	ev := take()
	ev.Sets, ev.Sources = sets, srcs
	r := ev.Request
	*r = policy.Request{
		Action:          req.Action,
		Resource:        req.Resource,
		ResourceAccount: req.ResourceAccount,
		Principal:       policy.Principal{ARN: p.ARN(), Account: p.Account()},
	}
	if p.Kind() == authn.AssumedRole {
		r.Principal.RoleARN = iam.RoleARN(p.Account(), s.EntityPath, s.EntityName)
	}
	if p.Kind() == authn.Anonymous {
		r.Principal.Federated = req.Federated
		r.Principal.Service = req.Service
	}
	// The context keys are built when first read: a condition, a policy variable, or an
	// authorization message. Many evaluations (a trust policy naming its principals, an
	// administrator's policy) read none.
	keys, lazy := req.Keys, req.LazyKeys
	r.Context.Defer(func(c *policy.Context) {
		// Room for the global keys and the principal's (about twenty) in one allocation.
		c.Grow(24 + len(tags) + len(keys))
		a.context(c, p, meta, tags)
		orgKeys(c, orgCaller, orgResource)
		if r.Principal.Service != "" {
			c.Set("aws:PrincipalIsAWSService", "true")
			c.Set("aws:PrincipalServiceName", r.Principal.Service)
		}
		for _, k := range keys {
			c.Set(k.Name, k.Values...)
		}
		if lazy != nil {
			for _, k := range lazy() {
				c.Set(k.Name, k.Values...)
			}
		}
		r.SetPrincipalKeys()
	})
	decide(ev)
	traceOf(ctx).add(ev)
	return ev, nil
}

// decide evaluates ev's request against its sets: policy.Evaluate, plus the rule that a role's
// trust policy must itself allow an sts:AssumeRole* request. Enforcement and the simulator
// both decide here.
func decide(ev *Evaluation) {
	// Into ev.Result, reusing the room for matches its creator may have given it.
	policy.EvaluateInto(&ev.Result, &ev.Sets, ev.Request)
	policy.TrustGate(&ev.Result, &ev.Sets)
}

// context fills the global condition keys AWS supplies for every request.
func (a *Authorizer) context(c *policy.Context, p *authn.Principal, meta Origin, tags []iam.Tag) {
	now := a.cfg.Now().UTC()
	nk := a.nowKeys(now)
	c.Set("aws:CurrentTime", nk.current)
	c.Set("aws:EpochTime", nk.epoch)
	c.Set("aws:SecureTransport", strconv.FormatBool(meta.Secure))
	// Requests reach iamd from their callers directly, never from an AWS service on their behalf.
	c.Set("aws:PrincipalIsAWSService", "false")
	c.Set("aws:ViaAWSService", "false")
	if meta.SourceIP != "" {
		c.Set("aws:SourceIp", meta.SourceIP)
	}
	if meta.UserAgent != "" {
		c.Set("aws:UserAgent", meta.UserAgent)
	}
	if r := p.Region(); r != "" {
		c.Set("aws:RequestedRegion", r)
	}
	if p.Kind() != authn.Anonymous {
		c.Set("aws:userid", p.UserID())
	}
	for _, t := range tags {
		c.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	s := p.Session()
	if s == nil {
		return
	}
	// Session tags override the role's tags of the same key.
	for _, t := range s.Tags {
		c.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	c.Set("aws:TokenIssueTime", s.IssuedAt.UTC().Format(time.RFC3339))
	c.Set("aws:MultiFactorAuthPresent", strconv.FormatBool(s.MFA))
	if s.MFA {
		c.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(now.Sub(s.MFAAuthTime)/time.Second), 10))
	}
	if s.SourceIdentity != "" {
		c.Set("aws:SourceIdentity", s.SourceIdentity)
	}
	if s.Origin == session.AssumedRole {
		c.Set("aws:RoleSessionName", s.SessionName)
	}
	if s.SourceInstanceARN != "" {
		// The instance a role session was issued to, as AWS sets it for EC2 role credentials.
		c.Set("aws:SourceInstanceARN", s.SourceInstanceARN)
		c.Set("ec2:SourceInstanceARN", s.SourceInstanceARN)
	}
}

// SourceIP is the client address of a remote address "host:port".
func SourceIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// identity returns the compiled identity policies and boundary of the user or role with unique
// id id, cached until the store changes. An entity that no longer exists has none.
func (a *Authorizer) identity(ctx context.Context, account string, kind iam.EntityKind, id string) (*identitySet, error) {
	gen, err := a.cfg.Store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	// Unique ids are unique across accounts and kinds (their prefix names the kind), so the id
	// alone is the key.
	if is, ok := a.sets.Get(gen, id); ok {
		return is, nil
	}
	is, err := a.load(ctx, account, kind, id)
	if err != nil {
		return nil, err
	}
	a.sets.Put(gen, id, is)
	return is, nil
}

const maxCachedSets = 100_000

// load reads the policies of the principal with unique id id from the store and compiles them.
func (a *Authorizer) load(ctx context.Context, account string, kind iam.EntityKind, id string) (*identitySet, error) {
	var docs []namedDoc
	var boundaryDoc string
	is := &identitySet{}
	err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		docs = docs[:0]
		boundaryDoc = ""
		var boundaryARN, name string
		switch kind {
		case iam.KindUser:
			u, err := tx.UserByID(ctx, account, id)
			if err != nil {
				return err
			}
			name, boundaryARN, is.tags = u.UserName, u.PermissionsBoundary, u.Tags
			var groups []iam.Group
			opt := store.ListOptions{MaxItems: 1000}
			for {
				pg, err := tx.GroupsForUser(ctx, account, name, opt)
				if err != nil {
					return err
				}
				groups = append(groups, pg.Items...)
				if !pg.IsTruncated {
					break
				}
				opt.Marker = pg.Marker
			}
			for _, g := range groups {
				if docs, err = appendPolicies(ctx, tx, docs, account, iam.KindGroup, g.GroupName); err != nil {
					return err
				}
			}
		case iam.KindRole:
			r, err := tx.RoleByID(ctx, account, id)
			if err != nil {
				return err
			}
			name, boundaryARN, is.tags = r.RoleName, r.PermissionsBoundary, r.Tags
		}
		var err error
		if docs, err = appendPolicies(ctx, tx, docs, account, kind, name); err != nil {
			return err
		}
		if boundaryARN != "" {
			boundaryDoc, err = defaultVersion(ctx, tx, boundaryARN)
			is.bid = Source{ID: boundaryARN, Type: managedType(boundaryARN), Account: arnAccount(boundaryARN)}
			if errors.Is(err, store.ErrNotFound) {
				// A boundary whose policy is gone allows nothing.
				boundaryDoc, err = denyAll, nil
			}
			return err
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			// The principal was deleted: it has no permissions left.
			return &identitySet{}, nil
		}
		return nil, err
	}
	for _, d := range docs {
		p, err := a.docs.get(d.doc, policy.KindIdentity)
		if err != nil {
			// Stored documents were validated when written; one that no longer parses grants
			// nothing rather than failing every request.
			a.cfg.Logger.Error("stored policy does not compile", "principal", id, "err", err)
			continue
		}
		d.src.Doc = d.doc
		is.identity = append(is.identity, p)
		is.ids = append(is.ids, d.src)
	}
	if boundaryDoc != "" {
		is.bid.Doc = boundaryDoc
		p, err := a.docs.get(boundaryDoc, policy.KindBoundary)
		if err != nil {
			p, _ = a.docs.get(denyAll, policy.KindBoundary)
		}
		is.boundary = p
	}
	return is, nil
}

// denyAll is a policy that allows nothing, for gates that must admit nothing.
const denyAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`

// namedDoc is a policy document with its source.
type namedDoc struct {
	doc string
	src Source
}

// managedType is the simulator's SourcePolicyType of a managed policy ARN.
func managedType(arn string) string {
	if strings.HasPrefix(arn, "arn:aws:iam::aws:") {
		return "aws-managed"
	}
	return "user-managed"
}

// arnAccount is the account field of an ARN ("aws" for AWS managed policies).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// appendPolicies appends the inline and attached managed policy documents of one entity.
func appendPolicies(ctx context.Context, tx store.Tx, docs []namedDoc, account string, kind iam.EntityKind, name string) ([]namedDoc, error) {
	inline, err := tx.InlinePolicies(ctx, account, kind, name)
	if err != nil {
		return nil, err
	}
	for _, p := range inline {
		docs = append(docs, namedDoc{p.Document, Source{ID: p.PolicyName, Type: string(kind), Account: account}})
	}
	opt := store.ListOptions{MaxItems: 1000}
	for {
		pg, err := tx.AttachedPolicies(ctx, account, kind, name, opt)
		if err != nil {
			return nil, err
		}
		for _, ap := range pg.Items {
			d, err := defaultVersion(ctx, tx, ap.PolicyArn)
			if err != nil {
				return nil, err
			}
			docs = append(docs, namedDoc{d, Source{ID: ap.PolicyArn, Type: managedType(ap.PolicyArn), Account: arnAccount(ap.PolicyArn)}})
		}
		if !pg.IsTruncated {
			return docs, nil
		}
		opt.Marker = pg.Marker
	}
}

func defaultVersion(ctx context.Context, tx store.Tx, arn string) (string, error) {
	mp, err := tx.Policy(ctx, arn)
	if err != nil {
		return "", err
	}
	v, err := tx.PolicyVersion(ctx, arn, mp.DefaultVersionID)
	if err != nil {
		return "", err
	}
	return v.Document, nil
}

// sessionPolicies compiles a session's policies. A federated user's session with no policy
// passed has no permissions (AWS's rule), so it gets a gate that admits nothing.
func (a *Authorizer) sessionPolicies(ctx context.Context, s *session.Session) ([]*policy.Policy, []Source, error) {
	var out []*policy.Policy
	var ids []Source
	if s.Policy != "" {
		p, err := a.docs.get(s.Policy, policy.KindSession)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, p)
		ids = append(ids, Source{ID: "session", Type: "none", Doc: s.Policy, Account: s.Account})
	}
	if len(s.PolicyARNs) > 0 {
		var docs []namedDoc
		err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
			docs = docs[:0]
			for _, arn := range s.PolicyARNs {
				d, err := defaultVersion(ctx, tx, arn)
				if errors.Is(err, store.ErrNotFound) {
					continue // a deleted policy grants nothing
				}
				if err != nil {
					return err
				}
				docs = append(docs, namedDoc{d, Source{ID: arn, Type: managedType(arn), Doc: d, Account: arnAccount(arn)}})
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		for _, d := range docs {
			p, err := a.docs.get(d.doc, policy.KindSession)
			if err != nil {
				continue
			}
			out = append(out, p)
			ids = append(ids, d.src)
		}
	}
	if len(out) == 0 && (s.Origin == session.FederatedUser || len(s.PolicyARNs) > 0) {
		p, _ := a.docs.get(denyAll, policy.KindSession)
		out = append(out, p)
		ids = append(ids, Source{ID: "none", Type: "none", Account: s.Account})
	}
	return out, ids, nil
}

// Denied words an AccessDenied as AWS does; trust says the request carried a role's trust
// policy, decider is the ARN of the policy whose explicit deny decided ("" for none or one
// without an ARN), which the reason then names.
func Denied(p *authn.Principal, action, resource string, res policy.Result, trust bool, decider string) *awserr.Error {
	who := "User: " + p.ARN()
	if p.Kind() == authn.Anonymous {
		who = "Anonymous user"
	}
	on := " on resource: " + resource
	if strings.HasPrefix(action, "sts:") {
		// A role whose trust policy refuses is named without a reason ("User: … is not
		// authorized to perform: sts:AssumeRole on resource: …", as AWS answers); a refusal by
		// the caller's own policies gives IAM's reasons. An STS operation on no resource names
		// none: "… to perform: sts:DecodeAuthorizationMessage because no identity-based policy
		// allows the sts:DecodeAuthorizationMessage action" (AWS's answers, as recorded by users).
		if trust && trustRefused(res) {
			return awserr.AccessDenied(fmt.Sprintf("%s is not authorized to perform: %s%s", who, action, on))
		}
		if resource == "*" {
			on = ""
		}
	}
	var why string
	if res.Decision == policy.ExplicitDeny {
		why = "with an explicit deny in " + placeWords(res.By.Place)
		if decider != "" {
			why += ": " + decider
		}
	} else {
		why = "because no " + strings.TrimPrefix(placeWords(res.By.Place), "a ") + " allows the " + action + " action"
		if res.By.Place == policy.PlaceIdentity || res.By.Place == policy.PlaceNone {
			why = "because no identity-based policy allows the " + action + " action"
		}
	}
	return awserr.AccessDenied(fmt.Sprintf("%s is not authorized to perform: %s%s %s", who, action, on, why))
}

// trustRefused reports whether a denial under a role's trust policy is the trust policy's: it
// decided, or it allowed nothing. The identity policies may have refused too; AWS then names the
// role alone.
func trustRefused(res policy.Result) bool {
	if res.By.Place == policy.PlaceResource {
		return true
	}
	for _, m := range res.Matched {
		if m.Policy.Place == policy.PlaceResource && m.Effect == policy.Allow {
			return false
		}
	}
	return true
}

func placeWords(p policy.Place) string {
	switch p {
	case policy.PlaceResource:
		return "a resource-based policy"
	case policy.PlaceBoundary:
		return "a permissions boundary"
	case policy.PlaceSession:
		return "a session policy"
	case policy.PlaceSCP:
		return "a service control policy"
	case policy.PlaceRCP:
		return "a resource control policy"
	}
	return "an identity-based policy"
}

// docCache maps policy documents to their compiled form.
type docCache struct {
	mu sync.RWMutex
	m  map[docKey]*policy.Policy
}

type docKey struct {
	kind policy.Kind
	doc  string
}

const maxCachedDocs = 50_000

func (c *docCache) get(doc string, kind policy.Kind) (*policy.Policy, error) {
	key := docKey{kind, doc}
	c.mu.RLock()
	p, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return p, nil
	}
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedDocs {
		clear(c.m)
	}
	c.m[key] = p
	c.mu.Unlock()
	return p, nil
}

type originKey struct{}

// OriginFromContext returns the transport facts of ctx's request (NewRequestContext), for
// services that authorize inside (AssumeRole's trust policy evaluation).
func OriginFromContext(ctx context.Context) Origin {
	if m, ok := ctx.Value(originKey{}).(*Origin); ok {
		return *m
	}
	return Origin{}
}
