package idp_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/federation/oidc"
	"github.com/iamd/iamd/internal/federation/saml"
	"github.com/iamd/iamd/internal/idp"
)

// TestServedIssuer runs the dev IdP as iamd idp serve does (its own self-signed certificate)
// and verifies its tokens with package oidc trusting only the printed thumbprint.
func TestServedIssuer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "https://" + ln.Addr().String()
	key, err := idp.LoadOrCreateKey(filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := idp.New(idp.Config{Issuer: issuer, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	cert, leaf, err := p.TLSCertificate([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: p.Handler(), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })

	// The same key gives the same certificate, hence the same thumbprint, after a restart.
	again, _ := idp.New(idp.Config{Issuer: issuer, Key: key})
	if _, leaf2, _ := again.TLSCertificate([]string{"127.0.0.1"}); !leaf2.Equal(leaf) {
		t.Error("TLS certificate differs for the same key and hosts")
	}

	tok, err := p.Token(idp.TokenRequest{Subject: "repo:org/app:ref:refs/heads/main", Audience: []string{"sts.amazonaws.com"},
		AMR: []string{"pwd"}, Tags: map[string]string{"env": "dev"}, TransitiveTagKeys: []string{"env"}})
	if err != nil {
		t.Fatal(err)
	}
	v := oidc.NewVerifier(oidc.Config{RootCAs: x509.NewCertPool()}) // no root trusts it: only the thumbprint
	c, err := v.Verify(context.Background(), tok, oidc.Provider{URL: issuer, ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{oidc.Thumbprint(leaf)}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "repo:org/app:ref:refs/heads/main" || c.PrincipalTags["env"] != "dev" || c.KeyID != p.KeyID() {
		t.Fatalf("claims = %+v", c)
	}
	// Without the thumbprint the issuer is not trusted.
	if _, err := oidc.NewVerifier(oidc.Config{RootCAs: x509.NewCertPool()}).Verify(context.Background(), tok, oidc.Provider{URL: issuer, ClientIDs: []string{"sts.amazonaws.com"}}); err == nil {
		t.Fatal("issuer trusted without roots or thumbprint")
	}
}

func TestTokenAndSAMLRequests(t *testing.T) {
	p, err := idp.New(idp.Config{Issuer: "https://idp.test", Now: func() time.Time { return time.Unix(1_800_000_000, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Token(idp.TokenRequest{Subject: "s"}); err == nil {
		t.Error("token without audience minted")
	}
	if _, err := p.SAMLResponse(idp.SAMLRequest{}); err == nil {
		t.Error("SAML response without NameID minted")
	}
	if _, err := idp.New(idp.Config{Issuer: "http://idp.test"}); err == nil {
		t.Error("http issuer accepted")
	}
	md, err := saml.ParseMetadata(p.Metadata())
	if err != nil || md.EntityID != "https://idp.test/saml" {
		t.Fatalf("metadata: %+v, %v", md, err)
	}
}

func TestLogValueRedactsKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p, err := idp.New(idp.Config{Issuer: "https://idp.test", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	log.Info("idp", "idp", p)
	log.Info("provider", "provider", saml.Provider{DecryptionKeys: []*rsa.PrivateKey{key}})
	for _, secret := range []string{key.D.String()[:20], key.Primes[0].String()[:20], "PRIVATE"} {
		if strings.Contains(b.String(), secret) {
			t.Fatalf("log leaks key material: %s", b.String())
		}
	}
	if !strings.Contains(b.String(), "https://idp.test") || !strings.Contains(b.String(), "decryptionKeys=1") {
		t.Fatalf("log line lacks the public facts: %s", b.String())
	}
}
