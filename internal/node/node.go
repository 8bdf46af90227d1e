// Package node assembles a running iamd from plain configuration: the data directory, the master
// key, the store, the seal keyring, the account and its root user (bootstrapped on first start),
// the authenticator, the authorizer, the IAM and STS services and the HTTP handler. `iamd serve`
// and the in-process test harness both start iamd through it, so tests run what users run.
package node

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/console"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamsvc"
	"github.com/iamd/iamd/internal/instance"
	"github.com/iamd/iamd/internal/jwtissuer"
	"github.com/iamd/iamd/internal/metrics"
	"github.com/iamd/iamd/internal/orgs"
	"github.com/iamd/iamd/internal/s3/bucket"
	"github.com/iamd/iamd/internal/s3/local"
	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/s3/upstream"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
	"github.com/iamd/iamd/internal/sts"
	"github.com/iamd/iamd/internal/trail"
)

// Store kinds for Config.Store.
const (
	StoreSQLite   = "sqlite"
	StorePostgres = "postgres"
)

// Config is a node's configuration.
type Config struct {
	// DataDir holds the SQLite database and, unless MasterKey is given, the master key file.
	DataDir string
	// MaxOrganizationAccounts is the quota of accounts in an AWS Organizations organization; 0
	// means AWS's default (orgs.DefaultMaxAccounts).
	MaxOrganizationAccounts int
	// AuditRetention is how long audit events stay queryable; 0 means 90 days, as CloudTrail's
	// event history.
	AuditRetention time.Duration
	// NoAudit turns the audit trail off: no events, and LookupEvents is not answered. The trail
	// costs CPU and disk per call (docs/BENCHMARKS.md).
	NoAudit bool
	// Store is StoreSQLite ("" too: the embedded default) or StorePostgres. Several nodes may
	// share one PostgreSQL database; they must then share the master key as well.
	Store string
	// PostgresDSN names the database when Store is StorePostgres.
	PostgresDSN string
	// MasterKey is the base64 master key; "" means DataDir/master.key (created on first start).
	MasterKey string
	// AccountID, RootAccessKeyID and RootSecretAccessKey are used at first start only; empty
	// values are generated.
	AccountID           string
	RootAccessKeyID     string
	RootSecretAccessKey string
	// PublicURL is the base URL relying parties reach this iamd under; outbound web identity
	// federation issuers are made below it. "" means iamsvc.DefaultIssuerBase, which no one
	// can reach.
	PublicURL string
	Logger    *slog.Logger
	// AccessLog, when set, receives one line per API request in slog's text format (written
	// without slog, which costs more than the request); nil logs requests through Logger.
	AccessLog io.Writer
	Now       func() time.Time
	// S3Backend is where S3 objects live: S3Local ("" too: DataDir/s3), S3Off (no S3), or the
	// URL of an S3-compatible server, reached with S3BackendKeyID and S3BackendSecret in
	// S3BackendRegion (us-east-1 when empty).
	S3Backend                                        string
	S3BackendKeyID, S3BackendSecret, S3BackendRegion string
	// S3Domain is the base domain of virtual-hosted-style S3 requests; "" serves path-style only.
	S3Domain string
	// RootPassword, used at first start only, is the root user's console password; "" leaves
	// the root user without one (`iamd account set-root-password` gives it one later).
	RootPassword string
	// NoConsole turns the web console (/console) off; SecureCookies marks its cookies Secure
	// even without TLS on the connection (TLS terminated by a proxy).
	NoConsole     bool
	SecureCookies bool
}

// S3 backends other than a URL.
const (
	S3Local = "local"
	S3Off   = "off"
)

// LeanTarget says which request targets leanhttp's fast path may serve: IAM's, STS's and iamd's
// own (small answers), never S3's objects, whose answers stream.
func LeanTarget(target string) bool {
	return target == "/" || strings.HasPrefix(target, "/iamd/")
}

