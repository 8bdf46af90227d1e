package iam_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
)

// rsaTestKey returns a fresh 2048-bit RSA key and its public key in OpenSSH form.
func rsaTestKey(t testing.TB) (*rsa.PrivateKey, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

func code(err error) string {
	if ae, ok := awserr.As(err); ok {
		return ae.Code
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

func TestParseSSHPublicKey(t *testing.T) {
	k, line := rsaTestKey(t)
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	pkix := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)}))
	want, err := iam.ParseSSHPublicKey(line)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Fingerprint) != 47 || strings.Count(want.Fingerprint, ":") != 15 {
		t.Fatalf("fingerprint %q is not 16 colon-separated hex bytes", want.Fingerprint)
	}
	tests := []struct {
		name, body, code string
	}{
		{"openssh with comment", line + " me@host", ""},
		{"surrounding whitespace", "\n  " + line + "  \n", ""},
		{"pkix pem", pkix, ""},
		{"pkcs1 pem", pkcs1, ""},
		{"empty", "", "UnrecognizedPublicKeyEncoding"},
		{"words", "not a key", "UnrecognizedPublicKeyEncoding"},
		{"two lines", line + "\n" + line, "UnrecognizedPublicKeyEncoding"},
		{"pem then junk", pkix + "junk", "UnrecognizedPublicKeyEncoding"},
		{"private key pem", "-----BEGIN PRIVATE KEY-----\naGVsbG8=\n-----END PRIVATE KEY-----\n", "UnrecognizedPublicKeyEncoding"},
		{"pem garbage", "-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----\n", "InvalidPublicKey"},
		{"ssh garbage", "ssh-rsa AAAAB3Nza", "InvalidPublicKey"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := iam.ParseSSHPublicKey(tc.body)
			if c := code(err); c != tc.code {
				t.Fatalf("code = %q, want %q", c, tc.code)
			}
			if err == nil && got.Fingerprint != want.Fingerprint {
				t.Errorf("fingerprint = %s, want %s", got.Fingerprint, want.Fingerprint)
			}
		})
	}
	for _, enc := range []string{"SSH", "PEM"} {
		body, err := want.Encode(enc)
		if err != nil {
			t.Fatal(err)
		}
		back, err := iam.ParseSSHPublicKey(body)
		if err != nil || back.Fingerprint != want.Fingerprint {
			t.Errorf("%s round trip: %v", enc, err)
		}
	}
	if _, err := want.Encode("DER"); code(err) != "UnrecognizedPublicKeyEncoding" {
		t.Errorf("Encode(DER) = %v", err)
	}
}

func selfSigned(t testing.TB, key *ecdsa.PrivateKey, from time.Time) string {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "t"}, NotBefore: from, NotAfter: from.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestCertificatesAndKeys(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := selfSigned(t, key, now.Add(-time.Minute))
	sec1, _ := x509.MarshalECPrivateKey(key)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	otherDER, _ := x509.MarshalECPrivateKey(other)
	leaf, ca := signedLeaf(t, now)
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"signing cert valid", func() error { _, err := iam.ParseSigningCertificate(cert, now); return err }, ""},
		{"signing cert expired", func() error { _, err := iam.ParseSigningCertificate(cert, now.Add(2*time.Hour)); return err }, "InvalidCertificate"},
		{"two certificates are not one", func() error { _, err := iam.ParseCertificate(cert + cert); return err }, "MalformedCertificate"},
		{"chain of two", func() error { _, err := iam.ParseCertificateChain(cert + "\n" + cert); return err }, ""},
		{"chain with junk", func() error { _, err := iam.ParseCertificateChain(cert + "junk"); return err }, "MalformedCertificate"},
		{"chain: the signer", func() error { return chainCheck(leaf, ca) }, ""},
		{"chain: the signer, a self-signed root, twice", func() error { return chainCheck(leaf, ca+ca) }, ""},
		{"chain: right certificates, wrong order", func() error { return chainCheck(leaf, cert+ca) }, "MalformedCertificate"},
		{"chain: not the signer", func() error { return chainCheck(leaf, cert) }, "MalformedCertificate"},
		{"sec1 key matches", func() error { return keyCheck(cert, "EC PRIVATE KEY", sec1) }, ""},
		{"pkcs8 key matches", func() error { return keyCheck(cert, "PRIVATE KEY", pkcs8) }, ""},
		{"other key", func() error { return keyCheck(cert, "EC PRIVATE KEY", otherDER) }, "KeyPairMismatch"},
		{"key under the wrong label", func() error { return keyCheck(cert, "RSA PRIVATE KEY", sec1) }, "MalformedCertificate"},
		{"unknown label", func() error { return keyCheck(cert, "DSA PRIVATE KEY", sec1) }, "MalformedCertificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if c := code(tc.run()); c != tc.code {
				t.Errorf("code = %q, want %q", c, tc.code)
			}
		})
	}
}

