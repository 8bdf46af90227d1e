package session

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd/iamd/internal/seal"
)

func keyring(t testing.TB, id uint32) *seal.Keyring {
	t.Helper()
	k, err := seal.GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := seal.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func sample() *Session {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	return &Session{
		Origin: AssumedRole, Account: "123456789012", AccessKeyID: "ASIAEXAMPLEEXAMPLE12",
		Secret:   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		IssuedAt: now, Expires: now.Add(time.Hour),
		EntityID: "AROAEXAMPLEEXAMPLE123", EntityName: "demo", EntityPath: "/",
		SessionName: "session1",
	}
}

func TestRoundTrip(t *testing.T) {
	kr := keyring(t, 1)
	full := sample()
	full.Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket"}]}`
	full.PolicyARNs = []string{"arn:aws:iam::123456789012:policy/a", "arn:aws:iam::aws:policy/ReadOnlyAccess"}
	full.Tags = []Tag{{"team", "blue"}, {"cost", ""}}
	full.TransitiveKeys = []string{"team"}
	full.SourceIdentity = "alice"
	full.MFA = true
	full.MFAAuthTime = full.IssuedAt.Add(-time.Minute)
	full.ChainDepth = 2
	short := sample()
	short.Policy = `{"a":1}`
	inst := sample()
	inst.SessionName = "i-0123456789abcdef0"
	inst.SourceInstanceARN = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
	withMFA := *full
	withMFA.SourceInstanceARN = inst.SourceInstanceARN
	console := sample()
	console.Origin, console.Console = RootSession, true
	for name, s := range map[string]*Session{"minimal": sample(), "full": full, "shortPolicy": short, "instance": inst, "instanceMFA": &withMFA, "console": console} {
		t.Run(name, func(t *testing.T) {
			tok, err := Encode(kr, s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(kr, tok)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(s, got); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
}

// Tokens ride inside presigned URLs: keep the common case small.
func TestTokenSize(t *testing.T) {
	tok, err := Encode(keyring(t, 1), sample())
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) > 1024 {
		t.Errorf("token is %d bytes, want ≤ 1024", len(tok))
	}
}

func TestRejects(t *testing.T) {
	kr := keyring(t, 1)
	tok, err := Encode(kr, sample())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(tok)
	cases := map[string]string{
		"empty":     "",
		"notBase64": "!!!",
		"truncated": tok[:len(tok)-8],
		"huge":      strings.Repeat("A", maxTokenLen+4),
	}
	for i := range raw {
		m := bytes.Clone(raw)
		m[i] ^= 0x01
		cases[fmt.Sprintf("flip%d", i)] = base64.StdEncoding.EncodeToString(m)
	}
	cases["otherKeyring"] = func() string {
		other, _ := Encode(keyring(t, 1), sample())
		return other
	}()
	for name, tok := range cases {
		if _, err := Decode(kr, tok); err != ErrInvalid {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

// A token sealed under a previous key still opens after rotation.
func TestRotation(t *testing.T) {
	k1, _ := seal.GenerateKey(1)
	k2, _ := seal.GenerateKey(2)
	old, _ := seal.NewKeyring(k1)
	tok, _ := Encode(old, sample())
	rotated, err := seal.NewKeyring(k2, k1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(rotated, tok); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
}

func TestLogRedactsSecret(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "session", sample())
	if strings.Contains(buf.String(), sample().Secret) {
		t.Fatalf("secret in log: %s", buf.String())
	}
}

func FuzzDecode(f *testing.F) {
	kr := keyring(f, 1)
	tok, _ := Encode(kr, sample())
	f.Add(tok)
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = Decode(kr, s)
	})
}

// FuzzPayload checks that the field decoder never panics on any opened payload.
func FuzzPayload(f *testing.F) {
	kr := keyring(f, 1)
	f.Add([]byte{formatVersion, 1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		tok := base64.StdEncoding.EncodeToString(kr.Seal(b, additionalData))
		_, _ = Decode(kr, tok)
	})
}

func BenchmarkEncode(b *testing.B) {
	kr := keyring(b, 1)
	s := sample()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(kr, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	kr := keyring(b, 1)
	tok, _ := Encode(kr, sample())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(kr, tok); err != nil {
			b.Fatal(err)
		}
	}
}
