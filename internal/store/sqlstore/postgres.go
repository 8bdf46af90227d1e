package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/iamd/iamd/internal/store"
)

// PostgresOptions tunes OpenPostgres. The zero value is usable.
type PostgresOptions struct {
	// OpTimeout bounds each Read, Write and Generation call, connecting included, so that an
	// unreachable database fails requests quickly instead of holding them. 0 means 5 s.
	OpTimeout time.Duration
	// MaxConns caps each of the two connection pools (writers, readers). 0 means 8.
	MaxConns int
}

// OpenPostgres connects to the PostgreSQL database named by dsn (a URL such as
// postgres://user:pass@host:5432/db?sslmode=disable, or key=value pairs) and brings its schema up
// to date. Many iamd nodes may open the same database at once: migrations run under an advisory
// lock, and every Write takes the one generation row lock first, so writes from all nodes are
// serialized as SQLite's are within one file.
func OpenPostgres(ctx context.Context, dsn string, opt PostgresOptions) (*Store, error) {
	if opt.OpTimeout <= 0 {
		opt.OpTimeout = 5 * time.Second
	}
	if opt.MaxConns <= 0 {
		opt.MaxConns = 8
	}
	ctx, cancel := context.WithTimeout(ctx, 4*opt.OpTimeout)
	defer cancel()
	s, err := open(ctx, postgresDialect{dsn: dsn, maxConns: opt.MaxConns}, false)
	if err != nil {
		return nil, err
	}
	s.opTimeout = opt.OpTimeout
	return s, nil
}

type postgresDialect struct {
	dsn      string
	maxConns int
}

// migrationLockKey is the pg_advisory_xact_lock key that serializes schema migrations across
// nodes starting together ("iamd" in ASCII).
const migrationLockKey = 0x69616d64

// The migrations are written once, in the SQL that SQLite and PostgreSQL share; these are the
// words whose meaning differs. SQLite's INTEGER is 64-bit, PostgreSQL's 32-bit; BLOB is BYTEA;
// text compares bytewise (COLLATE "C") so that ordering and markers match SQLite's BINARY
// collation whatever locale the database was created with.
var pgTypes = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`\bINTEGER\b`), "BIGINT"},
	{regexp.MustCompile(`\bBLOB\b`), "BYTEA"},
	{regexp.MustCompile(`\bTEXT\b`), `TEXT COLLATE "C"`},
}

func (postgresDialect) translate(ddl string) string {
	for _, t := range pgTypes {
		ddl = t.re.ReplaceAllString(ddl, t.repl)
	}
	return ddl
}

func (postgresDialect) rebind(query string) string { return rebindDollar(query) }

func (d postgresDialect) openPool(ctx context.Context, savepoints bool) (*sql.DB, error) {
	var db *sql.DB
	var err error
	if savepoints {
		db, err = openStatementSavepoints(d.dsn)
	} else {
		db, err = sql.Open("pgx", d.dsn)
	}
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(d.maxConns)
	db.SetMaxIdleConns(d.maxConns)
	// Idle connections are dropped after a while so that a restarted database is reconnected
	// to without waiting for a failed query to discard them.
	db.SetConnMaxIdleTime(time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (d postgresDialect) openWriter(ctx context.Context) (*sql.DB, error) {
	return d.openPool(ctx, true)
}

func (d postgresDialect) openReader(ctx context.Context) (*sql.DB, error) {
	return d.openPool(ctx, false)
}

func (postgresDialect) readOptions() *sql.TxOptions {
	// Repeatable read is PostgreSQL's snapshot isolation: every statement of fn sees the same
	// snapshot, as the store contract promises.
	return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
}

func (postgresDialect) beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, err
	}
	// Every Write ends by bumping this row, so locking it first serializes all writers of all
	// nodes before they read anything. Under read committed each later statement then sees every
	// write committed before the lock was granted: read-check-write sequences (two keys per user,
	// DeleteConflict) cannot interleave, and no serialization failure is left to retry.
	if _, err := tx.ExecContext(ctx, `SELECT v FROM meta WHERE k = 'generation' FOR UPDATE`); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

func (postgresDialect) beginMigrate(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	// Held until commit: a second node starting at the same moment waits here, then finds the
	// migrations applied. DDL is transactional in PostgreSQL, so a failed migration leaves nothing.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockKey)); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

func (postgresDialect) classify(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505": // unique_violation
		return fmt.Errorf("%w: %v", store.ErrAlreadyExists, err)
	case "23503": // foreign_key_violation
		return fmt.Errorf("%w: still referenced: %v", store.ErrConflict, err)
	}
	return err
}

func (postgresDialect) noSpace(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "53100" // disk_full
}

func (postgresDialect) retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	// serialization_failure and deadlock_detected: the transaction was rolled back whole, so
	// running it again is safe. Connection errors are not retried: a commit may have landed.
	return pe.Code == "40001" || pe.Code == "40P01"
}
