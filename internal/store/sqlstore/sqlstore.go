// Package sqlstore implements store.Store on SQL. The schema, the migrations and the queries are
// shared; what differs between engines (type names, placeholders, how to open, lock and isolate,
// how errors are classified) lives in a dialect. SQLite (modernc.org/sqlite, pure Go, one WAL
// file) is the embedded default; PostgreSQL (jackc/pgx) lets many iamd nodes share one database.
// Migrations are embedded and applied at Open, once, however many nodes open the database at once.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

//go:embed migrations
var migrations embed.FS

// maxWriteAttempts bounds how often Write runs fn when the database reports busy or a
// serialization failure.
const maxWriteAttempts = 10

// Store is a SQL-backed store.Store.
type Store struct {
	d      dialect
	writer *sql.DB
	reader *sql.DB
	// opTimeout, when set, bounds each call so that a database that does not answer fails the
	// request instead of holding it (PostgreSQL over a network).
	opTimeout time.Duration

	// The generation as last known: this process's writes move it at commit; other processes'
	// (other iamd nodes on PostgreSQL, an `iamd account create` beside a server on SQLite) are
	// seen by a poll at most generationPoll old. Every request validates its caches against
	// Generation, so this saves a query per request and bounds staleness across processes.
	gen       atomic.Uint64
	genPolled atomic.Int64 // monoNow of the last poll; 0 forces one
	genPoll   atomic.Bool  // a poll is running

	// exclusive: SQLite opened on a full disk, on one connection that holds the database
	// exclusively (see OpenSQLite).
	exclusive bool
	// created: OpenSQLite made the database file.
	created bool
}

// generationPoll bounds how old another process's write may be before this process's caches see
// it (the documented cross-node consistency bound).
const generationPoll = 100 * time.Millisecond

// monoNow is nanoseconds on the monotonic clock since an hour before the process started, so
// that 0 (never polled) is always more than a poll period ago. Generation runs several times
// per request: time.Since reads one clock where time.Now reads two.
func monoNow() int64 { return int64(time.Since(monoBase)) }

var monoBase = time.Now().Add(-time.Hour)

var _ store.Store = (*Store)(nil)

// OpenSQLite opens the SQLite database at path, creating it if there is no file, checks its
// integrity and brings its schema up to date. The database and its -wal and -shm files are
// made 0600. An existing file that is empty or damaged is refused with ErrDamaged, never
// treated as a new database: a truncated file must not come back as an empty installation.
//
// On a disk with no space left, SQLite cannot create the shared-memory (-shm) file that WAL
// readers share; the store then opens on one connection that holds the database exclusively
// (its WAL index in memory), serves reads, answers writes with store.ErrStorageFull and writes
// again once space is freed. Other processes cannot open the database until it is closed.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	created, err := prepareSQLite(ctx, path)
	if err != nil {
		return nil, damaged(path, fmt.Errorf("sqlstore: %w", err))
	}
	d := sqliteDialect{path: path}
	s, err := open(ctx, d, !created)
	if err != nil && !created && d.noSpace(err) {
		d.exclusive = true
		s, err = open(ctx, d, true)
	}
	if err != nil {
		return nil, damaged(path, err)
	}
	s.created = created
	return s, nil
}

// Created reports whether OpenSQLite made the database file (there was none).
func (s *Store) Created() bool { return s.created }

// Exclusive reports whether the store was opened on a full disk and holds the SQLite database
// exclusively (see OpenSQLite) until it is closed.
func (s *Store) Exclusive() bool { return s.exclusive }

func open(ctx context.Context, d dialect, check bool) (*Store, error) {
	w, err := d.openWriter(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	s := &Store{d: d, writer: w}
	if sd, ok := d.(sqliteDialect); ok && sd.exclusive {
		// The one connection holds the database: reads must share it.
		s.exclusive, s.reader = true, w
	}
	if check {
		if err := quickCheck(ctx, w); err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	if s.exclusive {
		// No other process can write while this one holds the database, so the generation
		// read now and moved by this process's writes stays current (Generation then answers
		// from memory, and never asks the one connection for it in the middle of a Read).
		var g int64
		if err := w.QueryRowContext(ctx, `SELECT v FROM meta WHERE k = 'generation'`).Scan(&g); err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlstore: generation: %w", err)
		}
		s.seeGeneration(uint64(g))
		return s, nil
	}
	// The reader pool opens after migration so that it never sees a half-made schema.
	if s.reader, err = d.openReader(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	return s, nil
}

// migrationDir holds the one set of migrations both engines apply. A migration is written in the
// SQL they share (see postgresDialect.translate for the words that are translated): use INTEGER
// for numbers and times (64-bit), TEXT, BLOB; no AUTOINCREMENT/SERIAL, no engine-only functions.
// The conformance suite runs against both engines, so a migration one of them rejects fails it.
const migrationDir = "migrations/sqlite"

// migrate applies, in version order, each embedded migration newer than the database, all in one
// transaction that excludes other migrators (another node starting at the same moment), together
// with their rows in schema_migrations.
func (s *Store) migrate(ctx context.Context) error {
	entries, err := fs.ReadDir(migrations, migrationDir)
	if err != nil {
		return err
	}
	type mig struct {
		version int
		name    string
	}
	var ms []mig
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return fmt.Errorf("migration file %s is not named NNNN_name.sql", e.Name())
		}
		ms = append(ms, mig{v, e.Name()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })

	tx, err := s.d.beginMigrate(ctx, s.writer)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, s.d.translate(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)`)); err != nil {
		return err
	}
	for _, m := range ms {
		var n int
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		src, err := migrations.ReadFile(path.Join(migrationDir, m.name))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.translate(string(src))); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`), m.version, time.Now().Unix()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// withWriteTx runs fn in a write transaction, committing on nil and retrying when the dialect
// says the failure is transient.
func (s *Store) withWriteTx(ctx context.Context, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < maxWriteAttempts; attempt++ {
		if attempt > 0 {
			backoff := time.Duration(attempt*attempt) * time.Millisecond
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff):
			}
		}
		err = s.writeOnce(ctx, fn)
		if err == nil || !s.d.retryable(err) {
			return err
		}
	}
	return err
}

