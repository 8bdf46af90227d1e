// Package saml verifies SAML 2.0 responses for AssumeRoleWithSAML the way AWS STS does: the
// XML signature must verify against a certificate of the SAML provider's metadata, only the
// signed element is read, and the audience, recipient, time window and subject confirmation must
// hold; an assertion ID is accepted once within its validity. It takes plain configuration (the
// parsed metadata, decryption keys) and returns the verified Assertion; it knows nothing of IAM.
//
// XML-DSig is goxmldsig (≥ 1.6.0, after its signature-bypass fix) used directly, not gosaml2:
// goxmldsig's Validate returns the element exactly as it was digested, and this package reads
// every claim from that returned copy only, which is what defeats signature wrapping; the SAML
// rules on top (one assertion, bearer confirmation, audience, recipient, replay, AWS's
// attributes) are a few hundred lines whose every refusal maps to an AWS error code, which a
// general SP library does not give. XML encryption (EncryptedAssertion) is decrypted here with
// the standard library (RSA-OAEP key transport, AES-GCM or AES-CBC content).
package saml

import (
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Code is the AWS error code a refusal maps to.
type Code string

// AssumeRoleWithSAML's error codes.
const (
	InvalidIdentityToken Code = "InvalidIdentityToken"
	ExpiredToken         Code = "ExpiredTokenException"
	IDPRejectedClaim     Code = "IDPRejectedClaim"
)

// Error is a refusal with its AWS code.
type Error struct {
	Code    Code
	Message string
	// Relayed, when set, is the exception of AWS's SAML service that STS relays with the
	// message ("AuthSamlInvalidSamlResponseException").
	Relayed string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// msgBadSignature is AWS's answer to a response whose signature does not verify against the
// provider's metadata (the SAML troubleshooting guide's "Response signature invalid").
const msgBadSignature = "Response signature invalid"

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// Attribute names AWS reads from assertions.
const (
	AttrRole              = "https://aws.amazon.com/SAML/Attributes/Role"
	AttrRoleSessionName   = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	AttrSessionDuration   = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	AttrPrincipalTag      = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	AttrTransitiveTagKeys = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
	AttrSourceIdentity    = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
)

// DefaultAudience is the audience AWS requires in assertions.
const DefaultAudience = "https://signin.aws.amazon.com/saml"

// Provider is an IAM SAML provider as verification needs it.
type Provider struct {
	Metadata *Metadata
	// DecryptionKeys decrypt EncryptedAssertion (AWS's AddPrivateKey); the first that works wins.
	DecryptionKeys []*rsa.PrivateKey
	// RequireEncryption refuses plain assertions (AWS's AssertionEncryptionMode "Required").
	RequireEncryption bool
}

// Config tunes verification.
type Config struct {
	Now func() time.Time
	// Skew tolerated on time conditions (default 1 minute).
	Skew time.Duration
	// Audiences accepted besides https://signin.aws.amazon.com/saml and urn:amazon:webservices.
	Audiences []string
	// Recipients accepted besides AWS's sign-in endpoints (https://signin.aws.amazon.com/saml
	// and https://REGION.signin.aws.amazon.com/saml).
	Recipients []string
	// Replay remembers accepted assertion IDs; nil makes a private cache of default size.
	Replay *ReplayCache
}

// Verifier verifies SAML responses.
type Verifier struct{ cfg Config }

// NewVerifier returns a verifier.
func NewVerifier(cfg Config) *Verifier {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Skew == 0 {
		cfg.Skew = time.Minute
	}
	if cfg.Replay == nil {
		cfg.Replay = NewReplayCache(0)
	}
	return &Verifier{cfg: cfg}
}

// Role is one value of the Role attribute: a role and the SAML provider that may assume it.
type Role struct{ RoleARN, ProviderARN string }

// Assertion is a verified assertion.
type Assertion struct {
	ID              string
	Issuer          string
	NameID          string
	NameIDFormat    string
	NameQualifier   string
	SPNameQualifier string
	Audiences       []string
	Recipient       string    // of the accepted bearer confirmation
	NotOnOrAfter    time.Time // of the Conditions (or the bearer confirmation when absent)
	// SessionNotOnOrAfter is the AuthnStatement's; zero when absent.
	SessionNotOnOrAfter time.Time
	Attributes          map[string][]string
	Roles               []Role
}

// SubType is the value of the saml:sub_type condition key: persistent, transient, or the full
// NameID format URI.
func (a *Assertion) SubType() string {
	switch a.NameIDFormat {
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":
		return "persistent"
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:transient":
		return "transient"
	}
	return a.NameIDFormat
}

// First returns the first value of the attribute, "" when absent.
func (a *Assertion) First(name string) string {
	if v := a.Attributes[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// SessionDuration is the SessionDuration attribute in seconds, 0 when absent.
func (a *Assertion) SessionDuration() (int, error) {
	s := a.First(AttrSessionDuration)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 900 || n > 43200 {
		return 0, errorf(InvalidIdentityToken, "The SessionDuration attribute must be a number of seconds between 900 and 43200.")
	}
	return n, nil
}

// PrincipalTags returns the PrincipalTag:KEY attributes as tags.
func (a *Assertion) PrincipalTags() map[string]string {
	out := map[string]string{}
	for name, vals := range a.Attributes {
		if k, ok := strings.CutPrefix(name, AttrPrincipalTag); ok && k != "" && len(vals) > 0 {
			out[k] = vals[0]
		}
	}
	return out
}

// MaxResponseSize is the longest SAMLAssertion parameter (the STS model's limit).
const MaxResponseSize = 100000

// Verify decodes the base64 SAMLResponse and verifies it against p. Errors are *Error.
func (v *Verifier) Verify(samlResponse string, p Provider) (*Assertion, error) {
	if p.Metadata == nil || len(p.Metadata.Certs) == 0 {
		return nil, errorf(InvalidIdentityToken, "The SAML provider has no signing certificate.")
	}
	if len(samlResponse) > MaxResponseSize {
		return nil, errorf(InvalidIdentityToken, "The SAML response is longer than %d characters.", MaxResponseSize)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(samlResponse), ""))
	if err != nil {
		return nil, &Error{Code: InvalidIdentityToken, Message: "Invalid base64 SAMLResponse", Relayed: "AuthSamlInvalidSamlResponseException"}
	}
	doc, err := readXML(raw)
	if err != nil {
		return nil, errorf(InvalidIdentityToken, "Invalid SAML response: %v", err)
	}
	resp := doc.Root()
	if !is(resp, nsProtocol, "Response") {
		return nil, errorf(InvalidIdentityToken, "Invalid SAML response: the root element is not a samlp:Response.")
	}
	// Exactly one assertion anywhere: a second one, wherever hidden, is how wrapping attacks
	// make a verifier check one assertion and read another.
	if n := countAssertions(resp); n != 1 {
		return nil, errorf(InvalidIdentityToken, "Invalid SAML response: it must hold exactly one assertion, not %d.", n)
	}
	// Canonicalization drops comments, so a comment can split a signed value (a NameID) while
	// the signature still verifies; no IdP needs comments, so any is refused.
	if hasComment(resp) {
		return nil, errorf(InvalidIdentityToken, "Invalid SAML response: XML comments are not allowed.")
	}
	if err := checkStatus(resp); err != nil {
		return nil, err
	}

	now := v.cfg.Now()
	vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: p.Metadata.Certs})
	vctx.Clock = dsig.NewFakeClockAt(now)

	var assertion *etree.Element
	signedResponse := false
	if sig, err := child(resp, nsDSig, "Signature"); err != nil {
		return nil, errorf(InvalidIdentityToken, "Invalid SAML response: %v", err)
	} else if sig != nil {
		verified, err := vctx.Validate(resp)
		if err != nil {
			return nil, errorf(InvalidIdentityToken, msgBadSignature)
		}
		resp, signedResponse = verified, true
	}
	assertion, encrypted, err := v.assertionOf(resp, p)
	if err != nil {
		return nil, err
	}
	if p.RequireEncryption && !encrypted {
		return nil, errorf(InvalidIdentityToken, "The SAML provider requires encrypted assertions.")
	}
	if sig, err := child(assertion, nsDSig, "Signature"); err != nil {
		return nil, errorf(InvalidIdentityToken, "Invalid SAML assertion: %v", err)
	} else if sig != nil {
		verified, err := vctx.Validate(assertion)
		if err != nil {
			return nil, errorf(InvalidIdentityToken, msgBadSignature)
		}
		assertion = verified
	} else if !signedResponse {
		return nil, errorf(InvalidIdentityToken, "Neither the SAML response nor its assertion is signed.")
	}

	a, err := v.read(assertion, p.Metadata, now)
	if err != nil {
		return nil, err
	}
	// Replay is checked last so that a refused assertion does not use up its ID.
	if !v.cfg.Replay.Use(a.Issuer+"\x00"+a.ID, a.NotOnOrAfter.Add(v.cfg.Skew), now) {
		return nil, errorf(InvalidIdentityToken, "The SAML assertion %s has already been used.", a.ID)
	}
	return a, nil
}

func countAssertions(el *etree.Element) int {
	n := 0
	for _, c := range el.ChildElements() {
		if is(c, nsAssertion, "Assertion") || is(c, nsAssertion, "EncryptedAssertion") {
			n++
		}
		n += countAssertions(c)
	}
	return n
}

func hasComment(el *etree.Element) bool {
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.Comment:
			return true
		case *etree.Element:
			if hasComment(t) {
				return true
			}
		}
	}
	return false
}

