package saml_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/federation/saml"
	"github.com/iamd/iamd/internal/idp"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const (
	roleARN = "arn:aws:iam::111122223333:role/dev"
	provARN = "arn:aws:iam::111122223333:saml-provider/DevIdP"
)

func newIdP(t *testing.T) *idp.IdP {
	t.Helper()
	p, err := idp.New(idp.Config{Issuer: "https://idp.test", Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func baseRequest() idp.SAMLRequest {
	return idp.SAMLRequest{
		NameID: "alice@example.com", Roles: []string{roleARN + "," + provARN}, RoleSessionName: "alice",
		SessionDuration: 1800, Tags: map[string]string{"team": "blue"}, TransitiveTagKeys: []string{"team"},
		SourceIdentity: "alice", SessionNotOnOrAfter: t0.Add(20 * time.Minute),
	}
}

func xmlOf(t *testing.T, p *idp.IdP, r idp.SAMLRequest) string {
	t.Helper()
	b, err := p.SAMLResponseXML(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func enc(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// cut returns the text of the first element whose start tag begins with open, through its end tag.
func cut(t *testing.T, doc, open, closeTag string) string {
	t.Helper()
	i := strings.Index(doc, open)
	j := strings.Index(doc, closeTag)
	if i < 0 || j < i {
		t.Fatalf("no %s…%s in %s", open, closeTag, doc)
	}
	return doc[i : j+len(closeTag)]
}

func TestVerify(t *testing.T) {
	p := newIdP(t)
	md, err := saml.ParseMetadata(p.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	other := newIdP(t) // same entity id, another key
	spKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	wrongKey, _ := rsa.GenerateKey(rand.Reader, 2048)

	good := xmlOf(t, p, baseRequest())
	signedAssertion := cut(t, good, "<saml:Assertion", "</saml:Assertion>")
	sigEl := cut(t, good, "<ds:Signature", "</ds:Signature>")

	// Wrapping: the signed assertion hidden in an Extensions element, a forged one in its place.
	forged := strings.Replace(strings.Replace(signedAssertion, sigEl, "", 1), "alice@example.com", "admin@example.com", 1)
	wrapped := strings.Replace(good, signedAssertion, forged, 1)
	wrapped = strings.Replace(wrapped, "<samlp:Status>", "<samlp:Extensions>"+signedAssertion+"</samlp:Extensions><samlp:Status>", 1)

	// Comment injection: the IdP signed "alice@example.com.evil.test"; a comment splits it so
	// that a naive reader of the first text node sees "alice@example.com".
	evil := baseRequest()
	evil.NameID = "alice@example.com.evil.test"
	commented := strings.Replace(xmlOf(t, p, evil), "alice@example.com.evil.test", "alice@example.com<!---->.evil.test", 1)

	tests := []struct {
		name     string
		resp     string
		prov     saml.Provider
		now      time.Time
		code     saml.Code
		check    func(t *testing.T, a *saml.Assertion)
		twice    bool
		verifier *saml.Verifier
	}{
		{name: "signed assertion", resp: enc(good), check: func(t *testing.T, a *saml.Assertion) {
			if a.NameID != "alice@example.com" || a.Issuer != "https://idp.test/saml" || a.SubType() != "persistent" {
				t.Errorf("assertion = %+v", a)
			}
			if len(a.Roles) != 1 || a.Roles[0].RoleARN != roleARN || a.Roles[0].ProviderARN != provARN {
				t.Errorf("roles = %+v", a.Roles)
			}
			if d, err := a.SessionDuration(); d != 1800 || err != nil {
				t.Errorf("SessionDuration = %d, %v", d, err)
			}
			if a.PrincipalTags()["team"] != "blue" || a.First(saml.AttrSourceIdentity) != "alice" || a.First(saml.AttrRoleSessionName) != "alice" {
				t.Errorf("attributes = %v", a.Attributes)
			}
			if !a.SessionNotOnOrAfter.Equal(t0.Add(20 * time.Minute)) {
				t.Errorf("SessionNotOnOrAfter = %v", a.SessionNotOnOrAfter)
			}
		}},
		{name: "signed response", resp: enc(xmlOf(t, p, func() idp.SAMLRequest { r := baseRequest(); r.SignResponse = true; return r }()))},
		{name: "role pair reversed", resp: enc(xmlOf(t, p, func() idp.SAMLRequest { r := baseRequest(); r.Roles = []string{provARN + "," + roleARN}; return r }()))},
		{name: "encrypted assertion", prov: saml.Provider{Metadata: md, DecryptionKeys: []*rsa.PrivateKey{wrongKey, spKey}, RequireEncryption: true},
			resp: enc(xmlOf(t, p, func() idp.SAMLRequest { r := baseRequest(); r.EncryptTo = &spKey.PublicKey; return r }()))},

		{name: "unsigned", resp: enc(strings.Replace(good, sigEl, "", 1)), code: saml.InvalidIdentityToken},
		{name: "signed by another key", resp: enc(xmlOf(t, other, baseRequest())), code: saml.InvalidIdentityToken},
		{name: "signed value changed", resp: enc(strings.Replace(good, "alice@example.com", "admin@example.com", 1)), code: saml.InvalidIdentityToken},
		{name: "wrapped signature", resp: enc(wrapped), code: saml.InvalidIdentityToken},
		{name: "two assertions", resp: enc(strings.Replace(good, signedAssertion, signedAssertion+signedAssertion, 1)), code: saml.InvalidIdentityToken},
		{name: "comment-injected NameID", resp: enc(commented), code: saml.InvalidIdentityToken},
		{name: "wrong audience", resp: enc(xmlOf(t, p, func() idp.SAMLRequest { r := baseRequest(); r.Audience = "https://sp.evil"; return r }())), code: saml.InvalidIdentityToken},
		{name: "wrong recipient", resp: enc(xmlOf(t, p, func() idp.SAMLRequest { r := baseRequest(); r.Recipient = "https://sp.evil/acs"; return r }())), code: saml.InvalidIdentityToken},
		{name: "regional recipient", resp: enc(xmlOf(t, p, func() idp.SAMLRequest {
			r := baseRequest()
			r.Recipient = "https://eu-west-1.signin.aws.amazon.com/saml"
			return r
		}()))},
		{name: "expired", resp: enc(good), now: t0.Add(10 * time.Minute), code: saml.ExpiredToken},
		{name: "not yet valid", resp: enc(good), now: t0.Add(-10 * time.Minute), code: saml.InvalidIdentityToken},
		{name: "replayed", resp: enc(good), twice: true, code: saml.InvalidIdentityToken},
		{name: "encrypted without provider key", resp: enc(xmlOf(t, p, func() idp.SAMLRequest { r := baseRequest(); r.EncryptTo = &spKey.PublicKey; return r }())), code: saml.InvalidIdentityToken},
		{name: "encrypted to another key", prov: saml.Provider{Metadata: md, DecryptionKeys: []*rsa.PrivateKey{wrongKey}},
			resp: enc(xmlOf(t, p, func() idp.SAMLRequest { r := baseRequest(); r.EncryptTo = &spKey.PublicKey; return r }())), code: saml.InvalidIdentityToken},
		{name: "plain when encryption required", prov: saml.Provider{Metadata: md, DecryptionKeys: []*rsa.PrivateKey{spKey}, RequireEncryption: true}, resp: enc(good), code: saml.InvalidIdentityToken},
		{name: "DTD", resp: enc(`<!DOCTYPE x [<!ENTITY a "b">]>` + good), code: saml.InvalidIdentityToken},
		{name: "status not success", resp: enc(strings.Replace(good, "status:Success", "status:Responder", 1)), code: saml.InvalidIdentityToken},
		{name: "not base64", resp: "%%%%", code: saml.InvalidIdentityToken},
		{name: "not xml", resp: enc("hello"), code: saml.InvalidIdentityToken},
		{name: "too long", resp: strings.Repeat("A", saml.MaxResponseSize+4), code: saml.InvalidIdentityToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := t0.Add(30 * time.Second)
			if !tc.now.IsZero() {
				now = tc.now
			}
			v := saml.NewVerifier(saml.Config{Now: func() time.Time { return now }})
			prov := tc.prov
			if prov.Metadata == nil {
				prov.Metadata = md
			}
			a, err := v.Verify(tc.resp, prov)
			if tc.twice {
				if err != nil {
					t.Fatalf("first use: %v", err)
				}
				a, err = v.Verify(tc.resp, prov)
			}
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if tc.check != nil {
					tc.check(t, a)
				}
				return
			}
			var e *saml.Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("Verify = %v, %v; want code %s", a, err, tc.code)
			}
		})
	}
}

func TestParseMetadata(t *testing.T) {
	p := newIdP(t)
	md, err := saml.ParseMetadata(p.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	if md.EntityID != p.EntityID() || len(md.Certs) != 1 || !md.Certs[0].Equal(p.Certificate()) {
		t.Fatalf("metadata = %+v", md)
	}
	for name, doc := range map[string]string{
		"empty":        "",
		"not metadata": "<x/>",
		"no cert":      `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><md:IDPSSODescriptor/></md:EntityDescriptor>`,
		"no entity id": `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>`,
		"bad cert":     strings.Replace(string(p.Metadata()), "<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1),
	} {
		if _, err := saml.ParseMetadata([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestReplayCacheBounded(t *testing.T) {
	c := saml.NewReplayCache(2)
	if !c.Use("a", t0.Add(time.Minute), t0) || !c.Use("b", t0.Add(time.Minute), t0) {
		t.Fatal("fresh ids refused")
	}
	if c.Use("c", t0.Add(time.Minute), t0) {
		t.Fatal("full cache accepted a new id (must fail closed)")
	}
	if !c.Use("c", t0.Add(3*time.Minute), t0.Add(2*time.Minute)) {
		t.Fatal("expired entries were not swept")
	}
	if !c.Use("a", t0.Add(5*time.Minute), t0.Add(2*time.Minute)) {
		t.Fatal("an expired id stays refused")
	}
}

func FuzzVerify(f *testing.F) {
	p, err := idp.New(idp.Config{Issuer: "https://idp.test", Now: func() time.Time { return t0 }})
	if err != nil {
		f.Fatal(err)
	}
	md, err := saml.ParseMetadata(p.Metadata())
	if err != nil {
		f.Fatal(err)
	}
	for _, signResp := range []bool{false, true} {
		r := baseRequest()
		r.SignResponse = signResp
		b, _ := p.SAMLResponseXML(r)
		f.Add(b)
	}
	f.Add([]byte("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		v := saml.NewVerifier(saml.Config{Now: func() time.Time { return t0.Add(time.Second) }})
		a, err := v.Verify(base64.StdEncoding.EncodeToString(doc), saml.Provider{Metadata: md})
		if err == nil && a.Issuer != p.EntityID() {
			t.Fatalf("accepted an assertion of %q", a.Issuer)
		}
		if err != nil {
			var e *saml.Error
			if !errors.As(err, &e) {
				t.Fatalf("error of type %T", err)
			}
		}
		saml.ParseMetadata(doc)
	})
}

// BenchmarkVerify measures one verification of a signed assertion (RSA-SHA256, 2048-bit key).
func BenchmarkVerify(b *testing.B) {
	p, _ := idp.New(idp.Config{Issuer: "https://idp.test", Now: func() time.Time { return t0 }})
	md, _ := saml.ParseMetadata(p.Metadata())
	resp, _ := p.SAMLResponse(baseRequest())
	b.ReportAllocs()
	for b.Loop() {
		// A fresh replay cache each time: the same assertion is verified again and again.
		v := saml.NewVerifier(saml.Config{Now: func() time.Time { return t0.Add(time.Second) }, Replay: saml.NewReplayCache(1)})
		if _, err := v.Verify(resp, saml.Provider{Metadata: md}); err != nil {
			b.Fatal(err)
		}
	}
}