// Node is an assembled iamd.
type Node struct {
	Handler *server.Server
	Store   store.Store
	Account string
	// Bootstrapped is true when this start created the account; RootAccessKeyID and
	// RootSecretAccessKey are then the root user's key (shown once, never stored in plaintext).
	Bootstrapped        bool
	RootAccessKeyID     string
	RootSecretAccessKey string
	// MasterKeyCreated is true when this start generated the master key file.
	MasterKeyCreated bool
	// RootKeyUnshown is true when an earlier start created the root user's generated key and
	// never reported it shown (RootKeyShown): it is lost, and `iamd account reset-root-key`
	// replaces it.
	RootKeyUnshown bool

	dataDir string

	keyring *seal.Keyring
	now     func() time.Time
	access  *iamsvc.AccessTracker
	trail   *trail.Trail
	s3local *local.Backend // the local S3 backend, closed with the node
	authn   *authn.Authenticator
	authz   *authz.Authorizer // the versitygw protocol's (vgw.go) as well as the server's
	iam     *iamsvc.Service
	console *console.Console // nil when off

	closing  sync.Once
	closeErr error
}

// Open starts a node: it creates the data directory, loads the master key (or makes a new one
// on first start), opens the store, loads the keyring and bootstraps the account on first start.
//
// It never starts a new installation over the remains of an old one: a data directory with a
// database but no master key, or a master key but no database, is refused, as is a database
// that is empty or damaged. A first start that fails leaves no master key and no database
// behind, so the next start is a first start again.
func Open(ctx context.Context, cfg Config) (_ *Node, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RootPassword != "" {
		if msg := iamsvc.CheckRootPassword(cfg.RootPassword); msg != "" {
			return nil, fmt.Errorf("root password (IAMD_ROOT_PASSWORD): %s", msg)
		}
	}
	// A start that fails leaves no trace: a data directory it made is removed again (when
	// empty, which it is once the files below are cleaned up).
	if !exists(cfg.DataDir) {
		defer func() {
			if err != nil {
				os.Remove(cfg.DataDir)
			}
		}()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	n := &Node{dataDir: cfg.DataDir}
	keyPath := filepath.Join(cfg.DataDir, "master.key")
	dbPath := filepath.Join(cfg.DataDir, "iamd.db")
	sqlite := cfg.Store == "" || cfg.Store == StoreSQLite
	var master [32]byte
	// newKey is the key generated by this start; it is put in place only once the start has
	// succeeded, and is discarded otherwise.
	var newKey *seal.PendingMasterKey
	if cfg.MasterKey != "" {
		if master, err = seal.ParseMasterKey(cfg.MasterKey); err != nil {
			return nil, fmt.Errorf("master key (IAMD_MASTER_KEY): %w", err)
		}
	} else {
		master, err = seal.LoadMasterKey(keyPath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if sqlite && exists(dbPath) {
				return nil, missingKey(keyPath)
			}
			if newKey, err = seal.NewMasterKeyFile(keyPath); err != nil {
				return nil, fmt.Errorf("master key: %w", err)
			}
			master = newKey.Key
			defer func() {
				if err != nil {
					newKey.Discard()
				}
			}()
		case err != nil:
			return nil, fmt.Errorf("master key: %w", err)
		case sqlite && !exists(dbPath):
			return nil, fmt.Errorf("data directory %s has a master key but no database (%s): refusing to start a new installation over it; restore the database from a backup, or remove %s to start anew", cfg.DataDir, dbPath, keyPath)
		}
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	n.Store = db
	defer func() {
		if err != nil {
			db.Close()
			if db.Created() {
				// What this start made holds nothing anyone has seen (the root key was not shown).
				for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
					os.Remove(p)
				}
			}
		}
	}()
	if db.Exclusive() {
		cfg.Logger.Warn("no space left for the database: serving reads only; writes fail with ServiceUnavailable until space is freed, and other processes cannot open the database until iamd stops", "path", dbPath)
	}
	// The node's registry (/metrics). The services reach the store through its timing
	// decorator; n.Store stays the backend itself, for callers that need its own methods.
	met := metrics.New()
	st := met.Store(db)
	kr, err := loadKeyring(ctx, st, master, cfg.Now)
	if err != nil {
		if newKey != nil && errors.Is(err, errKeyMismatch) {
			// The database was made with a master key this start did not find.
			return nil, missingKey(keyPath)
		}
		return nil, err
	}
	n.keyring, n.now = kr, cfg.Now
	// The unshown marker is written before the account's transaction commits, so a start that
	// dies between the commit and the printing of the key still leaves word of it.
	marker := filepath.Join(cfg.DataDir, rootKeyUnshownFile)
	hadMarker := exists(marker)
	if cfg.RootAccessKeyID == "" && !hadMarker {
		if err := os.WriteFile(marker, nil, 0o600); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		defer func() {
			if err != nil || !n.Bootstrapped {
				os.Remove(marker)
			}
		}()
	}
	if err := n.bootstrap(ctx, cfg, kr); err != nil {
		return nil, err
	}
	n.RootKeyUnshown = hadMarker && !n.Bootstrapped
	an := authn.New(authn.Config{Store: st, Keyring: kr, Now: cfg.Now, Logger: cfg.Logger})
	msgAD := []byte("authz message")
	access := iamsvc.NewAccessTracker(st, cfg.Now, cfg.Logger)
	n.access = access
	organizations := orgs.New(orgs.Config{Store: st, Now: cfg.Now, MaxAccounts: cfg.MaxOrganizationAccounts})
	az := authz.New(authz.Config{Store: st, Now: cfg.Now, Logger: cfg.Logger, Observe: access.Note,
		Organization: organizations.Membership,
		Seal:         func(b []byte) []byte { return kr.Seal(b, msgAD) },
		Open:         func(b []byte) ([]byte, error) { return kr.Open(b, msgAD) },
	})
	n.authn, n.authz = an, az
	iamService := iamsvc.New(iamsvc.Config{Store: st, Keyring: kr, Authz: az, Now: cfg.Now, Access: access, IssuerBase: cfg.PublicURL,
		SetRootAccess: organizations.SetRootAccess})
	// AWS managed policies exist in every account from the start; seeding is idempotent.
	if err := iamService.SeedAWSManagedPolicies(ctx); err != nil {
		return nil, fmt.Errorf("seeding AWS managed policies: %w", err)
	}
	n.iam = iamService
	if n.Bootstrapped && cfg.RootPassword != "" {
		if err := iamService.SetRootPassword(ctx, n.Account, cfg.RootPassword); err != nil {
			return nil, fmt.Errorf("root password: %w", err)
		}
	}
	stsService := sts.New(sts.Config{Store: st, Keyring: kr, Authz: az, Now: cfg.Now, CheckMFA: iamService.CheckMFA})
	outbound := sts.NewOutbound(stsService, sts.OutboundConfig{
		Tokens: jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr, Now: cfg.Now}),
		Issuer: iamService.OutboundIssuer,
	})
	// The audit trail: JSON lines in DATA/trail, which LookupEvents reads on a single SQLite
	// node; several nodes on PostgreSQL keep the events in the database too, so that a lookup
	// on any node sees them all.
	var audit server.Auditor
	var lookup server.CloudTrail
	if !cfg.NoAudit {
		var events store.Store
		if cfg.Store == StorePostgres {
			events = st
		}
		tr, err := trail.New(trail.Config{Store: events, Dir: filepath.Join(cfg.DataDir, "trail"), Retention: cfg.AuditRetention,
			Now: cfg.Now, Logger: cfg.Logger})
		if err != nil {
			return nil, err
		}
		n.trail, audit, lookup = tr, tr, tr
		met.AuditDropped(tr.Dropped)
	}
	s3, err := n.openS3(cfg, st, db.Exclusive())
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && n.s3local != nil {
			n.s3local.Close()
		}
	}()
	n.Handler = server.New(server.Config{
		S3:            s3,
		Authn:         an,
		Authz:         az,
		IAM:           iamService,
		STS:           outbound,
		Issuers:       outbound,
		Instances:     instance.New(instance.Config{Store: st, STS: stsService, Logger: cfg.Logger, Now: cfg.Now}),
		Logger:        cfg.Logger,
		AccessLog:     cfg.AccessLog,
		Metrics:       met,
		Audit:         audit,
		CloudTrail:    lookup,
		Now:           cfg.Now,
		Organizations: organizations,
		Ready: func(ctx context.Context) error {
			_, err := st.Generation(ctx)
			return err
		},
	})
	if !cfg.NoConsole {
		// The console's calls are explained: a denial names the statement that decided it.
		api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Handler.ServeHTTP(w, r.WithContext(server.WithExplain(r.Context())))
		})
		consoleAD := []byte("iamd console")
		n.console, err = console.New(console.Config{Authority: consoleAuthority{iam: iamService, sts: stsService, authn: an},
			API: api, SecureCookies: cfg.SecureCookies, PublicURL: cfg.PublicURL, Logger: cfg.Logger, Now: cfg.Now,
			Seal: func(b []byte) []byte { return kr.Seal(b, consoleAD) },
			Open: func(b []byte) ([]byte, error) { return kr.Open(b, consoleAD) }})
		if err != nil {
			return nil, err
		}
	}
	if newKey != nil {
		if err := newKey.Commit(); err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
		n.MasterKeyCreated = true
	}
	return n, nil
}

