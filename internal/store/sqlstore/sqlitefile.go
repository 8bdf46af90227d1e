package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDamaged is returned by OpenSQLite for a database file that is empty, is not a SQLite
// database or fails SQLite's integrity check. iamd refuses to start on it rather than serve part
// of the data or start over.
var ErrDamaged = errors.New("the database is damaged")

// sqliteFileMode is the mode of the database and of its -wal and -shm files: they hold the
// sealed secrets and the wrapped keyring, which no other user has any business reading.
const sqliteFileMode = 0o600

// prepareSQLite makes the database file at path ready for SQLite to open and reports whether
// this call created it. An existing database and its -wal and -shm files get mode 0600 (SQLite
// gives the -wal and -shm files the database's mode when it creates them, whatever the umask). An
// empty file is refused: SQLite would take it for a new database, but iamd never leaves one, as
// a new database is made, with its schema, under a temporary name and linked into place.
func prepareSQLite(ctx context.Context, path string) (created bool, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createSQLite(ctx, path)
	}
	if err != nil {
		return false, err
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("database %s is not a regular file", path)
	}
	if fi.Size() == 0 {
		return false, damage("the file is empty (0 bytes), as a truncated one would be; opening it would start a new, empty installation over the old one")
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, sqliteFileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
	}
	return false, nil
}

// createSQLite makes a new database with the current schema at path. It is built as path.new
// (mode 0600 before SQLite first opens it) and then linked to path, so that path is either absent
// or a complete database. When another process linked its database first, that one is used.
func createSQLite(ctx context.Context, path string) (created bool, err error) {
	tmp := path + ".new"
	// A leftover from a start that stopped half way holds nothing anyone committed to.
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
	}
	defer os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, sqliteFileMode)
	if err != nil {
		return false, err
	}
	// The mode asked of OpenFile is masked by the umask; 0600 is what the file must have.
	err = errors.Join(f.Chmod(sqliteFileMode), f.Close())
	if err != nil {
		return false, err
	}
	s, err := open(ctx, sqliteDialect{path: tmp}, false)
	if err != nil {
		return false, err
	}
	// Closing the last connection checkpoints the WAL into the file and removes the -wal and -shm.
	if err := s.Close(); err != nil {
		return false, err
	}
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, syncDir(filepath.Dir(path))
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// quickCheck runs SQLite's quick_check, which reads every page of every table and index and
// checks their structure (not that indexes match their tables, which takes much longer).
func quickCheck(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `PRAGMA quick_check(10)`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return err
		}
		for _, line := range strings.Split(p, "\n") {
			if line != "ok" && line != "*** in database main ***" {
				problems = append(problems, line)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return damage("PRAGMA quick_check: " + strings.Join(problems, "; "))
	}
	return nil
}

// damage is what is wrong with a damaged database.
type damage string

func (d damage) Error() string { return string(d) }

// damaged explains an error met opening the database at path: damage found by iamd's checks
// or SQLite's ("not a database", "malformed") becomes ErrDamaged with advice; anything else is
// returned as it is.
func damaged(path string, err error) error {
	var d damage
	var se *sqlite.Error
	var detail string
	switch {
	case errors.As(err, &d):
		detail = string(d)
	case errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CORRUPT || se.Code()&0xff == sqlite3.SQLITE_NOTADB):
		detail = se.Error()
	default:
		return err
	}
	return fmt.Errorf("sqlstore: %w: %s: %s; refusing to start on it (restore the file from a backup)", ErrDamaged, path, detail)
}
