package iamsvc_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/store"
)

func TestOIDCProviders(t *testing.T) {
	h, c := newClient(t)
	tp := strings.Repeat("9e", 20)
	out := must(c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.example.com/tenant/"), ClientIDList: []string{"app", "app", "cli"},
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("id")}},
	}))(t)
	arn := aws.ToString(out.OpenIDConnectProviderArn)
	if want := "arn:aws:iam::" + iamtest.Account + ":oidc-provider/token.example.com/tenant"; arn != want || len(out.Tags) != 1 {
		t.Fatalf("Create = %s %v, want %s with the tag", arn, out.Tags, want)
	}

	create := func(url string, thumbs []string) error {
		_, err := c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String(url), ThumbprintList: thumbs})
		return err
	}
	bad := []struct {
		name, url string
		thumbs    []string
		code, msg string
	}{
		{"same url", "https://token.example.com/tenant", nil, "EntityAlreadyExists", "Provider with url https://token.example.com/tenant already exists."},
		{"http", "http://token.example.com", nil, "InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://."},
		{"query", "https://token.example.com/?a=b", nil, "InvalidInput", "Invalid Open ID Connect Provider URL."},
		{"not hex", "https://other.example.com", []string{strings.Repeat("z", 40)}, "InvalidInput", ""},
		{"six thumbprints", "https://other.example.com", []string{tp, tp, tp, tp, tp, tp}, "InvalidInput", "Thumbprint list must contain fewer than 5 entries."},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, create(tc.url, tc.thumbs), tc.code, tc.msg) })
	}

	arnIn := aws.String(arn)
	must(c.AddClientIDToOpenIDConnectProvider(ctx, &iamsdk.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn, ClientID: aws.String("sts.amazonaws.com")}))(t)
	must(c.AddClientIDToOpenIDConnectProvider(ctx, &iamsdk.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn, ClientID: aws.String("app")}))(t)
	must(c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iamsdk.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn, ClientID: aws.String("cli")}))(t)
	must(c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iamsdk.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn, ClientID: aws.String("absent")}))(t)
	must(c.UpdateOpenIDConnectProviderThumbprint(ctx, &iamsdk.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arnIn, ThumbprintList: []string{tp}}))(t)
	got := must(c.GetOpenIDConnectProvider(ctx, &iamsdk.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn}))(t)
	if aws.ToString(got.Url) != "token.example.com/tenant" || got.CreateDate == nil ||
		!cmp.Equal(got.ClientIDList, []string{"app", "sts.amazonaws.com"}) || !cmp.Equal(got.ThumbprintList, []string{tp}) {
		t.Errorf("Get = url %q clients %v thumbprints %v", aws.ToString(got.Url), got.ClientIDList, got.ThumbprintList)
	}

	// What STS reads: the issuer as a token carries it finds the provider; another path does not.
	err := h.Node.Store.Read(ctx, func(tx store.Tx) error {
		p, err := store.OIDCProviderByURL(ctx, tx, iamtest.Account, "https://token.example.com/tenant")
		if err != nil || p.URL != "token.example.com/tenant" || len(p.ClientIDs) != 2 || len(p.Thumbprints) != 1 {
			t.Errorf("OIDCProviderByURL = %+v, %v", p, err)
		}
		if _, err := store.OIDCProviderByURL(ctx, tx, iamtest.Account, "https://token.example.com/TENANT"); err != store.ErrNotFound {
			t.Errorf("OIDCProviderByURL with another path case = %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	must(c.TagOpenIDConnectProvider(ctx, &iamsdk.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn, Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	must(c.UntagOpenIDConnectProvider(ctx, &iamsdk.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn, TagKeys: []string{"team"}}))(t)
	tags := must(c.ListOpenIDConnectProviderTags(ctx, &iamsdk.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: arnIn}))(t)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags = %v", tags.Tags)
	}
	list := must(c.ListOpenIDConnectProviders(ctx, &iamsdk.ListOpenIDConnectProvidersInput{}))(t)
	if len(list.OpenIDConnectProviderList) != 1 || aws.ToString(list.OpenIDConnectProviderList[0].Arn) != arn {
		t.Errorf("list = %v", list.OpenIDConnectProviderList)
	}

	missing := aws.String("arn:aws:iam::" + iamtest.Account + ":oidc-provider/nobody.example.com")
	_, err = c.GetOpenIDConnectProvider(ctx, &iamsdk.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: missing})
	wantErr(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+aws.ToString(missing))
	must(c.DeleteOpenIDConnectProvider(ctx, &iamsdk.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn}))(t)
	// A second delete finds nothing, as on AWS (not idempotent as the reference says).
	_, err = c.DeleteOpenIDConnectProvider(ctx, &iamsdk.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arnIn})
	wantErr(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+aws.ToString(arnIn))
	list = must(c.ListOpenIDConnectProviders(ctx, &iamsdk.ListOpenIDConnectProvidersInput{}))(t)
	if len(list.OpenIDConnectProviderList) != 0 {
		t.Errorf("list after delete = %v", list.OpenIDConnectProviderList)
	}
}

// samlFixture returns IdP metadata with a fresh self-signed signing certificate, and an RSA
// private key in PEM (PKCS #8) for assertion decryption.
func samlFixture(t *testing.T, entityID, validUntil string) (metadata, keyPEM string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	attr := ""
	if validUntil != "" {
		attr = ` validUntil="` + validUntil + `"`
	}
	metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="` + entityID + `"` + attr + `>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + base64.StdEncoding.EncodeToString(der) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return metadata, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}))
}