// rootKeyUnshownFile marks a data directory whose root key was generated and not yet shown.
const rootKeyUnshownFile = "root-key-unshown"

// RootKeyShown records that the key of a bootstrapping start (or of ResetRootKey) reached its
// reader; until then a later start says the key is lost.
func (n *Node) RootKeyShown() error {
	if err := os.Remove(filepath.Join(n.dataDir, rootKeyUnshownFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// ResetRootKey replaces every access key of the account's root user ("" = the installation's
// first account) with one new key, in one transaction, and returns it. It is the recovery for a
// root key that was lost or never shown; requests signed with the old keys fail from then on,
// on every node (the write moves the store's generation).
func (n *Node) ResetRootKey(ctx context.Context, account string) (acct, keyID, secret string, err error) {
	if account == "" {
		account = n.Account
	}
	err = n.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.Account(ctx, account); err != nil {
			return fmt.Errorf("account %s: %w", account, err)
		}
		keys, err := tx.AccessKeys(ctx, account, "")
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.DeleteAccessKey(ctx, account, k.AccessKeyID); err != nil {
				return err
			}
		}
		if keyID, err = iam.NewAccessKeyID("AKIA", account); err != nil {
			return err
		}
		secret = iam.NewSecretAccessKey()
		return tx.CreateAccessKey(ctx, iam.AccessKey{
			Account: account, AccessKeyID: keyID, Status: iam.StatusActive, CreateDate: n.now().UTC(),
			SecretSealed: n.keyring.Seal([]byte(secret), authn.SecretAD(keyID)),
		})
	})
	if err != nil {
		return "", "", "", err
	}
	return account, keyID, secret, nil
}