func (s *Store) writeOnce(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.d.beginWrite(ctx, s.writer)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Read implements store.Store.
func (s *Store) Read(ctx context.Context, fn func(store.Tx) error) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	sqlTx, err := s.reader.BeginTx(ctx, s.d.readOptions())
	if err != nil {
		return fmt.Errorf("sqlstore: begin read: %w", err)
	}
	defer sqlTx.Rollback() // a read-only transaction has nothing to commit
	return fn(&tx{d: s.d, sql: sqlTx})
}

// Write implements store.Store.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var gen int64
	var full bool
	err := s.withWriteTx(ctx, func(sqlTx *sql.Tx) error {
		t := &tx{d: s.d, sql: sqlTx, writable: true}
		err := fn(t)
		full = t.full
		if err != nil || !t.wrote {
			// Nothing changed, nothing to commit: such a Write (the checks at every start) needs
			// no space on disk and leaves the caches valid.
			gen = 0
			return err
		}
		// Bumped inside the transaction, so the generation moves exactly when the data does.
		return sqlTx.QueryRowContext(ctx, `UPDATE meta SET v = v + 1 WHERE k = 'generation' RETURNING v`).Scan(&gen)
	})
	if err == nil {
		s.seeGeneration(uint64(gen))
	}
	return s.writeErr(err, full)
}

// writeErr marks a write that failed for lack of space with store.ErrStorageFull, also when fn
// reported the failure in its own words.
func (s *Store) writeErr(err error, full bool) error {
	if err != nil && (full || s.d.noSpace(err)) {
		return fmt.Errorf("%w: %v", store.ErrStorageFull, err)
	}
	return err
}

// seeGeneration raises the known generation to g (it never goes back).
func (s *Store) seeGeneration(g uint64) {
	for {
		cur := s.gen.Load()
		if g <= cur || s.gen.CompareAndSwap(cur, g) {
			return
		}
	}
}

// RecordAccessKeyUses implements store.Store: a write transaction that leaves the generation.
func (s *Store) RecordAccessKeyUses(ctx context.Context, uses map[string]iam.AccessKeyLastUsed) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.writeErr(s.withWriteTx(ctx, func(sqlTx *sql.Tx) error {
		t := &tx{d: s.d, sql: sqlTx, writable: true}
		for id, used := range uses {
			if err := t.RecordAccessKeyUse(ctx, id, used); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	}), false)
}

// RecordRoleUse implements store.Store: a write transaction that leaves the generation.
func (s *Store) RecordRoleUse(ctx context.Context, account, roleID string, used iam.RoleLastUsed) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.writeErr(s.withWriteTx(ctx, func(sqlTx *sql.Tx) error {
		return (&tx{d: s.d, sql: sqlTx, writable: true}).RecordRoleUse(ctx, account, roleID, used)
	}), false)
}

// Generation implements store.Store. It answers from memory while the last poll is recent (this
// process's own writes are always included) and queries the database otherwise; a failed poll is
// an error, so an unreachable database fails requests rather than serving from stale caches.
func (s *Store) Generation(ctx context.Context) (uint64, error) {
	if s.exclusive {
		return s.gen.Load(), nil
	}
	now := monoNow()
	if now-s.genPolled.Load() < int64(generationPoll) {
		return s.gen.Load(), nil
	}
	if !s.genPoll.CompareAndSwap(false, true) {
		// Another request is polling: the known value is at most one poll old.
		if s.genPolled.Load() != 0 {
			return s.gen.Load(), nil
		}
	} else {
		defer s.genPoll.Store(false)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var g int64
	if err := s.reader.QueryRowContext(ctx, `SELECT v FROM meta WHERE k = 'generation'`).Scan(&g); err != nil {
		s.genPolled.Store(0)
		return 0, fmt.Errorf("sqlstore: generation: %w", err)
	}
	s.seeGeneration(uint64(g))
	s.genPolled.Store(now)
	return s.gen.Load(), nil
}

// bound applies the store's operation timeout to ctx.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.opTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.opTimeout)
}

// Close implements store.Store.
func (s *Store) Close() error {
	var errs []error
	if s.reader != nil && s.reader != s.writer {
		errs = append(errs, s.reader.Close())
	}
	errs = append(errs, s.writer.Close())
	return errors.Join(errs...)
}
