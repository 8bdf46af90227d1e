package sqlstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/fulldisk"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

const crashAccount = "123456789012"

// filled opens a new database at path with an account and n users, and closes it.
func filled(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Write(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, iam.Account{ID: crashAccount}); err != nil {
			return err
		}
		for i := range n {
			if err := tx.CreateUser(ctx, crashUser(fmt.Sprintf("user%04d", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func crashUser(name string) iam.User {
	return iam.User{Account: crashAccount, UserID: iam.NewID(iam.PrefixUser), UserName: name, Path: "/", Arn: iam.UserARN(crashAccount, "/", name)}
}

func countUsers(ctx context.Context, s *Store) (int, error) {
	var n int
	err := s.Read(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.CountUsers(ctx, crashAccount)
		return err
	})
	return n, err
}

// A database truncated to 0 bytes is refused, not taken for a new one (which would come back as
// an empty installation), and is left as it is.
func TestSQLiteTruncatedRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamd.db")
	filled(t, path, 3)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSQLite(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("a truncated database opened")
	}
	if !errors.Is(err, ErrDamaged) {
		t.Errorf("err = %v, want ErrDamaged", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Errorf("the truncated file was changed: %v %v", fi, err)
	}
}

// A page overwritten anywhere in the file (the header page, the first table pages, the middle,
// the last page) makes the start fail with ErrDamaged instead of serving partial data.
func TestSQLiteOverwrittenPageRefused(t *testing.T) {
	ctx := context.Background()
	orig := filepath.Join(t.TempDir(), "iamd.db")
	filled(t, orig, 400)
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096 // SQLite's default page size
	pages := len(data) / page
	if pages < 20 {
		t.Fatalf("the database has %d pages; the test wants more to damage", pages)
	}
	// Every page must be in use, or damage to a free one would go unnoticed, rightly.
	probe, err := OpenSQLite(ctx, orig)
	if err != nil {
		t.Fatal(err)
	}
	var free int
	err = probe.writer.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free)
	probe.Close()
	if err != nil || free != 0 {
		t.Fatalf("freelist_count = %d, %v; want 0", free, err)
	}
	for _, p := range []int{0, 1, 2, pages / 3, pages / 2, 2 * pages / 3, pages - 1} {
		t.Run(fmt.Sprintf("page%d", p+1), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "iamd.db")
			damagedData := append([]byte(nil), data...)
			rand.Read(damagedData[p*page : (p+1)*page])
			if err := os.WriteFile(path, damagedData, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := OpenSQLite(ctx, path)
			if err == nil {
				n, rerr := countUsers(ctx, s)
				s.Close()
				t.Fatalf("a database with page %d overwritten opened (%d users, %v)", p+1, n, rerr)
			}
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("err = %v, want ErrDamaged", err)
			}
		})
	}
}

// The database, its -wal and its -shm are 0600 whatever the umask and the directory's mode, when
// they are created and when they exist with another mode.
func TestSQLiteFileModes(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	path := filepath.Join(dir, "iamd.db")
	a, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Write(ctx, func(tx store.Tx) error { return tx.CreateAccount(ctx, iam.Account{ID: crashAccount}) }); err != nil {
		t.Fatal(err)
	}
	files := []string{path, path + "-wal", path + "-shm"}
	checkModes := func(when string) {
		t.Helper()
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s has mode %v, want 0600", when, filepath.Base(f), fi.Mode().Perm())
			}
		}
	}
	checkModes("created")
	for _, f := range files {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	checkModes("reopened")
	if left, _ := filepath.Glob(filepath.Join(dir, "*.new*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// On a full disk: a database that is open keeps serving reads and answers writes with
// ErrStorageFull; one opened on the full disk (a restart) does the same; both write again once
// space is freed, without reopening.
func TestSQLiteFullDisk(t *testing.T) {
	dir := fulldisk.Mount(t, 4<<20)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(dir, "iamd.db")
	filled(t, path, 10)
	create := func(s *Store, name string) error {
		return s.Write(ctx, func(tx store.Tx) error { return tx.CreateUser(ctx, crashUser(name)) })
	}

	t.Run("running", func(t *testing.T) {
		s, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		filler := fulldisk.Fill(t, dir)
		// Writes large enough to need pages the disk no longer has.
		err = s.Write(ctx, func(tx store.Tx) error {
			for i := range 2000 {
				if err := tx.CreateUser(ctx, crashUser(fmt.Sprintf("big%05d", i))); err != nil {
					return err
				}
			}
			return nil
		})
		if !errors.Is(err, store.ErrStorageFull) {
			t.Fatalf("write on a full disk: %v, want ErrStorageFull", err)
		}
		if n, err := countUsers(ctx, s); err != nil || n != 10 {
			t.Fatalf("read on a full disk: %d users, %v; want 10", n, err)
		}
		os.Remove(filler)
		if err := create(s, "after-running"); err != nil {
			t.Fatalf("write after space was freed: %v", err)
		}
	})

	t.Run("restart", func(t *testing.T) {
		filler := fulldisk.Fill(t, dir)
		s, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatalf("open on a full disk: %v", err)
		}
		defer s.Close()
		if !s.Exclusive() {
			t.Log("opened with shared memory although the disk is full")
		}
		if n, err := countUsers(ctx, s); err != nil || n != 11 {
			t.Fatalf("read on a full disk: %d users, %v; want 11", n, err)
		}
		// A Write that changes nothing (the start-up checks) succeeds.
		if err := s.Write(ctx, func(tx store.Tx) error { _, err := tx.CountUsers(ctx, crashAccount); return err }); err != nil {
			t.Fatalf("a Write that changes nothing: %v", err)
		}
		if err := create(s, "on-full"); !errors.Is(err, store.ErrStorageFull) {
			t.Fatalf("write on a full disk: %v, want ErrStorageFull", err)
		}
		os.Remove(filler)
		if err := create(s, "after-restart"); err != nil {
			t.Fatalf("write after space was freed: %v", err)
		}
		if n, err := countUsers(ctx, s); err != nil || n != 12 {
			t.Fatalf("read after space was freed: %d users, %v; want 12", n, err)
		}
	})

	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Exclusive() {
		t.Error("opened exclusively with space free")
	}
	if n, err := countUsers(ctx, s); err != nil || n != 12 {
		t.Fatalf("after reopening: %d users, %v; want 12", n, err)
	}
}
