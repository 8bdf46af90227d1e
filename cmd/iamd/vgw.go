package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/iamd/iamd/internal/node"
	"github.com/iamd/iamd/internal/tlsreload"
	"github.com/iamd/iamd/internal/vgw"
)

// addVersitygwFlags defines serve's flags of the versitygw private IAM protocol.
func addVersitygwFlags(f *pflag.FlagSet) {
	f.String("versitygw-socket", "", "serve versitygw gateways' private IAM protocol on this unix socket (mode 0600, removed on exit); gateways use it with --iam-standalone-endpoint PATH and the account's root key as --access/--secret")
	f.String("versitygw-listen", "", "serve versitygw's private IAM protocol on HOST:PORT over mutual TLS (iamd's --tls-cert or --tls-self-signed; clients verified against --versitygw-client-ca)")
	f.String("versitygw-client-ca", "", "PEM CA bundle that versitygw gateways' client certificates must chain to, for --versitygw-listen")
	f.String("versitygw-account", "", "the account versitygw gateways serve (default: the installation's first account)")
}

// vgwServer is the versitygw protocol's listeners and servers.
type vgwServer struct {
	socket, tcp net.Listener
	clientCAs   *x509.CertPool
	servers     []*http.Server
	closeOnce   sync.Once
}

// listenVersitygw binds what the versitygw flags ask for, before anything is created.
func listenVersitygw(f *pflag.FlagSet) (*vgwServer, error) {
	sock, _ := f.GetString("versitygw-socket")
	addr, _ := f.GetString("versitygw-listen")
	caFile, _ := f.GetString("versitygw-client-ca")
	v := &vgwServer{}
	if (addr == "") != (caFile == "") {
		return nil, errors.New("--versitygw-listen and --versitygw-client-ca go together: the protocol is served over mutual TLS only")
	}
	if caFile != "" {
		b, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--versitygw-client-ca: %w", err)
		}
		v.clientCAs = x509.NewCertPool()
		if !v.clientCAs.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("--versitygw-client-ca: no PEM certificate in %s", caFile)
		}
	}
	if sock != "" {
		ln, err := vgw.ListenUnix(sock)
		if err != nil {
			return nil, fmt.Errorf("--versitygw-socket: %w", err)
		}
		v.socket = ln
	}
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			v.Close()
			return nil, fmt.Errorf("--versitygw-listen: %w", err)
		}
		v.tcp = ln
	}
	return v, nil
}

// Serve starts serving the protocol for the node's account (or --versitygw-account) on the
// bound listeners; cert is iamd's TLS certificate (nil without TLS).
func (v *vgwServer) Serve(ctx context.Context, f *pflag.FlagSet, n *node.Node, cert *tlsreload.Cert, logger *slog.Logger, out io.Writer) error {
	if v.socket == nil && v.tcp == nil {
		return nil
	}
	account, _ := f.GetString("versitygw-account")
	h, err := n.Versitygw(ctx, account, "iamd "+versionString(), logger)
	if err != nil {
		return err
	}
	if account == "" {
		account = n.Account
	}
	newServer := func() *http.Server {
		hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		v.servers = append(v.servers, hs)
		return hs
	}
	run := func(hs *http.Server, ln net.Listener) {
		go func() {
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("versitygw protocol server stopped", "err", err)
			}
		}()
	}
	if v.socket != nil {
		run(newServer(), v.socket)
		fmt.Fprintf(out, "versitygw private IAM protocol for account %s on unix socket %s\n", account, v.socket.Addr())
	}
	if v.tcp != nil {
		if cert == nil {
			return errors.New("--versitygw-listen needs iamd's TLS certificate: --tls-cert and --tls-key, or --tls-self-signed")
		}
		tc := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cert.GetCertificate,
			ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: v.clientCAs, NextProtos: []string{"http/1.1"}}
		run(newServer(), tls.NewListener(v.tcp, tc))
		fmt.Fprintf(out, "versitygw private IAM protocol for account %s on https://%s (mutual TLS)\n", account, v.tcp.Addr())
	}
	return nil
}

// Close stops the servers and removes the socket; it may be called more than once.
func (v *vgwServer) Close() {
	v.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, hs := range v.servers {
			hs.Shutdown(ctx)
		}
		if v.socket != nil {
			v.socket.Close()
		}
		if v.tcp != nil {
			v.tcp.Close()
		}
	})
}
