package iam

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"time"
)

// Identity providers: the IAM entities STS federation trusts. They are kept as store records
// (kinds RecordOIDCProvider and RecordSAMLProvider, JSON-encoded) so that the IAM service writes
// them and STS reads them without either importing the other.

// Record kinds of identity providers, shared by the IAM service (writer) and STS (reader).
const (
	RecordOIDCProvider = "oidc-provider" // name: HostPath, the ARN's resource after oidc-provider/
	RecordSAMLProvider = "saml-provider" // name: the provider name
)

// Quotas of identity providers (AWS defaults).
const (
	MaxOIDCProviders              = 100
	MaxClientIDsPerOIDCProvider   = 100
	MaxThumbprintsPerProvider     = 5
	MaxSAMLProviders              = 100
	MaxSAMLPrivateKeysPerProvider = 2
)

// OIDCProvider is an IAM OpenID Connect provider.
type OIDCProvider struct {
	// URL is the issuer without its scheme and trailing slash, as GetOpenIDConnectProvider
	// reports it: "token.example.com/path".
	URL         string
	ClientIDs   []string `json:",omitempty"`
	Thumbprints []string `json:",omitempty"`
	CreateDate  time.Time
	Tags        []Tag `json:",omitempty"`
}

// OIDCProviderARN is arn:aws:iam::ACCOUNT:oidc-provider/HOSTPATH.
func OIDCProviderARN(account, hostPath string) string {
	return iamARN(account, "oidc-provider/"+hostPath)
}

// SAMLProviderARN is arn:aws:iam::ACCOUNT:saml-provider/NAME.
func SAMLProviderARN(account, name string) string { return iamARN(account, "saml-provider/"+name) }

// ProviderName returns the resource part of an identity provider ARN of account after
// "oidc-provider/" or "saml-provider/" (kind), and false for any other ARN.
func ProviderName(arn, account, kind string) (string, bool) {
	name, ok := strings.CutPrefix(arn, iamARN(account, kind+"/"))
	return name, ok && name != ""
}

// ErrOIDCURL is returned for an issuer URL IAM does not accept.
var ErrOIDCURL = errors.New("iam: invalid OpenID Connect provider URL")

