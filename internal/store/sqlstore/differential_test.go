package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore/pgtest"
)

// TestDifferentialSQLitePostgres runs one seeded random sequence of operations against both
// engines and compares every result: values, error classes, list pages and markers. Names come
// from a small pool in random letter case, so duplicates, absent entities, case-insensitive
// uniqueness, conflicts and paging across deletions all occur.
func TestDifferentialSQLitePostgres(t *testing.T) {
	ctx := context.Background()
	lite, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "iamd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := openPostgres(t, pgtest.DSN(t))
	defer pg.Close()

	const account, seed, steps = "123456789012", 20261127, 1000
	rng := rand.New(rand.NewPCG(seed, 0))
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.UTC)
	names := []string{"alice", "bob", "carol", "dave", "eve", "frank", "a-b", "a_b", "A.B", "zed"}
	name := func() string {
		b := []byte(names[rng.IntN(len(names))])
		for i := range b {
			if rng.IntN(3) == 0 && b[i] >= 'a' && b[i] <= 'z' {
				b[i] -= 'a' - 'A'
			}
		}
		return string(b)
	}
	id := func(prefix string) string { return fmt.Sprintf("%s%017d", prefix, rng.Uint64()%1e17) }
	var keys []string
	outcomes := map[string]int{} // error class → count, logged to show the sequence's coverage

	setup := func(tx store.Tx) error { return tx.CreateAccount(ctx, iam.Account{ID: account, CreateDate: t0}) }
	for _, s := range []*Store{lite, pg} {
		if err := s.Write(ctx, setup); err != nil {
			t.Fatal(err)
		}
	}

	for step := range steps {
		// Each operation draws its random inputs once, then runs the same closure on both.
		var op string
		var fn func(tx store.Tx) (any, error)
		write := true
		switch n := name(); rng.IntN(11) {
		case 0, 1:
			op = "CreateUser " + n
			u := iam.User{Account: account, UserID: id("AIDA"), UserName: n, Path: "/", Arn: iam.UserARN(account, "/", n), CreateDate: t0.Add(time.Duration(step) * time.Second)}
			fn = func(tx store.Tx) (any, error) { return nil, tx.CreateUser(ctx, u) }
		case 2:
			op = "DeleteUser " + n
			fn = func(tx store.Tx) (any, error) { return nil, tx.DeleteUser(ctx, account, n) }
		case 3:
			op = "CreateGroup " + n
			g := iam.Group{Account: account, GroupID: id("AGPA"), GroupName: n, Path: "/", Arn: iam.GroupARN(account, "/", n), CreateDate: t0}
			fn = func(tx store.Tx) (any, error) { return nil, tx.CreateGroup(ctx, g) }
		case 4:
			g := name()
			op = "AddUserToGroup " + g + " " + n
			fn = func(tx store.Tx) (any, error) { return nil, tx.AddUserToGroup(ctx, account, g, n) }
		case 5:
			g := name()
			op = "RemoveUserFromGroup " + g + " " + n
			fn = func(tx store.Tx) (any, error) { return nil, tx.RemoveUserFromGroup(ctx, account, g, n) }
		case 6:
			k := iam.AccessKey{Account: account, AccessKeyID: id("AKIA") + "XYZ", UserName: n, Status: iam.StatusActive, SecretSealed: []byte{byte(step)}, CreateDate: t0}
			keys = append(keys, k.AccessKeyID)
			op = "CreateAccessKey " + n
			fn = func(tx store.Tx) (any, error) {
				c, err := tx.CountAccessKeys(ctx, account, n)
				if err != nil || c >= iam.MaxAccessKeysPerUser {
					return c, err
				}
				return c, tx.CreateAccessKey(ctx, k)
			}
		case 7:
			if len(keys) == 0 {
				continue
			}
			k := keys[rng.IntN(len(keys))]
			op = "DeleteAccessKey " + k
			fn = func(tx store.Tx) (any, error) { return nil, tx.DeleteAccessKey(ctx, account, k) }
		case 8:
			op, write = "AccessKeys "+n, false
			fn = func(tx store.Tx) (any, error) { return tx.AccessKeys(ctx, account, n) }
		case 9:
			op, write = "GroupsForUser "+n, false
			fn = func(tx store.Tx) (any, error) {
				return tx.GroupsForUser(ctx, account, n, store.ListOptions{MaxItems: 2})
			}
		case 10:
			op, write = "Users (all pages of 3)", false
			fn = func(tx store.Tx) (any, error) {
				var all []any
				opt := store.ListOptions{MaxItems: 3}
				for {
					p, err := tx.Users(ctx, account, opt)
					if err != nil {
						return all, err
					}
					all = append(all, p)
					if !p.IsTruncated {
						return all, nil
					}
					opt.Marker = p.Marker
				}
			}
		}
		var results [2]any
		var errs [2]error
		for i, s := range []*Store{lite, pg} {
			run := s.Read
			if write {
				run = s.Write
			}
			errs[i] = run(ctx, func(tx store.Tx) error {
				var err error
				results[i], err = fn(tx)
				return err
			})
		}
		if a, b := errClass(errs[0]), errClass(errs[1]); a != b {
			t.Fatalf("step %d %s: SQLite error %v, PostgreSQL error %v", step, op, errs[0], errs[1])
		}
		outcomes[errClass(errs[0])]++
		if d := cmp.Diff(results[0], results[1]); d != "" {
			t.Fatalf("step %d %s: results differ (-SQLite +PostgreSQL):\n%s", step, op, d)
		}
	}
	t.Logf("outcomes of %d steps: %v", steps, outcomes)
	g1, _ := lite.Generation(ctx)
	g2, _ := pg.Generation(ctx)
	if g1 != g2 {
		t.Errorf("generation after the sequence: SQLite %d, PostgreSQL %d", g1, g2)
	}
}

// errClass names an error by the store sentinel it wraps, the only part the contract fixes.
func errClass(err error) string {
	for _, s := range []error{store.ErrNotFound, store.ErrAlreadyExists, store.ErrConflict, store.ErrInvalidMarker} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return "nil"
}
