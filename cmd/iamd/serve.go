package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamd/iamd/internal/leanhttp"
	"github.com/iamd/iamd/internal/node"
	"github.com/iamd/iamd/internal/server"
)

func newServe() *cobra.Command {
	var addr, data, storeKind, pgDSN, publicURL string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the IAM and STS APIs",
		Long: `Serve the IAM and STS APIs on one endpoint.

Every flag can also be set as IAMD_<FLAG> (e.g. IAMD_ADDR). At first start the data directory is
created with one account and its root user: IAMD_ACCOUNT_ID (12 digits) and
IAMD_ROOT_ACCESS_KEY_ID + IAMD_ROOT_SECRET_ACCESS_KEY are used when set, else generated and the
root key is printed once. IAMD_MASTER_KEY (base64 of 32 bytes) replaces the master key file.

--store postgres keeps the data in PostgreSQL (--postgres-dsn, e.g.
postgres://iamd:secret@db:5432/iamd?sslmode=require) instead of SQLite in the data directory.
Several nodes may serve one PostgreSQL database behind a load balancer; give them all the same
IAMD_MASTER_KEY.

Unless GOGC or GOMEMLIMIT are set, the garbage collector runs with GOGC=400 and a soft limit of
1 GiB: iamd's live heap is small, and collecting less often saves server CPU per request.

IAMD_CPU_PROFILE=FILE writes a CPU profile (pprof format) of the whole run to FILE when the
server stops (SIGINT or SIGTERM): for profiling under load, and the source of the build's
profile-guided optimization (cmd/iamd/default.pgo, see docs/BENCHMARKS.md).`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return envDefault(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), cmd, addr, data, storeKind, pgDSN, publicURLOf(publicURL))
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8777", "listen address HOST:PORT")
	cmd.Flags().StringVar(&data, "data", "./iamd-data", "data directory")
	cmd.Flags().StringVar(&storeKind, "store", node.StoreSQLite, "storage backend: sqlite (in the data directory) or postgres")
	cmd.Flags().StringVar(&pgDSN, "postgres-dsn", "", "PostgreSQL connection string (URL or key=value), for --store postgres")
	cmd.Flags().StringVar(&publicURL, "public-url", "", "the https base URL relying parties reach this iamd under; outbound federation issuers are made below it (unset: https://iamd.invalid, which no one can reach)")
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
		return nil, fmt.Errorf("IAMD_CPU_PROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("IAMD_CPU_PROFILE: %w", err)
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

func serve(ctx context.Context, cmd *cobra.Command, addr, data, storeKind, pgDSN, publicURL string) error {
	tuneGC()
	if path := os.Getenv("IAMD_CPU_PROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	// The access log writes a record per request: batched, it costs a copy instead of a write
	// system call each; Close (deferred, so also on errors) flushes what is left.
	logOut := server.NewLogWriter(cmd.ErrOrStderr(), server.DefaultFlushEvery)
	defer logOut.Close()
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	n, err := node.Open(ctx, node.Config{
		DataDir:             data,
		Store:               storeKind,
		PostgresDSN:         pgDSN,
		MasterKey:           os.Getenv("IAMD_MASTER_KEY"),
		AccountID:           os.Getenv("IAMD_ACCOUNT_ID"),
		RootAccessKeyID:     os.Getenv("IAMD_ROOT_ACCESS_KEY_ID"),
		RootSecretAccessKey: os.Getenv("IAMD_ROOT_SECRET_ACCESS_KEY"),
		PublicURL:           publicURL,
		Logger:              logger,
		AccessLog:           logOut,
	})
	if err != nil {
		return err
	}
	defer n.Close()
	if publicURL != "" && !strings.HasPrefix(publicURL, "https://") {
		logger.Warn("--public-url is not https: relying parties that follow OpenID Connect will refuse its issuers", "publicUrl", publicURL)
	}
	if n.MasterKeyCreated {
		logger.Warn("generated a new master key; back it up: without it the stored secrets cannot be read", "path", data+"/master.key")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if n.Bootstrapped {
		fmt.Fprintf(out, "Created account %s.\n", n.Account)
		if os.Getenv("IAMD_ROOT_ACCESS_KEY_ID") == "" {
			fmt.Fprintf(out, "Root user access key (shown once, keep it safe):\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n",
				n.RootAccessKeyID, n.RootSecretAccessKey)
		}
	}
	fmt.Fprintf(out, "iamd %s serving account %s on http://%s\n", version, n.Account, ln.Addr())
	// leanhttp serves the requests SDKs send on its lean path and hands anything else to this
	// net/http server, whose settings (timeouts, error log) apply to both.
	srv := leanhttp.New(&http.Server{
		Handler:           n,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
