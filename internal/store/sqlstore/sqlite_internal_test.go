package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Two Stores on one file stand in for two processes: only SQLite's own locking (BEGIN
// IMMEDIATE with a busy timeout, and Write's retry) keeps the read-check-write atomic.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const account = "123456789012"
	err = a.Write(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, iam.Account{ID: account}); err != nil {
			return err
		}
		return tx.CreateUser(ctx, iam.User{Account: account, UserID: iam.NewID(iam.PrefixUser), UserName: "u", Path: "/", Arn: iam.UserARN(account, "/", "u")})
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Write(ctx, func(tx store.Tx) error {
				n, err := tx.CountAccessKeys(ctx, account, "u")
				if err != nil || n >= 2 {
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
			t.Fatalf("Write: %v", err)
		}
	}
	var n int
	err = b.Read(ctx, func(tx store.Tx) error {
		n, err = tx.CountAccessKeys(ctx, account, "u")
		return err
	})
	if err != nil || n != 2 {
		t.Fatalf("keys = %d, %v; want 2", n, err)
	}
	ga, _ := a.Generation(ctx)
	gb, _ := b.Generation(ctx)
	// The setup and the two keys moved it; the 38 Writes that found two keys changed nothing.
	if ga != gb || ga < 3 {
		t.Errorf("generations %d and %d, want equal and ≥ 3", ga, gb)
	}
}

func TestWriteHonoursCancelledContext(t *testing.T) {
	s := openTemp(t, t.TempDir())
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := s.Write(ctx, func(store.Tx) error { called = true; return nil })
	if err == nil || called {
		t.Errorf("Write with cancelled context: err=%v, fn called=%v", err, called)
	}
}

func TestOpenBadPath(t *testing.T) {
	if _, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")); err == nil {
		t.Error("OpenSQLite in a missing directory succeeded")
	}
}

func TestRebindDollar(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"none", "SELECT 1", "SELECT 1"},
		{"several", "a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rebindDollar(tc.in); got != tc.want {
				t.Errorf("rebindDollar(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	s := openTemp(t, t.TempDir()).(*Store)
	defer s.Close()
	ctx := context.Background()
	tests := []struct {
		name string
		sql  string
		want error
	}{
		{"unique", `INSERT INTO accounts (id, alias, create_date) VALUES ('1', '', 0), ('1', '', 0)`, store.ErrAlreadyExists},
		{"foreign key", `INSERT INTO group_members (group_id, user_id) VALUES ('nope', 'nope')`, store.ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.writer.ExecContext(ctx, tc.sql)
			if got := s.d.classify(err); !errors.Is(got, tc.want) {
				t.Errorf("classify(%v) = %v, want %v", err, got, tc.want)
			}
		})
	}
	if s.d.retryable(errors.New("plain")) {
		t.Error("a plain error is retryable")
	}
}

func FuzzDecodeMarker(f *testing.F) {
	f.Add(encodeMarker("bob", "AIDAEXAMPLE"))
	f.Add("!!")
	f.Fuzz(func(t *testing.T, m string) {
		name, id, err := decodeMarker(m)
		if err != nil {
			if !errors.Is(err, store.ErrInvalidMarker) {
				t.Fatalf("error %v is not ErrInvalidMarker", err)
			}
			return
		}
		if m != "" && encodeMarker(name, id) != m {
			// Only canonical encodings are issued; others may decode but must not panic.
			return
		}
	})
}

func FuzzVersionSeq(f *testing.F) {
	f.Add("v1")
	f.Add("v01")
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := versionSeq(s); ok && fmt.Sprintf("v%d", n) != s {
			t.Fatalf("versionSeq(%q) = %d, not canonical", s, n)
		}
	})
}

// Benchmarks of the hot paths: authentication looks a key up, authorization reads a user,
// caches check the generation, the services write.
func benchStore(b *testing.B) (*Store, string) {
	s, err := OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	const account = "123456789012"
	var keyID string
	err = s.Write(context.Background(), func(tx store.Tx) error {
		if err := tx.CreateAccount(context.Background(), iam.Account{ID: account}); err != nil {
			return err
		}
		for i := range 1000 {
			name := fmt.Sprintf("user%04d", i)
			if err := tx.CreateUser(context.Background(), iam.User{Account: account, UserID: iam.NewID(iam.PrefixUser), UserName: name, Path: "/", Arn: iam.UserARN(account, "/", name), CreateDate: time.Now()}); err != nil {
				return err
			}
			keyID, _ = iam.NewAccessKeyID(iam.PrefixAccessKey, account)
			if err := tx.CreateAccessKey(context.Background(), iam.AccessKey{Account: account, AccessKeyID: keyID, UserName: name, Status: iam.StatusActive, SecretSealed: make([]byte, 70)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, keyID
}

func BenchmarkSQLite(b *testing.B) {
	ctx := context.Background()
	s, keyID := benchStore(b)
	b.Run("ReadAccessKey", func(b *testing.B) {
		for b.Loop() {
			if err := s.Read(ctx, func(tx store.Tx) error { _, err := tx.AccessKey(ctx, keyID); return err }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadUser", func(b *testing.B) {
		for b.Loop() {
			if err := s.Read(ctx, func(tx store.Tx) error { _, err := tx.User(ctx, "123456789012", "USER0500"); return err }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListUsersPage100", func(b *testing.B) {
		for b.Loop() {
			if err := s.Read(ctx, func(tx store.Tx) error {
				_, err := tx.Users(ctx, "123456789012", store.ListOptions{MaxItems: 100})
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Generation", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Generation(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WriteCreateGroup", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			name := fmt.Sprintf("g%d", i)
			if err := s.Write(ctx, func(tx store.Tx) error {
				return tx.CreateGroup(ctx, iam.Group{Account: "123456789012", GroupID: iam.NewID(iam.PrefixGroup), GroupName: name, Path: "/", Arn: iam.GroupARN("123456789012", "/", name)})
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
