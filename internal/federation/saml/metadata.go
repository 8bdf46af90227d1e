package saml

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// XML namespaces of SAML 2.0 and XML-DSig.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
	nsXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
)

// MaxMetadataSize is the largest metadata document IAM accepts (SAMLMetadataDocument, 10 M
// characters in the model; iamd bounds parsing well below that).
const MaxMetadataSize = 1 << 20

// Metadata is what verification needs from an IdP's SAML metadata document.
type Metadata struct {
	EntityID string
	// Certs are the IdP's signing certificates (KeyDescriptor use="signing" or without use).
	Certs []*x509.Certificate
}

// ParseMetadata reads an EntityDescriptor with an IDPSSODescriptor.
func ParseMetadata(b []byte) (*Metadata, error) {
	if len(b) > MaxMetadataSize {
		return nil, errors.New("saml: metadata document too large")
	}
	doc, err := readXML(b)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	if !is(root, nsMetadata, "EntityDescriptor") {
		return nil, errors.New("saml: metadata root is not an md:EntityDescriptor")
	}
	md := &Metadata{EntityID: root.SelectAttrValue("entityID", "")}
	if md.EntityID == "" {
		return nil, errors.New("saml: metadata has no entityID")
	}
	for _, sso := range children(root, nsMetadata, "IDPSSODescriptor") {
		for _, kd := range children(sso, nsMetadata, "KeyDescriptor") {
			if use := kd.SelectAttrValue("use", ""); use != "" && use != "signing" {
				continue
			}
			for _, ki := range children(kd, nsDSig, "KeyInfo") {
				for _, xd := range children(ki, nsDSig, "X509Data") {
					for _, xc := range children(xd, nsDSig, "X509Certificate") {
						der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(xc.Text()), ""))
						if err != nil {
							return nil, fmt.Errorf("saml: metadata certificate is not base64: %w", err)
						}
						c, err := x509.ParseCertificate(der)
						if err != nil {
							return nil, fmt.Errorf("saml: metadata certificate: %w", err)
						}
						md.Certs = append(md.Certs, c)
					}
				}
			}
		}
	}
	if len(md.Certs) == 0 {
		return nil, errors.New("saml: metadata has no IDPSSODescriptor signing certificate")
	}
	return md, nil
}

// readXML parses a document and refuses DTDs (no entity expansion of any kind) and anything but
// one root element.
func readXML(b []byte) (*etree.Document, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, fmt.Errorf("saml: not well-formed XML: %w", err)
	}
	roots := 0
	for _, tok := range doc.Child {
		switch tok.(type) {
		case *etree.Directive:
			return nil, errors.New("saml: DTDs are not allowed")
		case *etree.Element:
			roots++
		}
	}
	if roots != 1 {
		return nil, errors.New("saml: document must have exactly one root element")
	}
	return doc, nil
}

func is(el *etree.Element, ns, tag string) bool {
	return el != nil && el.Tag == tag && el.NamespaceURI() == ns
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			out = append(out, c)
		}
	}
	return out
}

// child returns the one child ns:tag; more than one is an error, none is nil.
func child(el *etree.Element, ns, tag string) (*etree.Element, error) {
	cs := children(el, ns, tag)
	switch len(cs) {
	case 0:
		return nil, nil
	case 1:
		return cs[0], nil
	}
	return nil, fmt.Errorf("saml: more than one %s in %s", tag, el.Tag)
}

// text returns an element's character data. Comments or elements inside are refused: XML
// canonicalization drops comments, so a comment could split a signed value in two while the
// signature still verifies (the NameID comment-injection attack).
func text(el *etree.Element) (string, error) {
	if el == nil {
		return "", nil
	}
	var b strings.Builder
	for _, tok := range el.Child {
		switch t := tok.(type) {
		case *etree.CharData:
			b.WriteString(t.Data)
		default:
			return "", fmt.Errorf("saml: %s must hold text only", el.Tag)
		}
	}
	return strings.TrimSpace(b.String()), nil
}