// signedLeaf returns a leaf certificate and the CA certificate that signed it.
func signedLeaf(t testing.TB, now time.Time) (leaf, ca string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "leaf"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(b []byte) string { return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b})) }
	return enc(der), enc(caDER)
}

func chainCheck(leafPEM, chainPEM string) error {
	leaf, err := iam.ParseCertificate(leafPEM)
	if err != nil {
		return err
	}
	chain, err := iam.ParseCertificateChain(chainPEM)
	if err != nil {
		return err
	}
	return iam.VerifyChain(leaf.X509, chain)
}

func keyCheck(certPEM, label string, der []byte) error {
	c, err := iam.ParseCertificate(certPEM)
	if err != nil {
		return err
	}
	return iam.ParsePrivateKey(string(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der})), c.X509)
}

func TestCredentialIDs(t *testing.T) {
	tests := []struct {
		name, id, prefix string
		n                int
	}{
		{"signing certificate", iam.NewSigningCertificateID(), "", 32},
		{"ssh key", iam.NewSSHPublicKeyID(), "APKA", 20},
		{"service credential password", iam.NewServiceCredentialPassword(), "", 44},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.id) != tc.n || !strings.HasPrefix(tc.id, tc.prefix) {
				t.Errorf("%q: want %d characters starting %q", tc.id, tc.n, tc.prefix)
			}
		})
	}
	if got := iam.ServiceUserName("ann", "123456789012"); got != "ann-at-123456789012" {
		t.Errorf("ServiceUserName = %s", got)
	}
}

// The parsers take request text: any input yields a value or an AWS error, never a panic.
func FuzzParseSSHPublicKey(f *testing.F) {
	_, line := rsaTestKey(f)
	for _, s := range []string{line, "ssh-rsa AAAA", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		k, err := iam.ParseSSHPublicKey(body)
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("non-AWS error %v", err)
			}
			return
		}
		for _, enc := range []string{"SSH", "PEM"} {
			if _, err := k.Encode(enc); err != nil {
				t.Fatalf("parsed key does not encode as %s: %v", enc, err)
			}
		}
	})
}

func FuzzParseCertificate(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := selfSigned(f, key, time.Now())
	sec1, _ := x509.MarshalECPrivateKey(key)
	f.Add(cert, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})))
	f.Add("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----")
	leaf, ca := signedLeaf(f, time.Now())
	f.Add(leaf, ca) // the second argument doubles as a chain
	f.Fuzz(func(t *testing.T, body, key string) {
		if _, err := iam.ParseCertificateChain(body); err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("non-AWS error %v", err)
			}
		}
		c, err := iam.ParseCertificate(body)
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("non-AWS error %v", err)
			}
			return
		}
		if chain, err := iam.ParseCertificateChain(key); err == nil {
			if err := iam.VerifyChain(c.X509, chain); err != nil {
				if _, ok := awserr.As(err); !ok {
					t.Fatalf("non-AWS error %v", err)
				}
			}
		}
		if err := iam.ParsePrivateKey(key, c.X509); err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("non-AWS error %v", err)
			}
		}
	})
}

