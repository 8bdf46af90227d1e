package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Self-signed development certificate files in the data directory.
const (
	selfSignedCert = "tls-self-signed.crt"
	selfSignedKey  = "tls-self-signed.key"
)

// serverTLSConfig is Go's defaults from TLS 1.2 on, HTTP/2 offered first, the certificate asked
// for at each handshake so that a reload applies to new connections only.
func serverTLSConfig(getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: getCert,
		NextProtos:     []string{"h2", "http/1.1"},
	}
}

// ensureSelfSigned returns the paths of the data directory's self-signed certificate and key,
// generating them on the first call (an ECDSA P-256 key, valid for localhost, 127.0.0.1 and ::1
// for ten years), and whether it did.
func ensureSelfSigned(dataDir string) (certPath, keyPath string, created bool, err error) {
	certPath, keyPath = filepath.Join(dataDir, selfSignedCert), filepath.Join(dataDir, selfSignedKey)
	_, errC := os.Stat(certPath)
	_, errK := os.Stat(keyPath)
	if errC == nil && errK == nil {
		return certPath, keyPath, false, nil
	}
	if !errors.Is(errC, fs.ErrNotExist) || !errors.Is(errK, fs.ErrNotExist) {
		return "", "", false, fmt.Errorf("self-signed certificate: %s and %s must both exist or neither (remove the other to make a new pair)", certPath, keyPath)
	}
	certPEM, keyPEM, err := selfSignedPair(time.Now())
	if err != nil {
		return "", "", false, err
	}
	// The key first, 0600, and the certificate last: a pair is complete once the certificate exists.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return "", "", false, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return "", "", false, err
	}
	return certPath, keyPath, true, nil
}

// selfSignedPair makes a certificate and its key, PEM-encoded.
func selfSignedPair(now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "iamd development (self-signed)"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so that clients can trust it as its own root (--ca-file)
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// writeFileAtomic writes a file that is either absent or complete.
func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// fingerprint is the SHA-256 of a certificate's DER, as `openssl x509 -fingerprint -sha256`
// shows it, for comparing with what a client is shown.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(hexes, ":")
}

// caPool is the system's roots plus the certificates of the PEM file at caFile ("" = the
// system's alone, nil).
func caPool(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	b, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", caFile)
	}
	return pool, nil
}

// httpClient is an HTTP client that trusts caFile's certificates besides the system's.
func httpClient(caFile string, timeout time.Duration) (*http.Client, error) {
	pool, err := caPool(caFile)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if pool != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Timeout: timeout, Transport: tr}, nil
}
