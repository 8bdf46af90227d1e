package idp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

const (
	nsSAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsSAML  = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsMD    = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDS    = "http://www.w3.org/2000/09/xmldsig#"

	// AWSAudience is the audience and recipient AWS expects.
	AWSAudience = "https://signin.aws.amazon.com/saml"
)

// SAMLRequest is what a minted SAML response says.
type SAMLRequest struct {
	NameID       string
	NameIDFormat string // default persistent
	// Roles are values of the Role attribute: "role_arn,provider_arn".
	Roles             []string
	RoleSessionName   string
	SessionDuration   int // seconds; 0 omits the attribute
	Tags              map[string]string
	TransitiveTagKeys []string
	SourceIdentity    string
	Audience          string // default AWSAudience
	Recipient         string // default AWSAudience
	TTL               time.Duration
	// SessionNotOnOrAfter, when set, is put on the AuthnStatement.
	SessionNotOnOrAfter time.Time
	// SignResponse signs the Response instead of the Assertion.
	SignResponse bool
	// EncryptTo, when set, encrypts the signed assertion to this key (RSA-OAEP, AES-256-GCM) as
	// an EncryptedAssertion.
	EncryptTo *rsa.PublicKey
}

// SAMLResponseXML mints a signed samlp:Response and returns it as XML.
func (p *IdP) SAMLResponseXML(r SAMLRequest) ([]byte, error) {
	el, err := p.samlResponse(r)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.SetRoot(el)
	return doc.WriteToBytes()
}

// SAMLResponse mints a signed response, base64-encoded as the SAMLAssertion parameter wants.
func (p *IdP) SAMLResponse(r SAMLRequest) (string, error) {
	b, err := p.SAMLResponseXML(r)
	if err != nil {
		return "", err
	}
	return b64(b), nil
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return "_" + hex.EncodeToString(b[:])
}

func (p *IdP) samlResponse(r SAMLRequest) (*etree.Element, error) {
	if r.NameID == "" {
		return nil, errors.New("idp: a SAML response needs a NameID")
	}
	if r.NameIDFormat == "" {
		r.NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	}
	if r.Audience == "" {
		r.Audience = AWSAudience
	}
	if r.Recipient == "" {
		r.Recipient = AWSAudience
	}
	if r.TTL == 0 {
		r.TTL = 5 * time.Minute
	}
	now := p.now().UTC()
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", nsSAML)
	a.CreateAttr("ID", newID())
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", ts(now))
	a.CreateElement("saml:Issuer").SetText(p.entityID)
	subj := a.CreateElement("saml:Subject")
	nid := subj.CreateElement("saml:NameID")
	nid.CreateAttr("Format", r.NameIDFormat)
	nid.SetText(r.NameID)
	sc := subj.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", ts(now.Add(r.TTL)))
	scd.CreateAttr("Recipient", r.Recipient)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", ts(now))
	cond.CreateAttr("NotOnOrAfter", ts(now.Add(r.TTL)))
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(r.Audience)
	as := a.CreateElement("saml:AuthnStatement")
	as.CreateAttr("AuthnInstant", ts(now))
	as.CreateAttr("SessionIndex", newID())
	if !r.SessionNotOnOrAfter.IsZero() {
		as.CreateAttr("SessionNotOnOrAfter", ts(r.SessionNotOnOrAfter))
	}
	as.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")

	st := a.CreateElement("saml:AttributeStatement")
	attr := func(name string, vals ...string) {
		at := st.CreateElement("saml:Attribute")
		at.CreateAttr("Name", name)
		for _, v := range vals {
			at.CreateElement("saml:AttributeValue").SetText(v)
		}
	}
	if len(r.Roles) > 0 {
		attr("https://aws.amazon.com/SAML/Attributes/Role", r.Roles...)
	}
	if r.RoleSessionName != "" {
		attr("https://aws.amazon.com/SAML/Attributes/RoleSessionName", r.RoleSessionName)
	}
	if r.SessionDuration > 0 {
		attr("https://aws.amazon.com/SAML/Attributes/SessionDuration", strconv.Itoa(r.SessionDuration))
	}
	keys := make([]string, 0, len(r.Tags))
	for k := range r.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		attr("https://aws.amazon.com/SAML/Attributes/PrincipalTag:"+k, r.Tags[k])
	}
	if len(r.TransitiveTagKeys) > 0 {
		attr("https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys", r.TransitiveTagKeys...)
	}
	if r.SourceIdentity != "" {
		attr("https://aws.amazon.com/SAML/Attributes/SourceIdentity", r.SourceIdentity)
	}

	resp := etree.NewElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", nsSAMLP)
	resp.CreateAttr("xmlns:saml", nsSAML)
	resp.CreateAttr("ID", newID())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", ts(now))
	resp.CreateAttr("Destination", r.Recipient)
	resp.CreateElement("saml:Issuer").SetText(p.entityID)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").
		CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")

	if r.SignResponse {
		resp.AddChild(a)
		return p.signEnveloped(resp)
	}
	signed, err := p.signEnveloped(a)
	if err != nil {
		return nil, err
	}
	if r.EncryptTo != nil {
		enc, err := encrypt(signed, r.EncryptTo)
		if err != nil {
			return nil, err
		}
		resp.AddChild(enc)
		return resp, nil
	}
	resp.AddChild(signed)
	return resp, nil
}

