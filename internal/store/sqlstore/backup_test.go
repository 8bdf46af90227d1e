package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

const backupAccount = "123456789012"

// populated opens a new SQLite store in a temp dir with an account and n users.
func populated(t *testing.T, n int) (*Store, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamd.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Write(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, iam.Account{ID: backupAccount, CreateDate: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += 500 {
		if err := s.Write(ctx, func(tx store.Tx) error {
			for j := i; j < i+500 && j < n; j++ {
				if err := tx.CreateUser(ctx, backupUser(fmt.Sprintf("user-%06d", j))); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return s, path
}

func backupUser(name string) iam.User {
	return iam.User{Account: backupAccount, UserID: iam.NewID(iam.PrefixUser), UserName: name, Path: "/",
		Arn: iam.UserARN(backupAccount, "/", name), CreateDate: time.Now()}
}

func userCount(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM entities WHERE kind = 'user'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A backup taken from another connection while a writer commits is one committed state: it
// verifies, it is 0600 with no temp file left, it holds whole batches only, and a second backup
// to the same file is refused unless forced.
func TestBackupSQLiteWhileWriting(t *testing.T) {
	ctx := context.Background()
	s, path := populated(t, 1000)
	out := filepath.Join(t.TempDir(), "backup.db")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Batches of 10 users: a consistent copy holds a multiple of 10 of them beyond the first
		// 1000. Bounded in count and by the stop signal.
		for i := 0; i < 300; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := s.Write(ctx, func(tx store.Tx) error {
				for j := 0; j < 10; j++ {
					if err := tx.CreateUser(ctx, backupUser(fmt.Sprintf("w-%04d-%d", i, j))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	time.Sleep(20 * time.Millisecond)
	err := BackupSQLite(ctx, path, out, false)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyDatabase(ctx, out); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	if n := userCount(t, out); n < 1000 || (n-1000)%10 != 0 {
		t.Errorf("backup holds %d users: not 1000 plus whole batches of 10", n)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("backup directory holds %v, want only backup.db", names)
	}

	if err := BackupSQLite(ctx, path, out, false); !errors.Is(err, ErrBackupExists) {
		t.Errorf("second backup to the same file: %v, want ErrBackupExists", err)
	}
	if err := s.Backup(ctx, out, true); err != nil {
		t.Errorf("forced backup through the Store: %v", err)
	}
	if err := VerifyDatabase(ctx, out); err != nil {
		t.Error(err)
	}
	if err := BackupSQLite(ctx, filepath.Join(t.TempDir(), "absent.db"), out+"2", false); err == nil {
		t.Error("backup of a missing database succeeded")
	}
}

// VerifyDatabase refuses what is not an intact iamd database: text, an empty file, SQLite
// without iamd's schema, and a backup cut short.
func TestVerifyDatabaseRefuses(t *testing.T) {
	ctx := context.Background()
	s, _ := populated(t, 2000)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if err := s.Backup(ctx, good, false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", "file:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cases := map[string][]byte{
		"text":              []byte("hello, not a database\n"),
		"empty":             nil,
		"truncated (half)":  b[:len(b)/2],
		"truncated (pages)": b[:len(b)-4096*3],
	}
	for name, data := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		err := VerifyDatabase(ctx, p)
		t.Logf("%s: %v", name, err)
		if !errors.Is(err, ErrNotIamdDatabase) {
			t.Errorf("%s: %v, want ErrNotIamdDatabase", name, err)
		}
	}
	if err := VerifyDatabase(ctx, other); !errors.Is(err, ErrNotIamdDatabase) {
		t.Errorf("SQLite without iamd's schema: %v, want ErrNotIamdDatabase", err)
	}
}

// TestMeasureBackup compares VACUUM INTO with SQLite's online backup API (all pages in one
// step) on a populated database while a writer commits, reporting the backup's time and the
// writer's worst commit latency during it. It asserts no time.
//
//	IAMD_BACKUP_MEASURE=20000 go test -run TestMeasureBackup -v ./internal/store/sqlstore/
func TestMeasureBackup(t *testing.T) {
	n := 0
	fmt.Sscan(os.Getenv("IAMD_BACKUP_MEASURE"), &n)
	if n == 0 {
		t.Skip("IAMD_BACKUP_MEASURE gives no number of users")
	}
	ctx := context.Background()
	s, path := populated(t, n)
	fi, _ := os.Stat(path)
	t.Logf("database: %d users, %d bytes", n, fi.Size())
	for round := 0; round < 3; round++ {
		for _, name := range []string{"VACUUM INTO", "backup API"} {
			out := filepath.Join(t.TempDir(), "b.db")
			stop := make(chan struct{})
			var lat []time.Duration
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100000; i++ {
					select {
					case <-stop:
						return
					default:
					}
					t0 := time.Now()
					if err := s.Write(ctx, func(tx store.Tx) error {
						return tx.CreateUser(ctx, backupUser(fmt.Sprintf("m-%s-%d-%d", strings.ReplaceAll(name, " ", ""), round, i)))
					}); err != nil {
						t.Error(err)
						return
					}
					lat = append(lat, time.Since(t0))
				}
			}()
			time.Sleep(10 * time.Millisecond)
			t0 := time.Now()
			var err error
			if name == "VACUUM INTO" {
				err = BackupSQLite(ctx, path, out, false)
			} else {
				err = onlineBackup(ctx, path, out)
			}
			took := time.Since(t0)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(name, err)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			fo, _ := os.Stat(out)
			t.Logf("%-11s %8v  output %9d bytes  writes during it: %d, p50 %v, max %v", name, took.Round(time.Millisecond), fo.Size(), len(lat), lat[len(lat)/2], lat[len(lat)-1])
		}
	}
}

// onlineBackup copies the database at path to out with SQLite's online backup API, all pages in
// one step (incremental steps restart whenever another connection writes).
func onlineBackup(ctx context.Context, path, out string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Raw(func(dc any) error {
		b, err := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		}).NewBackup(out)
		if err != nil {
			return err
		}
		if _, err := b.Step(-1); err != nil {
			b.Finish()
			return err
		}
		return b.Finish()
	})
}