// exists reports whether there is a file at path (a file that cannot be looked at counts as
// one: it is not evidence of a first start).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// missingKey is the error for data sealed under a master key that is not there.
func missingKey(keyPath string) error {
	return fmt.Errorf("master key: %s is missing and IAMD_MASTER_KEY is not set, but the data directory holds data sealed under a master key; restore the key file (mode 0600) or set IAMD_MASTER_KEY to the key: refusing to start", keyPath)
}

// errKeyMismatch: a stored data key does not unwrap with the master key.
var errKeyMismatch = errors.New("does not unwrap with this master key")

// openStore opens the configured backend.
func openStore(ctx context.Context, cfg Config) (*sqlstore.Store, error) {
	switch cfg.Store {
	case "", StoreSQLite:
		return sqlstore.OpenSQLite(ctx, filepath.Join(cfg.DataDir, "iamd.db"))
	case StorePostgres:
		if cfg.PostgresDSN == "" {
			return nil, errors.New("the postgres store needs a DSN (--postgres-dsn or IAMD_POSTGRES_DSN)")
		}
		return sqlstore.OpenPostgres(ctx, cfg.PostgresDSN, sqlstore.PostgresOptions{})
	}
	return nil, fmt.Errorf("unknown store %q (want %s or %s)", cfg.Store, StoreSQLite, StorePostgres)
}

