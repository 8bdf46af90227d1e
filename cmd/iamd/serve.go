package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamd/iamd/internal/leanhttp"
	"github.com/iamd/iamd/internal/node"
	"github.com/iamd/iamd/internal/orgs"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/tlsreload"
)

func newServe() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the IAM and STS APIs",
		Long: `Serve the IAM and STS APIs on one endpoint.

Settings: every flag, as IAMD_<FLAG> in the environment (e.g. IAMD_ADDR), and as a key of the
YAML file named by --config (IAMD_CONFIG), with the flag's name (addr: 127.0.0.1:8777). The
first of these that is set wins: flag, then environment, then file, then the default. Settings
without a flag, in the environment or the file: IAMD_ACCOUNT_ID / account-id,
IAMD_ROOT_ACCESS_KEY_ID / root-access-key-id, IAMD_ROOT_SECRET_ACCESS_KEY /
root-secret-access-key, IAMD_ROOT_PASSWORD / root-password, IAMD_MASTER_KEY / master-key,
IAMD_CPU_PROFILE / cpu-profile. A key the
file does not know is refused, as is a setting that cannot be right (an account id that is not
12 digits, a root key AWS would not issue); nothing is created before the listener is bound.

At first start the data directory is created with one account and its root user: the account id
and root key given are used, else generated, and a generated root key is printed once. If a
start created the key and did not print it, later starts say so; 'iamd account reset-root-key'
replaces it. IAMD_MASTER_KEY (base64 of 32 bytes) replaces the master key file.
IAMD_ROOT_PASSWORD gives the root user a console password at first start ('iamd account
set-root-password' sets it later).

The web console is served at /console on the same endpoint (--console=false turns it off):
sign-in as the root user or an IAM user (AWS's sign-in URL /console?account=ALIAS), pages that act
with the signed-in principal's temporary credentials. Its cookies are Secure under TLS, and
when --public-url is https (TLS terminated by a proxy).

--store postgres keeps the data in PostgreSQL (--postgres-dsn, e.g.
postgres://iamd:secret@db:5432/iamd?sslmode=require) instead of SQLite in the data directory.
Several nodes may serve one PostgreSQL database behind a load balancer; give them all the same
IAMD_MASTER_KEY.

TLS: --tls-cert and --tls-key (PEM) serve HTTPS (TLS 1.2 and later, HTTP/2 and HTTP/1.1). The
certificate is read again on SIGHUP and when its files change (checked every few seconds);
connections already open keep theirs. --tls-self-signed, for development, makes a certificate
for localhost, 127.0.0.1 and ::1 once in the data directory and prints its SHA-256 fingerprint;
clients trust it with --ca-file DATA/tls-self-signed.crt (iamd agent, iamd credentials) or
AWS_CA_BUNDLE (AWS SDKs and the aws CLI).

Unless GOGC or GOMEMLIMIT are set, the garbage collector runs with GOGC=400 and a soft limit of
1 GiB: iamd's live heap is small, and collecting less often saves server CPU per request.

IAMD_CPU_PROFILE=FILE writes a CPU profile (pprof format) of the whole run to FILE when the
server stops (SIGINT or SIGTERM): for profiling under load, and the source of the build's
profile-guided optimization (cmd/iamd/default.pgo, see docs/BENCHMARKS.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := resolveSettings(cmd)
			if err != nil {
				return err
			}
			return serve(cmd.Context(), cmd, s)
		},
	}
	f := cmd.Flags()
	f.String("config", "", "YAML file of settings, keys named as the flags (env IAMD_CONFIG)")
	f.String("addr", "127.0.0.1:8777", "listen address HOST:PORT")
	f.String("data", "./iamd-data", "data directory")
	f.String("store", node.StoreSQLite, "storage backend: sqlite (in the data directory) or postgres")
	f.String("postgres-dsn", "", "PostgreSQL connection string (URL or key=value), for --store postgres")
	f.String("public-url", "", "the https base URL relying parties reach this iamd under; outbound federation issuers are made below it (unset: https://iamd.invalid, which no one can reach)")
	f.String("tls-cert", "", "serve HTTPS with this PEM certificate (chain); reloaded on SIGHUP and when the file changes")
	f.String("tls-key", "", "the PEM private key of --tls-cert")
	f.Bool("tls-self-signed", false, "development: serve HTTPS with a self-signed certificate for localhost made once in the data directory")
	addLogFlags(f) // --log-format, --log-level (logging.go)
	f.Bool("audit", true, "keep the audit trail: every authenticated call as a CloudTrail event in DATA/trail and the store, for LookupEvents (costs CPU and disk per call: docs/BENCHMARKS.md)")
	f.Duration("audit-retention", 90*24*time.Hour, "how long audit events stay in the store for LookupEvents")
	f.Int("org-max-accounts", orgs.DefaultMaxAccounts, "the quota of accounts in an AWS Organizations organization (AWS's default; AWS raises it on request)")
	f.String("s3-backend", node.S3Local, "where S3 objects live: local (in DATA/s3), an S3 URL http(s)://host:port (credentials in IAMD_S3_BACKEND_ACCESS_KEY_ID and IAMD_S3_BACKEND_SECRET_ACCESS_KEY, region IAMD_S3_BACKEND_REGION), or off (no S3)")
	f.String("s3-domain", "", "base domain of virtual-hosted-style S3 requests (BUCKET.DOMAIN); path-style requests are always served")
	f.Bool("console", true, "serve the web console at /console")
	addVersitygwFlags(f) // --versitygw-socket, --versitygw-listen, --versitygw-client-ca, --versitygw-account (vgw.go)
	return cmd
}

// publicURLOf is the --public-url value without a trailing slash. Unset, issuers stay under
// iamsvc.DefaultIssuerBase: OpenID Connect issuers must be https URLs (AWS's are, and IAM's
// OIDC providers accept no other), which http://ADDR is not.
func publicURLOf(flag string) string { return strings.TrimRight(flag, "/") }

// startCPUProfile profiles the process into the file at path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu-profile (IAMD_CPU_PROFILE): %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu-profile (IAMD_CPU_PROFILE): %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// tuneGC sets the collector for a server whose live heap is small (tens of MB, as the scale
// runs in docs/BENCHMARKS.md show): with Go's default GOGC=100 it collects after every few MB
// of request garbage; 400 took about 12 % off the server CPU of an AssumeRole. The soft limit
// keeps an unusually large heap from growing fivefold. GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

func serve(ctx context.Context, cmd *cobra.Command, s *settings) error {
	tuneGC()
	// The access log writes a record per request: batched, it costs a copy instead of a write
	// system call each; Close (deferred, so also on errors) flushes what is left.
	logOut := server.NewLogWriter(cmd.ErrOrStderr(), server.DefaultFlushEvery)
	defer logOut.Close()
	logger, accessLog := serveLogger(cmd.Flags(), logOut)
	for _, w := range s.Warnings {
		logger.Warn(w)
	}
	if s.PublicURL != "" && !strings.HasPrefix(s.PublicURL, "https://") {
		logger.Warn("--public-url is not https: relying parties that follow OpenID Connect will refuse its issuers", "publicUrl", s.PublicURL)
	}
	// What can be checked without creating anything is checked first (the settings, the
	// certificate, the port), so that a refused start leaves no account whose key no one saw.
	var cert *tlsreload.Cert
	if s.TLSCert != "" {
		var err error
		if cert, err = tlsreload.Load(s.TLSCert, s.TLSKey); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	vg, err := listenVersitygw(cmd.Flags())
	if err != nil {
		return err
	}
	defer vg.Close()
	if s.CPUProfile != "" {
		stop, err := startCPUProfile(s.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	n, err := node.Open(ctx, node.Config{
		DataDir:                 s.Data,
		Store:                   s.Store,
		PostgresDSN:             s.PostgresDSN,
		MasterKey:               s.MasterKey,
		AccountID:               s.AccountID,
		RootAccessKeyID:         s.RootAccessKeyID,
		RootSecretAccessKey:     s.RootSecret,
		RootPassword:            s.RootPassword,
		NoConsole:               !mustBool(cmd, "console"),
		SecureCookies:           strings.HasPrefix(s.PublicURL, "https://"),
		PublicURL:               publicURLOf(s.PublicURL),
		Logger:                  logger,
		AccessLog:               accessLog,
		NoAudit:                 !mustBool(cmd, "audit"),
		AuditRetention:          mustDuration(cmd, "audit-retention"),
		MaxOrganizationAccounts: mustInt(cmd, "org-max-accounts"),
		S3Backend:               s.S3Backend,
		S3Domain:                s.S3Domain,
		S3BackendKeyID:          s.S3BackendKeyID,
		S3BackendSecret:         s.S3BackendSecret,
		S3BackendRegion:         s.S3Region,
	})
	if err != nil {
		return err
	}
	defer n.Close()
	out := cmd.OutOrStdout()
	switch {
	case n.Bootstrapped:
		fmt.Fprintf(out, "Created account %s.\n", n.Account)
		if s.RootAccessKeyID == "" {
			fmt.Fprintf(out, "Root user access key (shown once, keep it safe):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n",
				n.RootAccessKeyID, n.RootSecretAccessKey)
		}
		if err := n.RootKeyShown(); err != nil {
			logger.Warn("could not record that the root key was shown; later starts will say it was not", "err", err)
		}
	case n.RootKeyUnshown:
		logger.Warn("an earlier start created the root user's access key but did not print it: it is lost; stop iamd and run `iamd account reset-root-key` with the same data directory and master key to replace it", "account", n.Account)
	}
	if !n.Bootstrapped && (s.AccountID != "" || s.RootAccessKeyID != "") {
		logger.Warn("IAMD_ACCOUNT_ID and the IAMD_ROOT_* key are used at first start only; the installation exists, so they are ignored", "account", n.Account)
	}
	if !n.Bootstrapped && s.RootPassword != "" {
		logger.Warn("IAMD_ROOT_PASSWORD is used at first start only; the installation exists, so it is ignored: `iamd account set-root-password` sets the root user's console password", "account", n.Account)
	}
	if n.MasterKeyCreated {
		logger.Warn("generated a new master key; back it up: without it the stored secrets cannot be read", "path", filepath.Join(s.Data, "master.key"))
	}
	if s.TLSSelfSigned {
		certPath, keyPath, created, err := ensureSelfSigned(s.Data)
		if err != nil {
			return err
		}
		if cert, err = tlsreload.Load(certPath, keyPath); err != nil {
			return err
		}
		c, _ := cert.GetCertificate(nil)
		verb := "Using"
		if created {
			verb = "Created"
		}
		fmt.Fprintf(out, "%s self-signed certificate %s (development only)\n  SHA-256 fingerprint %s\n", verb, certPath, fingerprint(c.Certificate[0]))
	}
	hs := &http.Server{
		Handler:           n,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	var serveFn func() error
	var shutdown func(context.Context) error
	if cert != nil {
		// Over TLS net/http serves every connection: it sets r.TLS (aws:SecureTransport) and
		// speaks HTTP/2, neither of which leanhttp's HTTP/1.1 fast path does.
		scheme = "https"
		hs.TLSConfig = serverTLSConfig(cert.GetCertificate)
		serveFn = func() error { return hs.ServeTLS(ln, "", "") }
		shutdown = hs.Shutdown
		go watchCert(ctx, cert, logger)
	} else {
		// leanhttp serves the requests SDKs send on its lean path and hands anything else to
		// this net/http server, whose settings (timeouts, error log) apply to both.
		srv := leanhttp.New(hs)
		srv.Lean = node.LeanTarget
		serveFn = func() error { return srv.Serve(ln) }
		shutdown = srv.Shutdown
	}
	if err := vg.Serve(ctx, cmd.Flags(), n, cert, logger, out); err != nil {
		return err
	}
	defer vg.Close() // before the node closes
	fmt.Fprintf(out, "iamd %s serving account %s on %s://%s\n", versionString(), n.Account, scheme, ln.Addr())
	if mustBool(cmd, "console") {
		fmt.Fprintf(out, "Web console at %s://%s/console\n", scheme, ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- serveFn() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// certPollInterval is how often the certificate files are looked at for a change.
var certPollInterval = 5 * time.Second

// watchCert reloads the certificate on SIGHUP and when its files change, until ctx ends.
func watchCert(ctx context.Context, cert *tlsreload.Cert, logger *slog.Logger) {
	report := func(err error) {
		if err != nil {
			logger.Error("TLS certificate not reloaded; serving the previous one", "err", err)
			return
		}
		logger.Info("TLS certificate reloaded")
	}
	go cert.Watch(ctx, certPollInterval, report)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-hup:
			report(cert.Reload())
		case <-ctx.Done():
			return
		}
	}
}

// mustBool and mustDuration read flags serve defines (resolveSettings has applied the
// environment and the config file to them).
func mustBool(cmd *cobra.Command, name string) bool {
	v, _ := cmd.Flags().GetBool(name)
	return v
}

func mustInt(cmd *cobra.Command, name string) int {
	v, _ := cmd.Flags().GetInt(name)
	return v
}

func mustDuration(cmd *cobra.Command, name string) time.Duration {
	v, _ := cmd.Flags().GetDuration(name)
	return v
}
