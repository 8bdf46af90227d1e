package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/federation/oidc"
	"github.com/iamd/iamd/internal/federation/saml"
	"github.com/iamd/iamd/internal/idp"
)

// TestIdPCommands mints with the CLI and verifies with the federation packages, using the key
// file the CLI created.
func TestIdPCommands(t *testing.T) {
	key := filepath.Join(t.TempDir(), "idp.pem")
	const issuer = "https://idp.example.test"
	tok, err := run(t, "", "idp", "token", "--key", key, "--issuer", issuer, "--sub", "alice", "--aud", "app", "--tag", "team=blue")
	if err != nil {
		t.Fatalf("idp token: %v\n%s", err, tok)
	}
	k, err := idp.LoadOrCreateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p, err := idp.New(idp.Config{Issuer: issuer, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	c, err := oidc.NewVerifier(oidc.Config{}).Verify(context.Background(), strings.TrimSpace(tok),
		oidc.Provider{URL: issuer, ClientIDs: []string{"app"}, JWKS: p.JWKS()})
	if err != nil || c.Subject != "alice" || c.PrincipalTags["team"] != "blue" {
		t.Fatalf("token claims %+v, %v", c, err)
	}

	md, err := run(t, "", "idp", "metadata", "--key", key, "--issuer", issuer)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := saml.ParseMetadata([]byte(md))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := run(t, "", "idp", "saml", "--key", key, "--issuer", issuer, "--role", "arn:aws:iam::123456789012:role/dev",
		"--provider", "arn:aws:iam::123456789012:saml-provider/Dev", "--name-id", "alice", "--session-name", "alice")
	if err != nil {
		t.Fatalf("idp saml: %v\n%s", err, resp)
	}
	a, err := saml.NewVerifier(saml.Config{Now: func() time.Time { return time.Now().Add(time.Second) }}).Verify(strings.TrimSpace(resp), saml.Provider{Metadata: meta})
	if err != nil || len(a.Roles) != 1 || a.NameID != "alice" {
		t.Fatalf("assertion %+v, %v", a, err)
	}
	if out, err := run(t, "", "idp", "saml", "--key", key, "--role", "arn:aws:iam::123456789012:role/dev"); err == nil {
		t.Fatalf("role without provider accepted: %s", out)
	}
	if out, err := run(t, "", "idp", "token", "--key", key, "--sub", "a", "--tag", "novalue"); err == nil {
		t.Fatalf("bad tag accepted: %s", out)
	}
}