func TestSAMLProviders(t *testing.T) {
	h, c := newClient(t)
	md, keyPEM := samlFixture(t, "https://idp.example.com", "")
	out := must(c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(md),
		Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t)
	arn := aws.ToString(out.SAMLProviderArn)
	if arn != "arn:aws:iam::"+iamtest.Account+":saml-provider/Okta" {
		t.Fatalf("arn = %s", arn)
	}
	noCert := strings.Replace(md, `use="signing"`, `use="encryption"`, 1)
	badCert := strings.Replace(md, "<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1)
	notMD := strings.ReplaceAll(md, "urn:oasis:names:tc:SAML:2.0:metadata", "urn:example:other:namespace:metadata:longer")
	dtd := strings.Replace(md, `<?xml version="1.0"?>`, `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>`, 1)
	bad := []struct {
		name, doc, code, msg string
	}{
		{"duplicate name", md, "EntityAlreadyExists", ""},
		{"no signing certificate", noCert, "InvalidInput", "Could not parse metadata"},
		{"certificate not DER", badCert, "InvalidInput", "Could not parse metadata"},
		{"not metadata", notMD, "InvalidInput", "Could not parse metadata"},
		{"DTD", dtd, "InvalidInput", "Could not parse metadata"},
		{"not XML", strings.Repeat("x", 1200), "InvalidInput", "Could not parse metadata"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			name := "other"
			if tc.name == "duplicate name" {
				name = "OKTA"
			}
			_, err := c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String(name), SAMLMetadataDocument: aws.String(tc.doc)})
			wantErr(t, err, tc.code, tc.msg)
		})
	}

	got := must(c.GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))(t)
	if aws.ToString(got.SAMLMetadataDocument) != md || got.CreateDate == nil || got.ValidUntil == nil ||
		got.ValidUntil.Year() != got.CreateDate.Year()+100 || len(aws.ToString(got.SAMLProviderUUID)) < 22 ||
		got.AssertionEncryptionMode != iamtypes.AssertionEncryptionModeTypeAllowed {
		t.Errorf("Get = %+v", got)
	}

	// Update: new metadata with validUntil, a private key, encryption required.
	md2, _ := samlFixture(t, "https://idp.example.com", "2031-05-06T07:08:09Z")
	must(c.UpdateSAMLProvider(ctx, &iamsdk.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(md2),
		AddPrivateKey: aws.String(keyPEM), AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired}))(t)
	got = must(c.GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))(t)
	if !got.ValidUntil.Equal(time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)) || len(got.PrivateKeyList) != 1 || got.AssertionEncryptionMode != iamtypes.AssertionEncryptionModeTypeRequired {
		t.Errorf("Get after update = validUntil %v keys %v mode %s", got.ValidUntil, got.PrivateKeyList, got.AssertionEncryptionMode)
	}
	keyID := aws.ToString(got.PrivateKeyList[0].KeyId)
	_, err := c.UpdateSAMLProvider(ctx, &iamsdk.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), RemovePrivateKey: aws.String(keyID)})
	wantErr(t, err, "InvalidInput", "") // Required mode needs a key
	_, err = c.UpdateSAMLProvider(ctx, &iamsdk.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), AddPrivateKey: aws.String(strings.Repeat("not a key ", 3))})
	wantErr(t, err, "InvalidInput", "")

	// What STS reads: the stored document and the sealed key, which opens with its AD.
	err = h.Node.Store.Read(ctx, func(tx store.Tx) error {
		p, err := store.SAMLProviderByARN(ctx, tx, iamtest.Account, arn)
		if err != nil || p.MetadataDocument != md2 || len(p.PrivateKeys) != 1 || strings.Contains(string(p.PrivateKeys[0].Sealed), "PRIVATE KEY") {
			t.Errorf("SAMLProviderByARN = %v, %v", p.Name, err)
		}
		if md, err := iam.ParseSAMLMetadata(p.MetadataDocument); err != nil || len(md.Certs) != 1 {
			t.Errorf("stored metadata: %v", err)
		}
		if _, err := store.SAMLProviderByARN(ctx, tx, "999999999999", arn); err != store.ErrNotFound {
			t.Errorf("another account's view = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	list := must(c.ListSAMLProviders(ctx, &iamsdk.ListSAMLProvidersInput{}))(t)
	if len(list.SAMLProviderList) != 1 || aws.ToString(list.SAMLProviderList[0].Arn) != arn || list.SAMLProviderList[0].ValidUntil == nil {
		t.Errorf("list = %+v", list.SAMLProviderList)
	}
	must(c.TagSAMLProvider(ctx, &iamsdk.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}))(t)
	must(c.UntagSAMLProvider(ctx, &iamsdk.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"k"}}))(t)
	tags := must(c.ListSAMLProviderTags(ctx, &iamsdk.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)}))(t)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "a" {
		t.Errorf("tags = %v", tags.Tags)
	}
	must(c.DeleteSAMLProvider(ctx, &iamsdk.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))(t)
	_, err = c.DeleteSAMLProvider(ctx, &iamsdk.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantErr(t, err, "NoSuchEntity", "Manifest not found for arn "+arn)
}
