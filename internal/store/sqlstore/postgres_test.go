package sqlstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore/pgtest"
	"github.com/iamd/iamd/internal/store/storetest"
)

// TestMain stops the throwaway PostgreSQL cluster (started on first use) when the tests end.
func TestMain(m *testing.M) { pgtest.Main(m) }

func openPostgres(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), dsn, PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPostgresConformance(t *testing.T) {
	pgtest.DSN(t) // skips (or fails in CI) before the suite when there is no PostgreSQL
	storetest.Run(t, func(t *testing.T) store.Store { return openPostgres(t, pgtest.DSN(t)) })
}

func TestPostgresReopen(t *testing.T) {
	dsn := pgtest.DSN(t)
	storetest.RunReopen(t, func(t *testing.T, _ string) store.Store { return openPostgres(t, dsn) })
}

// Nodes starting together race to migrate one empty database: the advisory lock lets one apply
// the migrations and the others find them applied.
func TestPostgresConcurrentMigration(t *testing.T) {
	dsn := pgtest.DSN(t)
	const nodes = 6
	var wg sync.WaitGroup
	stores := make([]*Store, nodes)
	errs := make([]error, nodes)
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = OpenPostgres(context.Background(), dsn, PostgresOptions{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var applied int
	err := stores[0].writer.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&applied)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := migrations.ReadDir(migrationDir)
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(entries) {
		t.Errorf("schema_migrations has %d rows, want %d (one per migration)", applied, len(entries))
	}
}

// Two Stores on one database stand in for two nodes: 100 racing CreateAccessKey transactions
// leave exactly the quota, and none fails.
func TestPostgresTwoNodesQuota(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	a, b := openPostgres(t, dsn), openPostgres(t, dsn)
	defer a.Close()
	defer b.Close()
	const account = "123456789012"
	err := a.Write(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, iam.Account{ID: account}); err != nil {
			return err
		}
		return tx.CreateUser(ctx, iam.User{Account: account, UserID: iam.NewID(iam.PrefixUser), UserName: "u", Path: "/", Arn: iam.UserARN(account, "/", "u")})
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		s := []*Store{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Write(ctx, func(tx store.Tx) error {
				n, err := tx.CountAccessKeys(ctx, account, "u")
				if err != nil || n >= iam.MaxAccessKeysPerUser {
					return err
				}
				id, _ := iam.NewAccessKeyID(iam.PrefixAccessKey, account)
				return tx.CreateAccessKey(ctx, iam.AccessKey{Account: account, AccessKeyID: id, UserName: "u", Status: iam.StatusActive, SecretSealed: []byte{1}})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Write: %v", err)
		}
	}
	var n int
	if err := b.Read(ctx, func(tx store.Tx) (err error) { n, err = tx.CountAccessKeys(ctx, account, "u"); return }); err != nil {
		t.Fatal(err)
	}
	if n != iam.MaxAccessKeysPerUser {
		t.Errorf("%d keys after 100 racing writers on two stores, want %d", n, iam.MaxAccessKeysPerUser)
	}
}

// An unreachable server fails a call within the operation timeout instead of holding it.
func TestPostgresUnreachableFailsFast(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := OpenPostgres(context.Background(), dsn, PostgresOptions{OpTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Hold the generation row lock from a second connection: a Write now waits for it, like it
	// would for a database that stopped answering.
	hold, err := s.writer.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`SELECT v FROM meta WHERE k = 'generation' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = s.Write(context.Background(), func(tx store.Tx) error {
		return tx.CreateAccount(context.Background(), iam.Account{ID: "111111111111"})
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Write while locked out: error = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Write took %v, want about the 300ms timeout", d)
	}
}

func TestPostgresTranslate(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"integer is 64-bit", "v INTEGER NOT NULL", "v BIGINT NOT NULL"},
		{"blob", "secret BLOB NOT NULL", "secret BYTEA NOT NULL"},
		{"text compares bytewise", "id TEXT PRIMARY KEY", `id TEXT COLLATE "C" PRIMARY KEY`},
		{"whole words only", "CREATE TABLE texts (integers_seen INTEGER)", "CREATE TABLE texts (integers_seen BIGINT)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (postgresDialect{}).translate(tc.in); got != tc.want {
				t.Errorf("translate(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