func checkStatus(resp *etree.Element) error {
	st, err := child(resp, nsProtocol, "Status")
	if err != nil || st == nil {
		return errorf(InvalidIdentityToken, "Invalid SAML response: missing Status.")
	}
	code, err := child(st, nsProtocol, "StatusCode")
	if err != nil || code == nil || code.SelectAttrValue("Value", "") != "urn:oasis:names:tc:SAML:2.0:status:Success" {
		return errorf(InvalidIdentityToken, "The SAML response's status is not Success.")
	}
	return nil
}

// assertionOf returns the response's one assertion, decrypting an EncryptedAssertion.
func (v *Verifier) assertionOf(resp *etree.Element, p Provider) (*etree.Element, bool, error) {
	plain := children(resp, nsAssertion, "Assertion")
	enc := children(resp, nsAssertion, "EncryptedAssertion")
	switch {
	case len(plain) == 1 && len(enc) == 0:
		return plain[0], false, nil
	case len(plain) == 0 && len(enc) == 1:
		if len(p.DecryptionKeys) == 0 {
			return nil, false, errorf(InvalidIdentityToken, "The SAML assertion is encrypted but the SAML provider has no private key.")
		}
		b, err := decryptAssertion(enc[0], p.DecryptionKeys)
		if err != nil {
			return nil, false, errorf(InvalidIdentityToken, "The SAML assertion could not be decrypted: %v", err)
		}
		doc, err := readXML(b)
		if err != nil || !is(doc.Root(), nsAssertion, "Assertion") || countAssertions(doc.Root()) != 0 {
			return nil, false, errorf(InvalidIdentityToken, "The decrypted SAML assertion is not one saml:Assertion.")
		}
		return doc.Root(), true, nil
	}
	return nil, false, errorf(InvalidIdentityToken, "Invalid SAML response: the assertion must be a direct child of the Response.")
}

