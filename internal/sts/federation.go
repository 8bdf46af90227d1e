package sts

import (
	"context"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/federation/oidc"
	"github.com/iamd/iamd/internal/federation/saml"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/session"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// Federation: AssumeRoleWithWebIdentity and AssumeRoleWithSAML. Both are unsigned: the token or
// assertion, verified by internal/federation, is the caller's identity, and the role's trust
// policy decides with the provider as the Federated principal and the claims as condition keys.

// fedStatus is the HTTP status of each federation error code, from the STS model.
var fedStatus = map[string]int{
	"InvalidIdentityToken":  http.StatusBadRequest,
	"IDPCommunicationError": http.StatusBadRequest,
	"ExpiredTokenException": http.StatusBadRequest,
	"IDPRejectedClaim":      http.StatusForbidden,
}

// fedError turns a verification refusal into the AWS error; anything else passes through.
func fedError(err error) error {
	var oe *oidc.Error
	if errors.As(err, &oe) {
		return awserr.New(fedStatus[string(oe.Code)], string(oe.Code), oe.Message)
	}
	var se *saml.Error
	if errors.As(err, &se) {
		msg := se.Message
		if se.Relayed != "" {
			msg = samlRelayed(msg, se.Relayed)
		}
		return awserr.New(fedStatus[string(se.Code)], string(se.Code), msg)
	}
	return err
}

// samlRelayed words a refusal of AWS's SAML service as STS relays it: the reason, then the
// service call in the AWS SDK for Java's form, with that call's own request id ("Specified
// provider doesn't exist (Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code:
// AuthSamlManifestNotFoundException; Request ID: …; Proxy: null)", as AWS's answers are
// recorded).
func samlRelayed(msg, exception string) string {
	return msg + " (Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code: " + exception + "; Request ID: " + newJTI() + "; Proxy: null)"
}

func invalidToken(msg string) error {
	return awserr.New(http.StatusBadRequest, "InvalidIdentityToken", msg)
}

// federatedAssume is what both operations hand to assumeFederated once the token is verified.
type federatedAssume struct {
	action      string // sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML
	role        iam.Role
	providerARN string
	sessionName string
	tags        map[string]string
	transitive  []string
	sourceID    string
	keys        []authz.Key
	duration    int       // requested seconds
	durationSet bool      // duration came from the caller (refused when too long, not capped)
	until       time.Time // the IdP's end of the session (SAML SessionNotOnOrAfter); zero: none
	policy      string
	policyARNs  []stsapi.PolicyDescriptorType
}

// assumeFederated evaluates the trust policy and issues the session.
func (s *Service) assumeFederated(ctx context.Context, f *federatedAssume) (*stsapi.Credentials, *stsapi.AssumedRoleUser, *int32, error) {
	denied := awserr.AccessDenied("Not authorized to perform " + f.action)
	if !validSessionName(f.sessionName) {
		return nil, nil, nil, awserr.Validation("1 validation error detected: Value '" + f.sessionName +
			"' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	trust, err := s.cfg.Authz.Compile(f.role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return nil, nil, nil, denied
	}
	names := make([]string, 0, len(f.tags))
	for k := range f.tags {
		names = append(names, k)
	}
	sort.Strings(names)
	in := make([]stsapi.Tag, len(names))
	for i, k := range names {
		in[i] = stsapi.Tag{Key: k, Value: f.tags[k]}
	}
	tags, err := sessionTags(in)
	if err != nil {
		return nil, nil, nil, err
	}
	transitive, err := mergeTransitive(nil, &tags, f.transitive)
	if err != nil {
		return nil, nil, nil, err
	}

	keys := append(f.keys,
		authz.Key{Name: "aws:FederatedProvider", Values: []string{f.providerARN}},
		authz.Key{Name: "sts:RoleSessionName", Values: []string{f.sessionName}})
	if f.sourceID != "" {
		keys = append(keys, authz.Key{Name: "sts:SourceIdentity", Values: []string{f.sourceID}})
	}
	if len(names) > 0 {
		for _, t := range in {
			keys = append(keys, authz.Key{Name: "aws:RequestTag/" + t.Key, Values: []string{t.Value}})
		}
		keys = append(keys, authz.Key{Name: "aws:TagKeys", Values: names})
	}
	if len(transitive) > 0 {
		keys = append(keys, authz.Key{Name: "sts:TransitiveTagKeys", Values: transitive})
	}
	meta := authz.OriginFromContext(ctx)
	anon := authn.AnonymousPrincipal()
	check := func(action string) error {
		req := authz.Request{Action: action, Resource: f.role.Arn, ResourcePolicy: trust, ResourceAccount: f.role.Account,
			Keys: keys, Federated: f.providerARN}
		res, err := s.cfg.Authz.Evaluate(ctx, anon, meta, req)
		if err != nil {
			return err
		}
		if res.Decision != policy.Allowed {
			return awserr.AccessDenied("Not authorized to perform " + action)
		}
		return nil
	}
	if err := check(f.action); err != nil {
		return nil, nil, nil, err
	}
	if len(names) > 0 {
		if err := check("sts:TagSession"); err != nil {
			return nil, nil, nil, err
		}
	}
	if f.sourceID != "" {
		if err := check("sts:SetSourceIdentity"); err != nil {
			return nil, nil, nil, err
		}
	}

	dur := f.duration
	if dur == 0 {
		dur = defaultRoleDuration
	}
	if maxDur := int(f.role.MaxSessionDuration); maxDur > 0 && dur > maxDur {
		if f.durationSet {
			return nil, nil, nil, awserr.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		dur = maxDur
	}
	d := time.Duration(dur) * time.Second
	if !f.until.IsZero() {
		// The session ends at the earlier of the duration and the IdP's SessionNotOnOrAfter.
		left := f.until.Sub(s.cfg.Now()).Truncate(time.Second)
		if left <= 0 {
			return nil, nil, nil, awserr.New(http.StatusBadRequest, "ExpiredTokenException", "The SAML session (SessionNotOnOrAfter) has ended.")
		}
		d = min(d, left)
	}

	sess := &session.Session{
		Origin: session.AssumedRole, Account: f.role.Account,
		EntityID: f.role.RoleID, EntityName: f.role.RoleName, EntityPath: f.role.Path,
		SessionName: f.sessionName, Tags: tags, TransitiveKeys: transitive, SourceIdentity: f.sourceID,
	}
	packed, err := s.sessionPolicies(ctx, sess, f.policy, f.policyARNs)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkPacked(packed, sess); err != nil {
		return nil, nil, nil, err
	}
	creds, err := s.issue(sess, d)
	if err != nil {
		return nil, nil, nil, err
	}
	s.recordRoleUse(ctx, f.role, "")
	user := &stsapi.AssumedRoleUser{AssumedRoleId: f.role.RoleID + ":" + f.sessionName, Arn: iam.AssumedRoleARN(f.role.Account, f.role.RoleName, f.sessionName)}
	return creds, user, packedSize(packed, sess), nil
}

// validSessionName is AWS's RoleSessionName rule: 2–64 of [\w+=,.@-].
func validSessionName(s string) bool {
	return len(s) >= 2 && len(s) <= 64 && iam.ValidName(s)
}

// roleIn reads the role of roleARN; a missing role (or one at another path) is nil.
func roleIn(ctx context.Context, tx store.Tx, acct, path, name string) (*iam.Role, error) {
	r, err := tx.Role(ctx, acct, name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.Path != path) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// AssumeRoleWithWebIdentity trades an OpenID Connect ID token for a role session.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityInput) (*stsapi.AssumeRoleWithWebIdentityOutput, error) {
	if in.ProviderId != "" {
		// OAuth 2.0 access tokens (www.amazon.com, graph.facebook.com) are opaque: only the
		// provider could validate them, and iamd does not call out to those providers.
		return nil, invalidToken("OAuth 2.0 access tokens (ProviderId) are not supported by iamd; present an OpenID Connect ID token.")
	}
	acct, path, name, ok := parseRoleARN(in.RoleArn)
	if !ok {
		return nil, awserr.Validation(fmt.Sprintf("%s is invalid", in.RoleArn))
	}
	iss, err := oidc.PeekIssuer(in.WebIdentityToken)
	if err != nil {
		return nil, fedError(err)
	}
	var prov iam.OIDCProvider
	var role *iam.Role
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if prov, err = store.OIDCProviderByURL(ctx, tx, acct, iss); err != nil {
			return err
		}
		role, err = roleIn(ctx, tx, acct, path, name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidToken("No OpenIDConnect provider found in your account for " + iss)
	}
	if err != nil {
		return nil, err
	}
	claims, err := s.cfg.OIDC.Verify(ctx, in.WebIdentityToken, oidc.Provider{URL: "https://" + prov.URL, ClientIDs: prov.ClientIDs, Thumbprints: prov.Thumbprints})
	if err != nil {
		return nil, fedError(err)
	}
	if role == nil {
		return nil, awserr.AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
	}
	host := prov.URL
	keys := []authz.Key{
		{Name: host + ":aud", Values: []string{claims.ClientID}},
		{Name: host + ":sub", Values: []string{claims.Subject}},
	}
	if len(claims.AMR) > 0 {
		keys = append(keys, authz.Key{Name: host + ":amr", Values: claims.AMR})
	}
	if claims.AZP != "" {
		keys = append(keys, authz.Key{Name: host + ":azp", Values: []string{claims.AZP}})
	}
	if claims.ClientID != claims.AZP && len(claims.Audience) > 0 {
		keys = append(keys, authz.Key{Name: host + ":oaud", Values: claims.Audience})
	}
	f := &federatedAssume{
		action: "sts:AssumeRoleWithWebIdentity", role: *role, providerARN: iam.OIDCProviderARN(acct, prov.URL),
		sessionName: in.RoleSessionName, tags: claims.PrincipalTags, transitive: claims.TransitiveTagKeys,
		sourceID: claims.SourceIdentity, keys: keys, policy: in.Policy, policyARNs: in.PolicyArns,
	}
	if in.DurationSeconds != nil {
		f.duration, f.durationSet = int(*in.DurationSeconds), true
	}
	creds, user, packed, err := s.assumeFederated(ctx, f)
	if err != nil {
		return nil, err
	}
	return &stsapi.AssumeRoleWithWebIdentityOutput{
		Credentials: creds, SubjectFromWebIdentityToken: claims.Subject, AssumedRoleUser: user,
		PackedPolicySize: packed, Provider: f.providerARN, Audience: claims.ClientID, SourceIdentity: claims.SourceIdentity,
	}, nil
}

// AssumeRoleWithSAML trades a signed SAML response for a role session.
func (s *Service) AssumeRoleWithSAML(ctx context.Context, in *stsapi.AssumeRoleWithSAMLInput) (*stsapi.AssumeRoleWithSAMLOutput, error) {
	acct, path, name, ok := parseRoleARN(in.RoleArn)
	if !ok {
		return nil, awserr.Validation(fmt.Sprintf("%s is invalid", in.RoleArn))
	}
	var prov iam.SAMLProvider
	var role *iam.Role
	err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if prov, err = store.SAMLProviderByARN(ctx, tx, acct, in.PrincipalArn); err != nil {
			return err
		}
		role, err = roleIn(ctx, tx, acct, path, name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidToken(samlRelayed("Specified provider doesn't exist", "AuthSamlManifestNotFoundException"))
	}
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	if !prov.ValidUntil.IsZero() && !now.Before(prov.ValidUntil) {
		return nil, invalidToken("The SAML provider's metadata expired at " + prov.ValidUntil.UTC().Format(time.RFC3339) + ".")
	}
	md, err := saml.ParseMetadata([]byte(prov.MetadataDocument))
	if err != nil {
		return nil, invalidToken("The SAML provider's metadata could not be read.")
	}
	var keys []*rsa.PrivateKey
	for _, k := range prov.PrivateKeys {
		pk, err := s.samlKey(acct, prov.Name, k)
		if err != nil {
			return nil, err
		}
		keys = append(keys, pk)
	}
	a, err := s.cfg.SAML.Verify(in.SAMLAssertion, saml.Provider{Metadata: md, DecryptionKeys: keys, RequireEncryption: prov.AssertionEncryptionMode == "Required"})
	if err != nil {
		return nil, fedError(err)
	}
	denied := awserr.AccessDenied("Not authorized to perform sts:AssumeRoleWithSAML")
	if role == nil {
		return nil, denied
	}
	paired := false
	for _, r := range a.Roles {
		paired = paired || (r.RoleARN == in.RoleArn && r.ProviderARN == in.PrincipalArn)
	}
	if !paired {
		return nil, denied
	}
	// The assertion's session name in the words of AWS's SAML troubleshooting guide.
	sessionName := a.First(saml.AttrRoleSessionName)
	if sessionName == "" {
		return nil, invalidToken("RoleSessionName is required in AuthnResponse")
	}
	if !validSessionName(sessionName) {
		return nil, invalidToken("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
	}
	attrDur, err := a.SessionDuration()
	if err != nil {
		return nil, fedError(err)
	}
	sum := sha1.Sum([]byte(a.Issuer + acct + "/" + prov.Name))
	nameQualifier := base64.StdEncoding.EncodeToString(sum[:])
	recipient := a.Recipient
	condKeys := []authz.Key{
		{Name: "saml:aud", Values: []string{recipient}},
		{Name: "saml:iss", Values: []string{a.Issuer}},
		{Name: "saml:sub", Values: []string{a.NameID}},
		{Name: "saml:sub_type", Values: []string{a.SubType()}},
		{Name: "saml:namequalifier", Values: []string{nameQualifier}},
		{Name: "saml:doc", Values: []string{acct + "/" + prov.Name}},
	}
	f := &federatedAssume{
		action: "sts:AssumeRoleWithSAML", role: *role, providerARN: in.PrincipalArn, sessionName: sessionName,
		tags: a.PrincipalTags(), transitive: a.Attributes[saml.AttrTransitiveTagKeys], sourceID: a.First(saml.AttrSourceIdentity),
		keys: condKeys, duration: attrDur, until: a.SessionNotOnOrAfter, policy: in.Policy, policyARNs: in.PolicyArns,
	}
	if in.DurationSeconds != nil {
		f.duration, f.durationSet = int(*in.DurationSeconds), true
	}
	creds, user, packed, err := s.assumeFederated(ctx, f)
	if err != nil {
		return nil, err
	}
	return &stsapi.AssumeRoleWithSAMLOutput{
		Credentials: creds, AssumedRoleUser: user, PackedPolicySize: packed,
		Subject: a.NameID, SubjectType: a.SubType(), Issuer: a.Issuer, Audience: recipient,
		NameQualifier: nameQualifier, SourceIdentity: f.sourceID,
	}, nil
}

// samlKey opens a SAML provider's sealed private key.
func (s *Service) samlKey(acct, provider string, k iam.SAMLPrivateKey) (*rsa.PrivateKey, error) {
	pemText, err := s.cfg.Keyring.Open(k.Sealed, iam.SAMLPrivateKeyAD(acct, provider, k.KeyID))
	if err != nil {
		return nil, fmt.Errorf("sts: open SAML private key %s: %w", k.KeyID, err)
	}
	block, _ := pem.Decode(pemText)
	if block == nil {
		return nil, fmt.Errorf("sts: SAML private key %s is not PEM", k.KeyID)
	}
	if rk, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return rk, nil
	}
	pk, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("sts: SAML private key %s: %w", k.KeyID, err)
	}
	rk, ok := pk.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("sts: SAML private key %s is not RSA", k.KeyID)
	}
	return rk, nil
}
