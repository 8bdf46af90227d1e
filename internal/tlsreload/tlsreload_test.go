package tlsreload

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writePair writes a self-signed certificate with serial and its key to dir.
func writePair(t *testing.T, dir string, serial int64) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	// Written beside and renamed into place, as a renewal should be.
	for path, b := range map[string][]byte{
		keyPath:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}),
		certPath: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	} {
		if err := os.WriteFile(path+".new", b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}
	return certPath, keyPath
}

func serial(t *testing.T, c *Cert) int64 {
	t.Helper()
	tc, _ := c.GetCertificate(nil)
	x, err := x509.ParseCertificate(tc.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return x.SerialNumber.Int64()
}

func TestWatchReloadsAndKeepsTheLastGoodPair(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := writePair(t, dir, 1)
	c, err := Load(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reloads := make(chan error, 16)
	go c.Watch(ctx, 10*time.Millisecond, func(err error) { reloads <- err })

	writePair(t, dir, 2)
	for serial(t, c) != 2 {
		select {
		case <-reloads:
		case <-time.After(5 * time.Second):
			t.Fatal("the new pair was not loaded")
		}
	}
	// A damaged certificate file is reported, and the last good pair stays.
	if err := os.WriteFile(certPath, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-reloads:
		if err == nil {
			t.Fatal("a damaged pair loaded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the change was not noticed")
	}
	if got := serial(t, c); got != 2 {
		t.Errorf("serving serial %d after a failed reload, want 2", got)
	}
	if err := c.Reload(); err == nil {
		t.Error("Reload of a damaged pair succeeded")
	}
}

func TestLoadRefusesAMismatchedPair(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	certPath, _ := writePair(t, a, 1)
	_, keyPath := writePair(t, b, 2)
	if _, err := Load(certPath, keyPath); err == nil {
		t.Error("a certificate with another key loaded")
	}
}
