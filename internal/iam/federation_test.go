package iam

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeOIDCURL(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"host", "https://token.example.com", "token.example.com", true},
		{"path and slash", "https://token.example.com/id/ABC/", "token.example.com/id/ABC", true},
		{"port", "https://idp.example.com:8443/x", "idp.example.com:8443/x", true},
		{"http", "http://token.example.com", "", false},
		{"no scheme", "token.example.com", "", false},
		{"empty host", "https:///path", "", false},
		{"query", "https://token.example.com/?x=1", "", false},
		{"fragment", "https://token.example.com/#f", "", false},
		{"user info", "https://u:p@token.example.com", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeOIDCURL(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("NormalizeOIDCURL(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
}

func TestValidThumbprint(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"lower hex", strings.Repeat("ab", 20), true},
		{"upper hex", strings.Repeat("AB", 20), true},
		{"short", strings.Repeat("a", 39), false},
		{"not hex", strings.Repeat("g", 40), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidThumbprint(tc.in); got != tc.ok {
				t.Errorf("ValidThumbprint(%q) = %v", tc.in, got)
			}
		})
	}
}

func TestProviderName(t *testing.T) {
	tests := []struct {
		name, arn, kind, want string
		ok                    bool
	}{
		{"oidc", "arn:aws:iam::123456789012:oidc-provider/a.example.com/x", "oidc-provider", "a.example.com/x", true},
		{"saml", "arn:aws:iam::123456789012:saml-provider/Okta", "saml-provider", "Okta", true},
		{"other account", "arn:aws:iam::210987654321:saml-provider/Okta", "saml-provider", "", false},
		{"other kind", "arn:aws:iam::123456789012:saml-provider/Okta", "oidc-provider", "", false},
		{"no name", "arn:aws:iam::123456789012:saml-provider/", "saml-provider", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ProviderName(tc.arn, "123456789012", tc.kind)
			if ok != tc.ok || (ok && got != tc.want) {
				t.Errorf("ProviderName = %q, %v", got, ok)
			}
		})
	}
}

func TestParseSAMLMetadataRefusals(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"empty", ""},
		{"not xml", "hello"},
		{"wrong root", `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>`},
		{"no entity id", `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:IDPSSODescriptor/></md:EntityDescriptor>`},
		{"no certificate", `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor/></md:EntityDescriptor>`},
		{"bad validUntil", `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x" validUntil="soon"/>`},
		{"dtd", `<!DOCTYPE a [<!ENTITY b "c">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`},
		{"certificate in the wrong namespace", `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor><md:KeyDescriptor><KeyInfo><X509Data><X509Certificate>AAAA</X509Certificate></X509Data></KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSAMLMetadata(tc.doc); !errors.Is(err, ErrSAMLMetadata) {
				t.Errorf("ParseSAMLMetadata = %v, want ErrSAMLMetadata", err)
			}
		})
	}
}

func FuzzParseSAMLMetadata(f *testing.F) {
	f.Add(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="x"><md:IDPSSODescriptor><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`)
	f.Add("<a/>")
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := ParseSAMLMetadata(doc)
		if err == nil && (md.EntityID == "" || len(md.Certs) == 0) {
			t.Fatalf("accepted metadata without entity id or certificate: %q", doc)
		}
		if err != nil && !errors.Is(err, ErrSAMLMetadata) {
			t.Fatalf("error %v is not ErrSAMLMetadata", err)
		}
	})
}

func FuzzNormalizeOIDCURL(f *testing.F) {
	f.Add("https://token.example.com/a/")
	f.Add("https://[::1]:443")
	f.Fuzz(func(t *testing.T, raw string) {
		hp, err := NormalizeOIDCURL(raw)
		if err != nil {
			return
		}
		if hp == "" || strings.HasSuffix(hp, "/") || strings.ContainsAny(hp, "?#") {
			t.Fatalf("NormalizeOIDCURL(%q) = %q", raw, hp)
		}
		// Normalizing is idempotent.
		if again, err := NormalizeOIDCURL("https://" + hp); err != nil || again != hp {
			t.Fatalf("renormalizing %q = %q, %v", hp, again, err)
		}
	})
}
