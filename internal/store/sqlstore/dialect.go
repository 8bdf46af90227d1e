package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall"

	"github.com/iamd/iamd/internal/store"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds everything that differs between SQL engines, so that adding PostgreSQL is a new
// dialect, not a rewrite. Queries are written with ? placeholders and ON CONFLICT upserts (which
// SQLite and PostgreSQL share); rebind turns the placeholders into the engine's.
type dialect interface {
	// translate turns a migration, written in the SQL both engines share, into this engine's
	// (type names that mean different things).
	translate(ddl string) string
	rebind(query string) string
	// openWriter and openReader return the pools for Write and Read transactions.
	openWriter(ctx context.Context) (*sql.DB, error)
	openReader(ctx context.Context) (*sql.DB, error)
	// beginWrite starts a transaction that holds the write lock (or serializable isolation)
	// from its first statement, so read-check-write sequences cannot interleave.
	beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, error)
	// beginMigrate starts the transaction that applies migrations, excluding other processes
	// migrating the same database until it ends.
	beginMigrate(ctx context.Context, db *sql.DB) (*sql.Tx, error)
	// readOptions are the options of Read transactions (a snapshot, read-only).
	readOptions() *sql.TxOptions
	// classify maps an engine error to a store sentinel (wrapped) or returns it unchanged.
	classify(err error) error
	// retryable reports whether a Write should run again after err (busy, serialization failure).
	retryable(err error) bool
	// noSpace reports whether err says the storage is full: the write failed whole and may work
	// once space is freed.
	noSpace(err error) bool
}

type sqliteDialect struct {
	path string
	// exclusive opens one connection that holds the database exclusively, for a start on a
	// full disk (see OpenSQLite).
	exclusive bool
}

func (sqliteDialect) translate(ddl string) string { return ddl }
func (sqliteDialect) rebind(query string) string  { return query }

// readOptions: a SQLite read transaction is a snapshot from its first read on (WAL).
func (sqliteDialect) readOptions() *sql.TxOptions { return &sql.TxOptions{ReadOnly: true} }

func (d sqliteDialect) dsn(txlock string) string {
	q := url.Values{}
	// WAL lets readers proceed while one writer writes; the busy timeout makes a second process
	// wait for the write lock instead of failing at once; foreign keys back the ErrConflict rules.
	q.Add("_pragma", "busy_timeout(5000)")
	if d.exclusive {
		// Before the WAL is first read: SQLite then keeps the WAL index in memory instead of the
		// -shm file, which it would have to grow on a disk with no space left. The database is
		// in WAL mode already (an exclusive open is only tried on an existing one), and asking
		// for it again would go through the -shm file.
		q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if txlock != "" {
		q.Set("_txlock", txlock)
	}
	return "file:" + d.path + "?" + q.Encode()
}

func (d sqliteDialect) openWriter(ctx context.Context) (*sql.DB, error) {
	db, err := sql.Open("sqlite", d.dsn("immediate"))
	if err != nil {
		return nil, err
	}
	// One writer connection serializes writers inside this process without SQLITE_BUSY churn;
	// BEGIN IMMEDIATE (txlock) serializes them against other processes.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (d sqliteDialect) openReader(ctx context.Context) (*sql.DB, error) {
	db, err := sql.Open("sqlite", d.dsn(""))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (sqliteDialect) beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	return db.BeginTx(ctx, nil) // BEGIN IMMEDIATE via _txlock
}

func (sqliteDialect) beginMigrate(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	return db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one migrator per file
}

func (sqliteDialect) classify(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %v", store.ErrAlreadyExists, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: still referenced: %v", store.ErrConflict, err)
	}
	return err
}

func (sqliteDialect) noSpace(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return errors.Is(err, syscall.ENOSPC)
	}
	// SQLite reports ENOSPC on a write as SQLITE_FULL; growing the -shm file fails as
	// SQLITE_IOERR_SHMSIZE.
	return se.Code()&0xff == sqlite3.SQLITE_FULL || se.Code() == sqlite3.SQLITE_IOERR_SHMSIZE
}

func (sqliteDialect) retryable(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	primary := se.Code() & 0xff
	return primary == sqlite3.SQLITE_BUSY || primary == sqlite3.SQLITE_LOCKED
}

// rebindDollar numbers ? placeholders as $1, $2, … for engines that want that (PostgreSQL).
// The queries in this package contain no ? inside string literals.
func rebindDollar(query string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}
