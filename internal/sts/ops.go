package sts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/session"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// Duration bounds, in seconds, as AWS documents them.
const (
	minDuration            = 900
	defaultRoleDuration    = 3600
	chainedMaxDuration     = 3600 // role chaining caps sessions at one hour
	maxUserSessionDuration = 129600
	defaultSessionDuration = 43200
	maxRootSessionDuration = 3600
	maxSessionPolicyArns   = 10
	maxSessionTags         = 50
	roleUseRecordInterval  = time.Minute
)

func caller(ctx context.Context) (*authn.Principal, error) {
	p, ok := authn.FromContext(ctx)
	if !ok {
		return nil, errors.New("sts: no principal in context")
	}
	return p, nil
}

// GetCallerIdentity answers for any valid credentials; no policy can deny it.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityInput) (*stsapi.GetCallerIdentityOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetCallerIdentityOutput{UserId: p.UserID(), Account: p.Account(), Arn: p.ARN()}, nil
}

// GetAccessKeyInfo decodes the account from the key id itself, as AWS does: no lookup, and an
// answer for keys of any account, existing or not.
func (s *Service) GetAccessKeyInfo(ctx context.Context, in *stsapi.GetAccessKeyInfoInput) (*stsapi.GetAccessKeyInfoOutput, error) {
	acct, err := iam.AccountFromAccessKeyID(in.AccessKeyId)
	if err != nil {
		return nil, awserr.Validation("1 validation error detected: Value '" + in.AccessKeyId +
			"' at 'accessKeyId' failed to satisfy constraint: Member must be a valid access key id")
	}
	return &stsapi.GetAccessKeyInfoOutput{Account: acct}, nil
}

// GetSessionToken issues credentials with the calling user's (or root's) permissions.
func (s *Service) GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenInput) (*stsapi.GetSessionTokenOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.Temporary() {
		return nil, awserr.AccessDenied("Cannot call GetSessionToken with session credentials")
	}
	sess := &session.Session{Account: p.Account()}
	limit, dur := maxUserSessionDuration, defaultSessionDuration
	if p.IsRoot() {
		sess.Origin = session.RootSession
		limit, dur = maxRootSessionDuration, maxRootSessionDuration
	} else {
		u, err := s.user(ctx, p)
		if err != nil {
			return nil, err
		}
		sess.Origin = session.UserSession
		sess.EntityID, sess.EntityName, sess.EntityPath = u.UserID, u.UserName, u.Path
	}
	if in.SerialNumber != "" || in.TokenCode != "" {
		at, err := s.mfa(ctx, p, in.SerialNumber, in.TokenCode)
		if err != nil {
			return nil, err
		}
		sess.MFA, sess.MFAAuthTime = true, at
	}
	if in.DurationSeconds != nil {
		dur = int(*in.DurationSeconds)
		if dur > limit {
			// Root sessions are capped, not refused, as AWS does.
			dur = limit
		}
	}
	creds, err := s.issue(sess, time.Duration(dur)*time.Second)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetSessionTokenOutput{Credentials: creds}, nil
}