// Close releases the store.
func (n *Node) Close() error {
	// Once: a test's cleanup may close a node its test already closed.
	n.closing.Do(func() { n.closeErr = n.close() })
	return n.closeErr
}

func (n *Node) close() error {
	if n.s3local != nil {
		if err := n.s3local.Close(); err != nil {
			n.Store.Close()
			return err
		}
	}
	// Audit events queued are written before the store closes.
	if n.trail != nil {
		if err := n.trail.Close(); err != nil {
			n.Store.Close()
			return err
		}
	}
	// Attempts noted for the access advisor since the last write are kept, not lost.
	if err := n.access.Flush(context.Background()); err != nil {
		n.Store.Close()
		return err
	}
	return n.Store.Close()
}

// ServeHTTP makes a Node an http.Handler: the console's pages (unsigned requests under
// /console), else the API.
func (n *Node) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if n.console != nil && console.Match(r) {
		n.console.ServeHTTP(w, r)
		return
	}
	n.Handler.ServeHTTP(w, r)
}

// SetRootPassword gives an account's root user ("" = the installation's first account) a
// console password, replacing any.
func (n *Node) SetRootPassword(ctx context.Context, account, password string) error {
	if account == "" {
		account = n.Account
	}
	return n.iam.SetRootPassword(ctx, account, password)
}