func TestServiceAPIKey(t *testing.T) {
	tests := []struct {
		name, prefix, user string
		minLen, maxLen     int
	}{
		// AWS's Bedrock keys are ABSK and 109 to 269 base64 characters.
		{"bedrock short user", "ABSK", "a", 4 + 109, 4 + 269},
		{"bedrock console-style user", "ABSK", "BedrockAPIKey-x7k2", 4 + 109, 4 + 269},
		{"bedrock longest user", "ABSK", strings.Repeat("u", 64), 4 + 109, 4 + 269},
		{"logs user containing -at-", "ACWL", "ops-at-home", 4 + 109, 4 + 269},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alias := iam.ServiceCredentialAlias(tc.user, "123456789012")
			key := iam.NewServiceAPIKey(tc.prefix, alias)
			if len(key) < tc.minLen || len(key) > tc.maxLen || !strings.HasPrefix(key, tc.prefix) {
				t.Fatalf("key %q: %d characters", key, len(key))
			}
			got, err := iam.ParseServiceAPIKey(key)
			if err != nil {
				t.Fatal(err)
			}
			if got.Prefix != tc.prefix || got.Alias != alias || got.Random == "" {
				t.Errorf("parsed %+v", got)
			}
			var logged strings.Builder
			slog.New(slog.NewJSONHandler(&logged, nil)).Info("key", "key", got)
			if s := got.String() + logged.String(); strings.Contains(s, got.Random) || !strings.Contains(logged.String(), alias) {
				t.Errorf("String() or log shows the secret or not the alias: %s", s)
			}
			if again := iam.NewServiceAPIKey(tc.prefix, alias); again == key {
				t.Error("two keys are equal")
			}
		})
	}
	bad := []struct{ name, key string }{
		{"empty", ""},
		{"unknown prefix", "AKIA" + "YW5uLWF0LTEyMzQ1Njc4OTAxMjp4"},
		{"not base64", "ABSK!!!!"},
		{"no colon", "ABSK" + "YW5uLWF0LTEyMzQ1Njc4OTAxMg=="},                 // ann-at-123456789012
		{"no account", "ABSK" + "YW5uOnh4eHg="},                               // ann:xxxx
		{"short account", "ABSK" + "YW5uLWF0LTEyMzp4eHh4"},                    // ann-at-123:xxxx
		{"empty random", "ABSK" + "YW5uLWF0LTEyMzQ1Njc4OTAxMjo="},             // ann-at-123456789012:
		{"empty user", "ABSK" + "LWF0LTEyMzQ1Njc4OTAxMjp4eHh4"},               // -at-123456789012:xxxx
		{"random not base64url", "ABSK" + "YW5uLWF0LTEyMzQ1Njc4OTAxMjp4IXg="}, // ann-at-123456789012:x!x
		{"too long", "ABSK" + strings.Repeat("A", 2000)},
		// Go's base64 decoders skip CR and LF, even in strict mode.
		{"carriage return", "ABSKYW5uLWF0\rLTEyMzQ1Njc4OTAxMjp4eHh4"},
		{"line feed", "ABSKYW5uLWF0\nLTEyMzQ1Njc4OTAxMjp4eHh4"},
		{"carriage return in the random part", "ABSK" + "YW5uLWF0LTEyMzQ1Njc4OTAxMjp4eA14eA=="}, // ann-at-123456789012:xx\rxx
	}
	for _, tc := range bad {
		t.Run("bad "+tc.name, func(t *testing.T) {
			if k, err := iam.ParseServiceAPIKey(tc.key); err == nil {
				t.Errorf("parsed %+v", k)
			}
		})
	}
}

func TestServiceCredentialExpiry(t *testing.T) {
	created := time.Date(2026, 3, 27, 2, 34, 20, 0, time.UTC)
	tests := []struct {
		name string
		days int32
		want time.Time
	}{
		// AWS's documented example: 30 days from 2026-03-27T02:34:20Z is 2026-04-26T02:34:20Z.
		{"thirty days", 30, time.Date(2026, 4, 26, 2, 34, 20, 0, time.UTC)},
		{"one day", iam.MinCredentialAgeDays, time.Date(2026, 3, 28, 2, 34, 20, 0, time.UTC)},
		{"longest", iam.MaxCredentialAgeDays, created.AddDate(0, 0, iam.MaxCredentialAgeDays)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := iam.ServiceCredentialExpiry(created, tc.days); !got.Equal(tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func FuzzParseServiceAPIKey(f *testing.F) {
	f.Add(iam.NewServiceAPIKey("ABSK", "ann-at-123456789012"))
	f.Add(iam.NewServiceAPIKey("ACWL", "a-at-b-at-123456789012"))
	f.Add("ABSK")
	f.Add("")
	f.Fuzz(func(t *testing.T, key string) {
		k, err := iam.ParseServiceAPIKey(key)
		if err != nil {
			return
		}
		// Strict decoding accepts only the canonical encoding: what parsed re-encodes to the key.
		if again := k.Prefix + base64.StdEncoding.EncodeToString([]byte(k.Alias+":"+k.Random)); again != key || k.Random == "" {
			t.Errorf("accepted %q as %+v", key, k)
		}
	})
}