// GetFederationToken issues credentials for a federated user: the calling user's permissions
// intersected with the policies passed (none passed: no permissions).
func (s *Service) GetFederationToken(ctx context.Context, in *stsapi.GetFederationTokenInput) (*stsapi.GetFederationTokenOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if p.Temporary() {
		return nil, awserr.AccessDenied("Cannot call GetFederationToken with session credentials")
	}
	sess := &session.Session{Origin: session.FederatedUser, Account: p.Account(), SessionName: in.Name}
	limit, dur := maxUserSessionDuration, defaultSessionDuration
	if p.IsRoot() {
		limit, dur = maxRootSessionDuration, maxRootSessionDuration
	} else {
		u, err := s.user(ctx, p)
		if err != nil {
			return nil, err
		}
		sess.EntityID, sess.EntityName, sess.EntityPath = u.UserID, u.UserName, u.Path
	}
	if in.DurationSeconds != nil {
		dur = min(int(*in.DurationSeconds), limit)
	}
	packed, err := s.sessionPolicies(ctx, sess, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	tags, err := sessionTags(in.Tags)
	if err != nil {
		return nil, err
	}
	sess.Tags = tags
	if err := checkPacked(packed, sess); err != nil {
		return nil, err
	}
	creds, err := s.issue(sess, time.Duration(dur)*time.Second)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetFederationTokenOutput{
		Credentials:      creds,
		FederatedUser:    &stsapi.FederatedUser{FederatedUserId: p.Account() + ":" + in.Name, Arn: iam.FederatedUserARN(p.Account(), in.Name)},
		PackedPolicySize: federationPacked(packedSize(packed, sess)),
	}, nil
}

// federationPacked is GetFederationToken's PackedPolicySize: unlike the role operations, which
// leave it out when nothing is packed, AWS sends 0 there (inferred from AWS's answers; the
// reference documents only the percentage).
func federationPacked(pct *int32) *int32 {
	if pct == nil {
		return new(int32)
	}
	return pct
}

// AssumeRole issues credentials for a role session when the role's trust policy (and, where it
// delegates to the account, the caller's identity policies) allow the caller. It validates the
// call, builds the condition keys, has authz decide (the trust rule is authz's alone), and
// issues the session.
func (s *Service) AssumeRole(ctx context.Context, in *stsapi.AssumeRoleInput) (*stsapi.AssumeRoleOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.validateAssume(ctx, p, in)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeAssume(ctx, p, a, in); err != nil {
		return nil, err
	}
	return s.issueAssume(ctx, p, a, in)
}

// assumption is an AssumeRole call once validated: the role, with its trust policy compiled,
// and the session it asks for.
type assumption struct {
	role           iam.Role
	trust          *policy.Policy
	mfaAt          time.Time // when the call's own MFA code was verified; zero: none given
	prev           *session.Session
	tags           []session.Tag
	transitive     []string
	sourceIdentity string
}

// validateAssume checks everything AssumeRole can refuse before the authorization decision, in
// AWS's order.
func (s *Service) validateAssume(ctx context.Context, p *authn.Principal, in *stsapi.AssumeRoleInput) (*assumption, error) {
	if p.IsRoot() {
		// AWS refuses role sessions to the root user, with its key or its session token.
		return nil, awserr.AccessDenied("Roles may not be assumed by root accounts.")
	}
	if len(in.ProvidedContexts) > 0 {
		return nil, awserr.InvalidInput("ProvidedContexts are not supported by iamd.")
	}
	a := &assumption{}
	var err error
	if in.SerialNumber != "" || in.TokenCode != "" {
		if a.mfaAt, err = s.mfa(ctx, p, in.SerialNumber, in.TokenCode); err != nil {
			return nil, err
		}
	}
	acct, path, name, ok := parseRoleARN(in.RoleArn)
	if !ok {
		return nil, awserr.Validation(in.RoleArn + " is invalid")
	}
	// The role may live in another account hosted by this iamd: then both the caller's identity
	// policies and the role's trust policy must allow (policy.Evaluate's cross-account rule).
	a.role, err = s.role(ctx, acct, name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.role.Path != path) {
		return nil, assumeDenied(p, in.RoleArn)
	}
	if err != nil {
		return nil, err
	}
	if a.trust, err = s.cfg.Authz.Compile(a.role.AssumeRolePolicyDocument, policy.KindTrust); err != nil {
		return nil, assumeDenied(p, in.RoleArn)
	}
	if a.tags, err = sessionTags(in.Tags); err != nil {
		return nil, err
	}
	if p.Kind() == authn.AssumedRole {
		a.prev = p.Session()
	}
	if a.transitive, err = mergeTransitive(a.prev, &a.tags, in.TransitiveTagKeys); err != nil {
		return nil, err
	}
	a.sourceIdentity = in.SourceIdentity
	if a.prev != nil && a.prev.SourceIdentity != "" {
		if in.SourceIdentity != "" && in.SourceIdentity != a.prev.SourceIdentity {
			return nil, awserr.AccessDenied("SourceIdentity cannot be changed once set on a role session.")
		}
		a.sourceIdentity = a.prev.SourceIdentity
	}
	return a, nil
}

// assumeDenied is AWS's answer to an AssumeRole of a role that does not exist or cannot be
// assumed, worded as a denial so that it tells nothing of which.
func assumeDenied(p *authn.Principal, roleARN string) error {
	return awserr.AccessDenied(fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", p.ARN(), roleARN))
}

// authorizeAssume asks authz for sts:AssumeRole on the role, with the role's trust policy as
// the resource policy, and for sts:TagSession and sts:SetSourceIdentity when the call needs them.
func (s *Service) authorizeAssume(ctx context.Context, p *authn.Principal, a *assumption, in *stsapi.AssumeRoleInput) error {
	keys := []authz.Key{{Name: "sts:RoleSessionName", Values: []string{in.RoleSessionName}}}
	if in.ExternalId != "" {
		keys = append(keys, authz.Key{Name: "sts:ExternalId", Values: []string{in.ExternalId}})
	}
	if a.sourceIdentity != "" {
		keys = append(keys, authz.Key{Name: "sts:SourceIdentity", Values: []string{a.sourceIdentity}})
	}
	if len(in.Tags) > 0 {
		tagKeys := make([]string, len(in.Tags))
		for i, t := range in.Tags {
			tagKeys[i] = t.Key
			keys = append(keys, authz.Key{Name: "aws:RequestTag/" + t.Key, Values: []string{t.Value}})
		}
		keys = append(keys, authz.Key{Name: "aws:TagKeys", Values: tagKeys})
	}
	if len(in.TransitiveTagKeys) > 0 {
		keys = append(keys, authz.Key{Name: "sts:TransitiveTagKeys", Values: in.TransitiveTagKeys})
	}
	if !a.mfaAt.IsZero() {
		// The code given with this call authenticates the caller now: a trust policy requiring
		// MFA sees it present and fresh.
		keys = append(keys, authz.Key{Name: "aws:MultiFactorAuthPresent", Values: []string{"true"}},
			authz.Key{Name: "aws:MultiFactorAuthAge", Values: []string{"0"}})
	}
	req := authz.Request{Action: "sts:AssumeRole", Resource: a.role.Arn, ResourcePolicy: a.trust, ResourceAccount: a.role.Account, Keys: keys}
	if len(in.Tags) > 0 || len(in.TransitiveTagKeys) > 0 {
		req.Dependent = append(req.Dependent, authz.Request{Action: "sts:TagSession", Resource: a.role.Arn, ResourcePolicy: a.trust, ResourceAccount: a.role.Account, Keys: keys})
	}
	if in.SourceIdentity != "" {
		req.Dependent = append(req.Dependent, authz.Request{Action: "sts:SetSourceIdentity", Resource: a.role.Arn, ResourcePolicy: a.trust, ResourceAccount: a.role.Account, Keys: keys})
	}
	return s.cfg.Authz.Authorize(ctx, p, authz.OriginFromContext(ctx), req)
}

// issueAssume issues the role session an authorized AssumeRole asked for. The session's length
// is checked against the role only now: a caller the role does not admit learns nothing of it.
func (s *Service) issueAssume(ctx context.Context, p *authn.Principal, a *assumption, in *stsapi.AssumeRoleInput) (*stsapi.AssumeRoleOutput, error) {
	role := a.role
	dur := defaultRoleDuration
	if in.DurationSeconds != nil {
		dur = int(*in.DurationSeconds)
	}
	if a.prev != nil && dur > chainedMaxDuration {
		return nil, awserr.Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if maxDur := int(role.MaxSessionDuration); maxDur > 0 && dur > maxDur {
		return nil, awserr.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	sess := &session.Session{
		Origin: session.AssumedRole, Account: role.Account,
		EntityID: role.RoleID, EntityName: role.RoleName, EntityPath: role.Path,
		SessionName:    in.RoleSessionName,
		Tags:           a.tags,
		TransitiveKeys: a.transitive,
		SourceIdentity: a.sourceIdentity,
	}
	if a.prev != nil {
		sess.ChainDepth = a.prev.ChainDepth + 1
		sess.MFA, sess.MFAAuthTime = a.prev.MFA, a.prev.MFAAuthTime
	}
	if !a.mfaAt.IsZero() {
		sess.MFA, sess.MFAAuthTime = true, a.mfaAt
	}
	packed, err := s.sessionPolicies(ctx, sess, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	if err := checkPacked(packed, sess); err != nil {
		return nil, err
	}
	// The response and its parts are one allocation (measured: AssumeRole is iamd's busiest
	// call after GetCallerIdentity).
	out := new(struct {
		stsapi.AssumeRoleOutput
		user  stsapi.AssumedRoleUser
		creds stsapi.Credentials
	})
	if err := s.issueInto(&out.creds, sess, time.Duration(dur)*time.Second); err != nil {
		return nil, err
	}
	s.recordRoleUse(ctx, role, p.Region())
	out.user = stsapi.AssumedRoleUser{AssumedRoleId: role.RoleID + ":" + in.RoleSessionName,
		Arn: iam.AssumedRoleARN(role.Account, role.RoleName, in.RoleSessionName)}
	out.AssumeRoleOutput = stsapi.AssumeRoleOutput{Credentials: &out.creds, AssumedRoleUser: &out.user,
		PackedPolicySize: packedSize(packed, sess), SourceIdentity: a.sourceIdentity}
	return &out.AssumeRoleOutput, nil
}

// parseRoleARN splits arn:aws:iam::ACCOUNT:role/PATH/NAME.
func parseRoleARN(s string) (account, path, name string, ok bool) {
	ref, ok := iam.ParseEntityARN(s)
	if !ok || ref.Type != "role" || !iam.ValidName(ref.Name) {
		return "", "", "", false
	}
	return ref.Account, ref.Path, ref.Name, true
}

// sessionPolicies validates and stores the session policies on sess; it returns the packed
// bytes they take, for PackedPolicySize.
func (s *Service) sessionPolicies(ctx context.Context, sess *session.Session, doc string, arns []stsapi.PolicyDescriptorType) (int, error) {
	if doc != "" {
		if _, err := s.cfg.Authz.Compile(doc, policy.KindSession); err != nil {
			var se *policy.SyntaxError
			if errors.As(err, &se) {
				return 0, awserr.MalformedPolicyDocument(se.Reason)
			}
			return 0, awserr.MalformedPolicyDocument(err.Error())
		}
		sess.Policy = doc
	}
	if len(arns) > maxSessionPolicyArns {
		return 0, awserr.Validation(fmt.Sprintf("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionPolicyArns))
	}
	for _, a := range arns {
		if !strings.HasPrefix(a.Arn, "arn:aws:iam::") || !strings.Contains(a.Arn, ":policy/") {
			return 0, awserr.InvalidInput(fmt.Sprintf("ARN %s is not valid.", a.Arn))
		}
		sess.PolicyARNs = append(sess.PolicyARNs, a.Arn)
	}
	if err := s.managedSessionPolicies(ctx, sess.Account, sess.PolicyARNs); err != nil {
		return 0, err
	}
	n := len(compact(doc))
	for _, a := range sess.PolicyARNs {
		n += len(a)
	}
	return n, nil
}

// managedSessionPolicies checks that each managed session policy exists in the session's
// account or among the AWS managed policies; AWS refuses any other with InvalidParameterValue
// in these words (its production answer, as recorded by a client that retries on it).
func (s *Service) managedSessionPolicies(ctx context.Context, account string, arns []string) error {
	if len(arns) == 0 {
		return nil
	}
	missing := awserr.New(http.StatusBadRequest, "InvalidParameterValue",
		"At least one Policy ARN in the PolicyArns parameter does not match an existing IAM Managed Policy ARN.")
	return s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		for _, a := range arns {
			p, err := tx.Policy(ctx, a)
			if errors.Is(err, store.ErrNotFound) || err == nil && p.Account != account && p.Account != "aws" {
				return missing
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// packedLimit is the packed size, in bytes, that session policies and tags may take: AWS
// compresses them into a binary form whose limit it does not publish; iamd measures the compacted
// policy text plus ARNs and tags against the documented 2,048-character session policy limit.
const packedLimit = 2048

// packedSize is PackedPolicySize: the percentage of the packed limit used, nil when there are
// no session policies or tags.
func packedSize(policyBytes int, sess *session.Session) *int32 {
	n := policyBytes
	for _, t := range sess.Tags {
		n += len(t.Key) + len(t.Value)
	}
	if n == 0 {
		return nil
	}
	pct := int32((n*100 + packedLimit - 1) / packedLimit)
	return &pct
}

// checkPacked refuses session policies and tags that overflow the packed limit, as AWS does, in
// its words ("Packed policy consumes 157% of allotted space, please use smaller policy.", as
// its answers are recorded).
func checkPacked(policyBytes int, sess *session.Session) error {
	if pct := packedSize(policyBytes, sess); pct != nil && *pct > 100 {
		return &awserr.Error{Code: "PackedPolicyTooLarge", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Packed policy consumes %d%% of allotted space, please use smaller policy.", *pct)}
	}
	return nil
}

// compact removes whitespace outside strings, as AWS counts policy size.
func compact(doc string) string {
	var b strings.Builder
	inStr, esc := false, false
	for _, r := range doc {
		switch {
		case esc:
			esc = false
		case inStr && r == '\\':
			esc = true
		case r == '"':
			inStr = !inStr
		case !inStr && (r == ' ' || r == '\n' || r == '\r' || r == '\t'):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sessionTags checks session tags: at most 50, no key or value beginning with aws: (the IAM
// User Guide binds session tags to IAM's tag naming rules; see iam.CheckReservedTagPrefix), no
// key twice (case-insensitively).
func sessionTags(in []stsapi.Tag) ([]session.Tag, error) {
	if len(in) > maxSessionTags {
		return nil, awserr.Validation(fmt.Sprintf("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionTags))
	}
	out := make([]session.Tag, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, t := range in {
		if err := iam.CheckReservedTagPrefix(t.Key, t.Value); err != nil {
			return nil, err
		}
		k := strings.ToLower(t.Key)
		if seen[k] {
			// STS's code for a parameter it refuses is InvalidParameterValue (IAM's InvalidInput);
			// the sentence is IAM's, which STS is inferred to share.
			return nil, awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		out = append(out, session.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

// mergeTransitive carries the caller's transitive tags into the new session (they cannot be
// overridden) and returns the new session's transitive keys.
func mergeTransitive(prev *session.Session, tags *[]session.Tag, keys []string) ([]string, error) {
	for _, k := range keys {
		found := false
		for _, t := range *tags {
			if strings.EqualFold(t.Key, k) {
				found = true
				break
			}
		}
		if !found {
			return nil, awserr.InvalidInput("The specified transitive tag key must be included in the requested tags.")
		}
	}
	out := append([]string(nil), keys...)
	if prev == nil {
		return out, nil
	}
	for _, k := range prev.TransitiveKeys {
		var val string
		for _, t := range prev.Tags {
			if strings.EqualFold(t.Key, k) {
				val = t.Value
			}
		}
		for _, t := range *tags {
			if strings.EqualFold(t.Key, k) {
				return nil, awserr.InvalidInput("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
			}
		}
		*tags = append(*tags, session.Tag{Key: k, Value: val})
		out = append(out, k)
	}
	return out, nil
}

// issue mints the credentials of sess, valid for d.
func (s *Service) issue(sess *session.Session, d time.Duration) (*stsapi.Credentials, error) {
	c := new(stsapi.Credentials)
	if err := s.issueInto(c, sess, d); err != nil {
		return nil, err
	}
	return c, nil
}

// issueInto is issue writing the credentials into c, for a caller that allocates them with
// the rest of its response. The key id and the secret are one string, one allocation.
func (s *Service) issueInto(c *stsapi.Credentials, sess *session.Session, d time.Duration) error {
	now := s.cfg.Now().UTC().Truncate(time.Second)
	const keyLen = iam.AccessKeyIDLen + iam.SecretKeyLen
	var buf [keyLen]byte
	key, err := iam.AppendAccessKey(buf[:0], iam.PrefixTemporaryKey, sess.Account)
	if err != nil {
		return err
	}
	both := string(key)
	clear(buf[:]) // the secret's bytes do not stay behind on the stack
	sess.AccessKeyID, sess.Secret = both[:iam.AccessKeyIDLen], both[iam.AccessKeyIDLen:]
	sess.IssuedAt, sess.Expires = now, now.Add(d)
	tok, err := session.Encode(s.cfg.Keyring, sess)
	if err != nil {
		return err
	}
	*c = stsapi.Credentials{AccessKeyId: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: tok, Expiration: sess.Expires}
	return nil
}

func (s *Service) user(ctx context.Context, p *authn.Principal) (iam.User, error) {
	var u iam.User
	err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.User(ctx, p.Account(), p.UserName())
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return u, awserr.New(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	return u, err
}

// roleKey names a role for recordRoleUse.
type roleKey struct{ account, roleID string }

// recordRoleUse keeps RoleLastUsed current without a write per AssumeRole: at most one write per
// role per interval (AWS reports it at a coarser granularity still). The write happens at once,
// in the request that is due to make it.
func (s *Service) recordRoleUse(ctx context.Context, role iam.Role, region string) {
	now := s.cfg.Now().UTC()
	if s.roleUse.Note(roleKey{role.Account, role.RoleID}, now, iam.RoleLastUsed{LastUsedDate: now, Region: region}) {
		_ = s.roleUse.Flush(ctx, now) // last use is reported, never relied on: a failure only delays it
	}
}

// writeRoleUses writes RoleLastUsed, outside the store generation: a use must not invalidate
// every node's caches. A role deleted meanwhile is skipped.
func (s *Service) writeRoleUses(ctx context.Context, uses map[roleKey]iam.RoleLastUsed) error {
	var first error
	for k, used := range uses {
		if err := s.cfg.Store.RecordRoleUse(ctx, k.account, k.roleID, used); err != nil && !errors.Is(err, store.ErrNotFound) && first == nil {
			first = err
		}
	}
	return first
}

// mfa verifies an MFA code given with a call. The device belongs to the IAM user making the
// call, so only IAM users (with long-term keys) can present one.
func (s *Service) mfa(ctx context.Context, p *authn.Principal, serial, code string) (time.Time, error) {
	if serial == "" || code == "" {
		return time.Time{}, awserr.AccessDenied(iam.MFAUnknownDevice)
	}
	if s.cfg.CheckMFA == nil || p.Kind() != authn.User {
		return time.Time{}, awserr.AccessDenied(iam.MFAInvalidCode)
	}
	return s.cfg.CheckMFA(ctx, p.Account(), p.UserName(), serial, code)
}