// read extracts and checks the assertion's claims; el is the verified element.
func (v *Verifier) read(el *etree.Element, md *Metadata, now time.Time) (*Assertion, error) {
	bad := func(format string, args ...any) error {
		return errorf(InvalidIdentityToken, "Invalid SAML assertion: "+format, args...)
	}
	a := &Assertion{ID: el.SelectAttrValue("ID", ""), Attributes: map[string][]string{}}
	if a.ID == "" {
		return nil, bad("missing ID.")
	}
	if ver := el.SelectAttrValue("Version", ""); ver != "2.0" {
		return nil, bad("Version must be 2.0.")
	}
	iss, err := child(el, nsAssertion, "Issuer")
	if err != nil || iss == nil {
		return nil, bad("missing Issuer.")
	}
	if a.Issuer, err = text(iss); err != nil {
		return nil, bad("%v", err)
	}
	if a.Issuer != md.EntityID {
		// AWS's SAML service refuses it so, relayed by STS (the SAML troubleshooting guide).
		return nil, &Error{Code: InvalidIdentityToken, Message: "Issuer not present in specified provider", Relayed: "AuthSamlInvalidSamlResponseException"}
	}

	// Subject: NameID and at least one bearer confirmation for an accepted recipient.
	subj, err := child(el, nsAssertion, "Subject")
	if err != nil || subj == nil {
		return nil, bad("missing Subject.")
	}
	nameID, err := child(subj, nsAssertion, "NameID")
	if err != nil || nameID == nil {
		return nil, bad("missing NameID.")
	}
	if a.NameID, err = text(nameID); err != nil {
		return nil, bad("%v", err)
	}
	a.NameIDFormat = nameID.SelectAttrValue("Format", "")
	a.NameQualifier = nameID.SelectAttrValue("NameQualifier", "")
	a.SPNameQualifier = nameID.SelectAttrValue("SPNameQualifier", "")
	var confirmedUntil time.Time
	var why string
	for _, sc := range children(subj, nsAssertion, "SubjectConfirmation") {
		if sc.SelectAttrValue("Method", "") != "urn:oasis:names:tc:SAML:2.0:cm:bearer" {
			why = "the subject confirmation method is not bearer"
			continue
		}
		d, err := child(sc, nsAssertion, "SubjectConfirmationData")
		if err != nil || d == nil {
			why = "missing SubjectConfirmationData"
			continue
		}
		if !v.recipientOK(d.SelectAttrValue("Recipient", "")) {
			why = fmt.Sprintf("the Recipient %q is not accepted", d.SelectAttrValue("Recipient", ""))
			continue
		}
		if d.SelectAttr("NotBefore") != nil {
			why = "a bearer confirmation must not have NotBefore"
			continue
		}
		noa, err := xsTime(d.SelectAttrValue("NotOnOrAfter", ""))
		if err != nil {
			why = "the bearer confirmation has no valid NotOnOrAfter"
			continue
		}
		if !now.Before(noa.Add(v.cfg.Skew)) {
			return nil, errorf(ExpiredToken, "The SAML assertion expired at %s.", noa.Format(time.RFC3339))
		}
		confirmedUntil, a.Recipient = noa, d.SelectAttrValue("Recipient", "")
		break
	}
	if confirmedUntil.IsZero() {
		if why == "" {
			why = "missing SubjectConfirmation"
		}
		return nil, bad("%s.", why)
	}
	a.NotOnOrAfter = confirmedUntil

	// Conditions: time window and every AudienceRestriction satisfied.
	cond, err := child(el, nsAssertion, "Conditions")
	if err != nil || cond == nil {
		return nil, bad("missing Conditions.")
	}
	if s := cond.SelectAttrValue("NotBefore", ""); s != "" {
		nb, err := xsTime(s)
		if err != nil {
			return nil, bad("Conditions NotBefore is not a valid time.")
		}
		if now.Add(v.cfg.Skew).Before(nb) {
			return nil, bad("the assertion is not valid before %s.", nb.Format(time.RFC3339))
		}
	}
	if s := cond.SelectAttrValue("NotOnOrAfter", ""); s != "" {
		noa, err := xsTime(s)
		if err != nil {
			return nil, bad("Conditions NotOnOrAfter is not a valid time.")
		}
		if !now.Before(noa.Add(v.cfg.Skew)) {
			return nil, errorf(ExpiredToken, "The SAML assertion expired at %s.", noa.Format(time.RFC3339))
		}
		if noa.After(a.NotOnOrAfter) {
			a.NotOnOrAfter = noa
		}
	}
	restrictions := children(cond, nsAssertion, "AudienceRestriction")
	if len(restrictions) == 0 {
		return nil, bad("missing AudienceRestriction.")
	}
	for _, r := range restrictions {
		ok := false
		for _, au := range children(r, nsAssertion, "Audience") {
			s, err := text(au)
			if err != nil {
				return nil, bad("%v", err)
			}
			a.Audiences = append(a.Audiences, s)
			ok = ok || v.audienceOK(s)
		}
		if !ok {
			return nil, bad("the audience is not %s.", DefaultAudience)
		}
	}

	for _, st := range children(el, nsAssertion, "AuthnStatement") {
		if s := st.SelectAttrValue("SessionNotOnOrAfter", ""); s != "" {
			t, err := xsTime(s)
			if err != nil {
				return nil, bad("SessionNotOnOrAfter is not a valid time.")
			}
			if a.SessionNotOnOrAfter.IsZero() || t.Before(a.SessionNotOnOrAfter) {
				a.SessionNotOnOrAfter = t
			}
		}
	}
	for _, st := range children(el, nsAssertion, "AttributeStatement") {
		for _, at := range children(st, nsAssertion, "Attribute") {
			name := at.SelectAttrValue("Name", "")
			for _, av := range children(at, nsAssertion, "AttributeValue") {
				s, err := text(av)
				if err != nil {
					return nil, bad("%v", err)
				}
				a.Attributes[name] = append(a.Attributes[name], s)
			}
		}
	}
	for _, rv := range a.Attributes[AttrRole] {
		r, ok := parseRole(rv)
		if !ok {
			return nil, bad("the Role attribute value %q is not role_arn,provider_arn.", rv)
		}
		a.Roles = append(a.Roles, r)
	}
	return a, nil
}