// NormalizeOIDCURL turns an issuer URL into the form IAM stores and names providers by: the host
// and path without "https://" and without a trailing slash. The URL must be https, with a host
// and without user info, query or fragment (an issuer identifier has none).
func NormalizeOIDCURL(raw string) (string, error) {
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok || rest == "" {
		return "", ErrOIDCURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(rest, "?#") {
		return "", ErrOIDCURL
	}
	return strings.TrimRight(rest, "/"), nil
}

// ValidThumbprint reports whether t is a hex SHA-1 fingerprint (40 hex digits).
func ValidThumbprint(t string) bool {
	if len(t) != 40 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// SAMLProvider is an IAM SAML provider.
type SAMLProvider struct {
	Name string
	// UUID is the provider's SAMLProviderUUID.
	UUID             string
	MetadataDocument string
	CreateDate       time.Time
	ValidUntil       time.Time
	// AssertionEncryptionMode is "Allowed" or "Required" (assertions must be encrypted).
	AssertionEncryptionMode string `json:",omitempty"`
	// PrivateKeys decrypt encrypted assertions; each is sealed with SAMLPrivateKeyAD.
	PrivateKeys []SAMLPrivateKey `json:",omitempty"`
	Tags        []Tag            `json:",omitempty"`
}

// SAMLPrivateKey is a private key of a SAML provider, sealed at rest.
type SAMLPrivateKey struct {
	KeyID     string
	Timestamp time.Time
	Sealed    []byte // the PEM, sealed with SAMLPrivateKeyAD(account, provider name, KeyID)
}

// SAMLPrivateKeyAD is the additional data a SAML provider's private key is sealed with, so a
// sealed key cannot be replayed onto another provider or account.
func SAMLPrivateKeyAD(account, provider, keyID string) []byte {
	return []byte("iamd/saml-private-key/" + account + "/" + strings.ToLower(provider) + "/" + keyID)
}

// SAMLMetadata is what IAM reads from a SAML metadata document.
type SAMLMetadata struct {
	EntityID   string
	ValidUntil time.Time // zero when the document sets none
	// Certs are the IdP's signing certificates (KeyDescriptor use="signing" or without use).
	Certs []*x509.Certificate
}

// XML names of SAML 2.0 metadata.
const (
	nsSAMLMetadata = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsXMLDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

type mdEntityDescriptor struct {
	XMLName    xml.Name
	EntityID   string `xml:"entityID,attr"`
	ValidUntil string `xml:"validUntil,attr"`
	IDPs       []struct {
		XMLName xml.Name
		Keys    []struct {
			XMLName xml.Name
			Use     string `xml:"use,attr"`
			KeyInfo []struct {
				XMLName xml.Name
				Data    []struct {
					XMLName xml.Name
					Certs   []struct {
						XMLName xml.Name
						Text    string `xml:",chardata"`
					} `xml:"X509Certificate"`
				} `xml:"X509Data"`
			} `xml:"KeyInfo"`
		} `xml:"KeyDescriptor"`
	} `xml:"IDPSSODescriptor"`
}

// ErrSAMLMetadata is returned for a metadata document IAM cannot use.
var ErrSAMLMetadata = errors.New("iam: could not parse SAML metadata")

// MaxSAMLMetadataSize bounds the metadata documents parsed (the model allows 10,000,000
// characters; real IdP metadata is a few kilobytes).
const MaxSAMLMetadataSize = 1 << 20

// ParseSAMLMetadata reads an md:EntityDescriptor with an md:IDPSSODescriptor holding at least
// one signing X.509 certificate. Any other document, one with a DTD, or a certificate that does
// not parse is ErrSAMLMetadata (wrapped with the reason).
func ParseSAMLMetadata(doc string) (*SAMLMetadata, error) {
	if len(doc) > MaxSAMLMetadataSize {
		return nil, errors.Join(ErrSAMLMetadata, errors.New("document too large"))
	}
	// A DTD can declare entities; metadata never needs one, so refuse any.
	if strings.Contains(doc, "<!DOCTYPE") || strings.Contains(doc, "<!ENTITY") {
		return nil, errors.Join(ErrSAMLMetadata, errors.New("DTDs are not allowed"))
	}
	var ed mdEntityDescriptor
	dec := xml.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(&ed); err != nil {
		return nil, errors.Join(ErrSAMLMetadata, err)
	}
	if ed.XMLName.Space != nsSAMLMetadata || ed.XMLName.Local != "EntityDescriptor" {
		return nil, errors.Join(ErrSAMLMetadata, errors.New("the root is not an md:EntityDescriptor"))
	}
	if ed.EntityID == "" {
		return nil, errors.Join(ErrSAMLMetadata, errors.New("no entityID"))
	}
	md := &SAMLMetadata{EntityID: ed.EntityID}
	if ed.ValidUntil != "" {
		t, err := time.Parse(time.RFC3339Nano, ed.ValidUntil)
		if err != nil {
			return nil, errors.Join(ErrSAMLMetadata, errors.New("validUntil is not an xs:dateTime"))
		}
		md.ValidUntil = t.UTC()
	}
	for _, idp := range ed.IDPs {
		if idp.XMLName.Space != nsSAMLMetadata {
			continue
		}
		for _, kd := range idp.Keys {
			if kd.XMLName.Space != nsSAMLMetadata || (kd.Use != "" && kd.Use != "signing") {
				continue
			}
			for _, ki := range kd.KeyInfo {
				if ki.XMLName.Space != nsXMLDSig {
					continue
				}
				for _, xd := range ki.Data {
					for _, xc := range xd.Certs {
						if xd.XMLName.Space != nsXMLDSig || xc.XMLName.Space != nsXMLDSig {
							continue
						}
						der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(xc.Text), ""))
						if err != nil {
							return nil, errors.Join(ErrSAMLMetadata, errors.New("a certificate is not base64"))
						}
						c, err := x509.ParseCertificate(der)
						if err != nil {
							return nil, errors.Join(ErrSAMLMetadata, err)
						}
						md.Certs = append(md.Certs, c)
					}
				}
			}
		}
	}
	if len(md.Certs) == 0 {
		return nil, errors.Join(ErrSAMLMetadata, errors.New("no IDPSSODescriptor signing certificate"))
	}
	return md, nil
}

// NewKeyID returns n random upper-case base32 characters: the form of SAML provider UUIDs and
// private key ids ([A-Z0-9]{22,64} in the model).
func NewKeyID(n int) string { return randomChars(base32Alphabet, n) }