// loadKeyring unwraps the stored data keys, creating the first one on a new store. The newest
// key seals; the others still open what they sealed.
func loadKeyring(ctx context.Context, st store.Store, master [32]byte, now func() time.Time) (*seal.Keyring, error) {
	var keys []store.SealKey
	err := st.Write(ctx, func(tx store.Tx) error {
		var err error
		keys, err = tx.SealKeys(ctx)
		if err != nil || len(keys) > 0 {
			return err
		}
		k, err := seal.GenerateKey(1)
		if err != nil {
			return err
		}
		sk := store.SealKey{ID: k.ID, Wrapped: seal.Wrap(master, k), CreateDate: now().UTC()}
		if err := tx.AddSealKey(ctx, sk); err != nil {
			return err
		}
		keys = []store.SealKey{sk}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	var active seal.Key
	var previous []seal.Key
	for _, sk := range keys {
		k, err := seal.Unwrap(master, sk.Wrapped)
		if err != nil {
			return nil, fmt.Errorf("keyring: key %d %w (nodes sharing a database need the same master key): %w", sk.ID, errKeyMismatch, err)
		}
		if k.ID >= active.ID {
			if active.ID != 0 {
				previous = append(previous, active)
			}
			active = k
		} else {
			previous = append(previous, k)
		}
	}
	return seal.NewKeyring(active, previous...)
}

// bootstrap creates the account and its root key on first start.
func (n *Node) bootstrap(ctx context.Context, cfg Config, kr *seal.Keyring) error {
	account := cfg.AccountID
	if account != "" && !iam.IsAccountID(account) {
		return fmt.Errorf("account id %q is not 12 digits", account)
	}
	if (cfg.RootAccessKeyID == "") != (cfg.RootSecretAccessKey == "") {
		return errors.New("give both the root access key id and its secret, or neither")
	}
	return n.Store.Write(ctx, func(tx store.Tx) error {
		n.Bootstrapped = false
		accounts, err := tx.Accounts(ctx)
		if err != nil {
			return err
		}
		if len(accounts) > 0 {
			// The installation's first account is the one it was bootstrapped with.
			first := accounts[0]
			for _, a := range accounts[1:] {
				if a.CreateDate.Before(first.CreateDate) {
					first = a
				}
			}
			n.Account = first.ID
			return nil
		}
		acct := account
		if acct == "" {
			acct = randomAccountID()
		}
		keyID, secret, err := createAccount(ctx, tx, kr, cfg.Now().UTC(), acct, cfg.RootAccessKeyID, cfg.RootSecretAccessKey)
		if err != nil {
			return err
		}
		n.Account, n.Bootstrapped = acct, true
		n.RootAccessKeyID, n.RootSecretAccessKey = keyID, secret
		return nil
	})
}

// createAccount stores an account and its root user's access key (generated when keyID is "").
func createAccount(ctx context.Context, tx store.Tx, kr *seal.Keyring, now time.Time, acct, keyID, secret string) (string, string, error) {
	if keyID == "" {
		var err error
		if keyID, err = iam.NewAccessKeyID("AKIA", acct); err != nil {
			return "", "", err
		}
		secret = iam.NewSecretAccessKey()
	}
	if err := tx.CreateAccount(ctx, iam.Account{ID: acct, CreateDate: now}); err != nil {
		return "", "", err
	}
	err := tx.CreateAccessKey(ctx, iam.AccessKey{
		Account: acct, AccessKeyID: keyID, Status: iam.StatusActive, CreateDate: now,
		SecretSealed: kr.Seal([]byte(secret), authn.SecretAD(keyID)),
	})
	if err != nil {
		return "", "", err
	}
	return keyID, secret, nil
}

// ErrAccountExists is returned by CreateAccount for an account id already hosted.
var ErrAccountExists = errors.New("the account already exists")

// CreateAccount adds another account to the installation, with its root user's access key
// (generated when keyID is ""; id generated when ""). Accounts hosted by one iamd are separate as
// AWS accounts are: cross-account access needs both sides' policies to allow it.
func (n *Node) CreateAccount(ctx context.Context, id, keyID, secret string) (account, rootKeyID, rootSecret string, err error) {
	if id != "" && !iam.IsAccountID(id) {
		return "", "", "", fmt.Errorf("account id %q is not 12 digits", id)
	}
	if (keyID == "") != (secret == "") {
		return "", "", "", errors.New("give both the root access key id and its secret, or neither")
	}
	err = n.Store.Write(ctx, func(tx store.Tx) error {
		account = id
		if account == "" {
			account = randomAccountID()
		}
		if _, err := tx.Account(ctx, account); err == nil {
			return ErrAccountExists
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var err error
		rootKeyID, rootSecret, err = createAccount(ctx, tx, n.keyring, n.now().UTC(), account, keyID, secret)
		return err
	})
	if err != nil {
		return "", "", "", err
	}
	return account, rootKeyID, rootSecret, nil
}

// randomAccountID returns 12 random digits, not starting with 0.
func randomAccountID() string {
	v, err := rand.Int(rand.Reader, big.NewInt(9e11))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprint(v.Int64() + 1e11)
}

// openS3 assembles the S3 data plane: the bucket registry in the store and the object backend
// the configuration names; nil when S3 is off.
//
// On a full disk (readOnly: the store serves reads only) a local backend that cannot open
// answers 503 until a restart with space, rather than keep IAM and STS from serving.
func (n *Node) openS3(cfg Config, st store.Store, readOnly bool) (*server.S3, error) {
	var backend http.Handler
	switch cfg.S3Backend {
	case S3Off:
		return nil, nil
	case S3Local, "":
		lb, err := local.Open(filepath.Join(cfg.DataDir, "s3"), local.Options{Logger: cfg.Logger, Now: cfg.Now})
		switch {
		case err != nil && readOnly:
			cfg.Logger.Warn("no space left for the S3 backend: S3 answers ServiceUnavailable until iamd restarts with space", "err", err)
			backend = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s3err.Write(w, r, s3err.ServiceUnavailable(), w.Header().Get("X-Amz-Request-Id"), w.Header().Get("X-Amz-Id-2"))
			})
		case err != nil:
			return nil, fmt.Errorf("s3 local backend: %w", err)
		default:
			n.s3local, backend = lb, lb
		}
	default:
		ub, err := upstream.New(upstream.Config{URL: cfg.S3Backend, AccessKeyID: cfg.S3BackendKeyID,
			SecretAccessKey: cfg.S3BackendSecret, Region: cfg.S3BackendRegion})
		if err != nil {
			return nil, fmt.Errorf("s3 backend %s: %w", cfg.S3Backend, err)
		}
		backend = ub
	}
	reg := bucket.New(bucket.Config{Store: st, Backend: backend, Now: cfg.Now})
	return &server.S3{Domain: cfg.S3Domain, Buckets: reg, Backend: backend}, nil
}