// encrypt wraps el in a saml:EncryptedAssertion: AES-256-GCM content, RSA-OAEP key transport.
func encrypt(el *etree.Element, to *rsa.PublicKey) (*etree.Element, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	pt, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	cek := make([]byte, 32)
	rand.Read(cek)
	blk, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	ct := gcm.Seal(nonce, nonce, pt, nil)
	wrapped, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, to, cek, nil)
	if err != nil {
		return nil, err
	}
	const xenc = "http://www.w3.org/2001/04/xmlenc#"
	ea := etree.NewElement("saml:EncryptedAssertion")
	ed := ea.CreateElement("xenc:EncryptedData")
	ed.CreateAttr("xmlns:xenc", xenc)
	ed.CreateAttr("Type", xenc+"Element")
	ed.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", "http://www.w3.org/2009/xmlenc11#aes256-gcm")
	ki := ed.CreateElement("ds:KeyInfo")
	ki.CreateAttr("xmlns:ds", nsDS)
	ek := ki.CreateElement("xenc:EncryptedKey")
	ek.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", xenc+"rsa-oaep-mgf1p")
	ek.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(b64(wrapped))
	ed.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(b64(ct))
	return ea, nil
}

// signEnveloped signs el and moves the Signature right after its Issuer, where the SAML schema
// puts it (the enveloped-signature transform does not care where it is).
func (p *IdP) signEnveloped(el *etree.Element) (*etree.Element, error) {
	ctx, err := dsig.NewSigningContext(p.key, [][]byte{p.cert.Raw})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return nil, err
	}
	// SignEnveloped appends the Signature without setting its parent, so it is moved by hand.
	sig := signed.Child[len(signed.Child)-1].(*etree.Element)
	signed.Child = signed.Child[:len(signed.Child)-1]
	signed.InsertChildAt(1, sig) // index 0 is the Issuer element
	return signed, nil
}

// Metadata is the IdP's SAML metadata (an EntityDescriptor with the signing certificate), the
// document CreateSAMLProvider takes.
func (p *IdP) Metadata() []byte {
	ed := etree.NewElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", nsMD)
	ed.CreateAttr("xmlns:ds", nsDS)
	ed.CreateAttr("entityID", p.entityID)
	sso := ed.CreateElement("md:IDPSSODescriptor")
	sso.CreateAttr("protocolSupportEnumeration", nsSAMLP)
	kd := sso.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", "signing")
	kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(b64(p.cert.Raw))
	nf := sso.CreateElement("md:NameIDFormat")
	nf.SetText("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
	ep := sso.CreateElement("md:SingleSignOnService")
	ep.CreateAttr("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect")
	ep.CreateAttr("Location", p.entityID+"/sso")
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(ed)
	doc.Indent(2)
	b, _ := doc.WriteToBytes()
	return b
}
