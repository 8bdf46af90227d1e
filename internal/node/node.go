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
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamsvc"
	"github.com/iamd/iamd/internal/instance"
	"github.com/iamd/iamd/internal/jwtissuer"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
	"github.com/iamd/iamd/internal/sts"
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

	keyring *seal.Keyring
	now     func() time.Time
	access  *iamsvc.AccessTracker
}

// Open starts a node: it creates the data directory, loads or creates the master key, opens the
// store, loads the keyring and bootstraps the account on first start.
func Open(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	n := &Node{}
	var master [32]byte
	var err error
	if cfg.MasterKey != "" {
		master, err = seal.ParseMasterKey(cfg.MasterKey)
	} else {
		master, n.MasterKeyCreated, err = seal.LoadOrCreateMasterKey(filepath.Join(cfg.DataDir, "master.key"))
	}
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	n.Store = st
	kr, err := loadKeyring(ctx, st, master, cfg.Now)
	if err != nil {
		st.Close()
		return nil, err
	}
	n.keyring, n.now = kr, cfg.Now
	if err := n.bootstrap(ctx, cfg, kr); err != nil {
		st.Close()
		return nil, err
	}
	an := authn.New(authn.Config{Store: st, Keyring: kr, Now: cfg.Now, Logger: cfg.Logger})
	msgAD := []byte("authz message")
	access := iamsvc.NewAccessTracker(st, cfg.Now, cfg.Logger)
	n.access = access
	az := authz.New(authz.Config{Store: st, Now: cfg.Now, Logger: cfg.Logger, Observe: access.Note,
		Seal: func(b []byte) []byte { return kr.Seal(b, msgAD) },
		Open: func(b []byte) ([]byte, error) { return kr.Open(b, msgAD) },
	})
	iamService := iamsvc.New(iamsvc.Config{Store: st, Keyring: kr, Authz: az, Now: cfg.Now, Access: access, IssuerBase: cfg.PublicURL})
	// AWS managed policies exist in every account from the start; seeding is idempotent.
	if err := iamService.SeedAWSManagedPolicies(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("seeding AWS managed policies: %w", err)
	}
	stsService := sts.New(sts.Config{Store: st, Keyring: kr, Authz: az, Now: cfg.Now, CheckMFA: iamService.CheckMFA})
	outbound := sts.NewOutbound(stsService, sts.OutboundConfig{
		Tokens: jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr, Now: cfg.Now}),
		Issuer: iamService.OutboundIssuer,
	})
	n.Handler = server.New(server.Config{
		Authn:     an,
		Authz:     az,
		IAM:       iamService,
		STS:       outbound,
		Issuers:   outbound,
		Iamd:      instance.New(instance.Config{Store: st, STS: stsService, Logger: cfg.Logger, Now: cfg.Now}),
		Logger:    cfg.Logger,
		AccessLog: cfg.AccessLog,
		Now:       cfg.Now,
		Ready: func(ctx context.Context) error {
			_, err := st.Generation(ctx)
			return err
		},
	})
	return n, nil
}

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
	// Attempts noted for the access advisor since the last write are kept, not lost.
	if err := n.access.Flush(context.Background()); err != nil {
		n.Store.Close()
		return err
	}
	return n.Store.Close()
}

// ServeHTTP makes a Node an http.Handler.
func (n *Node) ServeHTTP(w http.ResponseWriter, r *http.Request) { n.Handler.ServeHTTP(w, r) }

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
			return nil, fmt.Errorf("keyring: key %d does not unwrap with this master key (nodes sharing a database need the same master key): %w", sk.ID, err)
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