// parseRole reads "role_arn,provider_arn", in either order as AWS accepts.
func parseRole(s string) (Role, bool) {
	x, y, ok := strings.Cut(s, ",")
	if !ok {
		return Role{}, false
	}
	x, y = strings.TrimSpace(x), strings.TrimSpace(y)
	isRole := func(s string) bool { return strings.HasPrefix(s, "arn:aws:iam::") && strings.Contains(s, ":role/") }
	isProv := func(s string) bool {
		return strings.HasPrefix(s, "arn:aws:iam::") && strings.Contains(s, ":saml-provider/")
	}
	switch {
	case isRole(x) && isProv(y):
		return Role{RoleARN: x, ProviderARN: y}, true
	case isProv(x) && isRole(y):
		return Role{RoleARN: y, ProviderARN: x}, true
	}
	return Role{}, false
}

func (v *Verifier) audienceOK(s string) bool {
	if s == DefaultAudience || s == "urn:amazon:webservices" {
		return true
	}
	for _, a := range v.cfg.Audiences {
		if s == a {
			return true
		}
	}
	return false
}

func (v *Verifier) recipientOK(s string) bool {
	if s == DefaultAudience {
		return true
	}
	if region, ok := strings.CutSuffix(strings.TrimPrefix(s, "https://"), ".signin.aws.amazon.com/saml"); ok && strings.HasPrefix(s, "https://") && region != "" && !strings.ContainsAny(region, "./") {
		return true
	}
	for _, r := range v.cfg.Recipients {
		if s == r {
			return true
		}
	}
	return false
}

// xsTime parses an xs:dateTime in UTC (SAML requires UTC).
func xsTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("saml: empty time")
	}
	return time.Parse(time.RFC3339Nano, s)
}

// LogValue keeps the decryption keys out of logs.
func (p Provider) LogValue() slog.Value {
	entity := ""
	if p.Metadata != nil {
		entity = p.Metadata.EntityID
	}
	return slog.GroupValue(slog.String("entityID", entity), slog.Int("decryptionKeys", len(p.DecryptionKeys)),
		slog.Bool("requireEncryption", p.RequireEncryption))
}
