// Package tlsreload serves a TLS certificate from PEM files and replaces it when the files
// change, so a renewed certificate is taken up without a restart and without dropping the
// connections made with the old one (tls.Config.GetCertificate is asked at each handshake).
package tlsreload

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// Cert is a certificate loaded from a certificate file and a key file.
type Cert struct {
	certFile, keyFile string

	mu    sync.Mutex
	cert  *tls.Certificate
	stamp string // the files' sizes and modification times at the last load
}

// Load reads the pair; it fails when the files do not hold a certificate and its key.
func Load(certFile, keyFile string) (*Cert, error) {
	c := &Cert{certFile: certFile, keyFile: keyFile}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// GetCertificate is for tls.Config.GetCertificate.
func (c *Cert) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cert, nil
}

// Reload reads the files again. On an error the certificate served stays the previous one: a
// half-written renewal must not take the server down.
func (c *Cert) Reload() error {
	stamp := c.fileStamp()
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s, key %s: %w", c.certFile, c.keyFile, err)
	}
	c.mu.Lock()
	c.cert, c.stamp = &pair, stamp
	c.mu.Unlock()
	return nil
}

// fileStamp names the files' current versions; "" when one cannot be read.
func (c *Cert) fileStamp() string {
	var s string
	for _, p := range []string{c.certFile, c.keyFile} {
		fi, err := os.Stat(p)
		if err != nil {
			return ""
		}
		s += fmt.Sprintf("%d:%d;", fi.Size(), fi.ModTime().UnixNano())
	}
	return s
}

// Watch reloads the pair whenever the files' sizes or modification times change, looking every
// interval, until ctx ends. Errors (a renewal written in two steps is briefly a mismatched
// pair) go to onErr; the next change is tried again.
func (c *Cert) Watch(ctx context.Context, interval time.Duration, onReload func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		stamp := c.fileStamp()
		c.mu.Lock()
		same := stamp == "" || stamp == c.stamp
		c.mu.Unlock()
		if same {
			continue
		}
		err := c.Reload()
		if err != nil {
			// Remember the failed version so it is not retried every tick; a further write
			// changes the stamp again.
			c.mu.Lock()
			c.stamp = stamp
			c.mu.Unlock()
		}
		if onReload != nil {
			onReload(err)
		}
	}
}
