package sqlstore

import (
	"context"
	"errors"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/store"
)

// errRollback ends a measured Write without committing it, so the store is left as it was.
var errRollback = errors.New("rollback")

// TestMeasureAtScale times the store operations whose statements TestRequestPathQueriesUseIndexes
// guards, on a store populated at scale (bench/populate.go plus one login-profile record per
// user; see docs/BENCHMARKS.md, "Store query plans"). It writes nothing: writes are rolled back.
// It asserts no time; it reports medians. It checks the statements' plans there too, unless
// IAMD_PLAN_CHECK=0 (to time a version of the store that predates the checks).
//
//	IAMD_PLAN_DB=/path/to/copy/of/iamd.db go test -run TestMeasureAtScale -v ./internal/store/sqlstore/
func TestMeasureAtScale(t *testing.T) {
	path := os.Getenv("IAMD_PLAN_DB")
	if path == "" {
		t.Skip("IAMD_PLAN_DB names no populated database")
	}
	ctx := context.Background()
	t0 := time.Now()
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Logf("open (and migrate): %v", time.Since(t0).Round(time.Millisecond))
	if os.Getenv("IAMD_PLAN_CHECK") != "0" {
		checkPlans(t, s.reader)
	}
	var account, role, owner, user, midName, midID string
	db := s.reader
	if err := db.QueryRowContext(ctx, `SELECT id FROM accounts ORDER BY id LIMIT 1`).Scan(&account); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT name FROM entities WHERE account = ? AND kind = 'role' ORDER BY name_lc DESC LIMIT 1`, account).Scan(&role); err != nil {
		t.Fatal(err)
	}
	var users int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entities WHERE account = ? AND kind = 'user'`, account).Scan(&users); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT name_lc, id FROM entities WHERE account = ? AND kind = 'user' ORDER BY name_lc LIMIT 1 OFFSET ?`, account, users/2).Scan(&midName, &midID); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT e.id, e.name FROM records r JOIN entities e ON e.id = r.owner_id LIMIT 1`).Scan(&owner, &user); err != nil {
		t.Fatal(err)
	}
	read := func(fn func(store.Tx) error) func() error {
		return func() error { return s.Read(ctx, fn) }
	}
	cases := []struct {
		name string
		runs int
		op   func() error
	}{
		{"DeleteRole (rolled back)", 20, func() error {
			err := s.Write(ctx, func(tx store.Tx) error {
				if err := tx.DeleteRole(ctx, account, role); err != nil {
					return err
				}
				return errRollback
			})
			if errors.Is(err, errRollback) {
				return nil
			}
			return err
		}},
		{"RecordsByOwner", 20, read(func(tx store.Tx) error {
			_, err := tx.RecordsByOwner(ctx, account, "login-profile", owner)
			return err
		})},
		{"AccessKeys of a user", 20, read(func(tx store.Tx) error {
			_, err := tx.AccessKeys(ctx, account, user)
			return err
		})},
		{"CountAccessKeys of the root user", 20, read(func(tx store.Tx) error {
			_, err := tx.CountAccessKeys(ctx, account, "")
			return err
		})},
		{"Users, first page of 100", 20, read(func(tx store.Tx) error {
			_, err := tx.Users(ctx, account, store.ListOptions{MaxItems: 100})
			return err
		})},
		{"Users, page of 100 after the middle user", 20, read(func(tx store.Tx) error {
			_, err := tx.Users(ctx, account, store.ListOptions{MaxItems: 100, Marker: encodeMarker(midName, midID)})
			return err
		})},
		{"Users, every page of 1000", 3, read(func(tx store.Tx) error {
			opt := store.ListOptions{MaxItems: 1000}
			for {
				p, err := tx.Users(ctx, account, opt)
				if err != nil || !p.IsTruncated {
					return err
				}
				opt.Marker = p.Marker
			}
		})},
		{"CountUsers", 20, read(func(tx store.Tx) error {
			_, err := tx.CountUsers(ctx, account)
			return err
		})},
	}
	for _, c := range cases {
		var ds []time.Duration
		for range c.runs {
			start := time.Now()
			if err := c.op(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			ds = append(ds, time.Since(start))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		t.Logf("%-45s median %10v  min %10v  (%d runs)", c.name, ds[len(ds)/2].Round(time.Microsecond), ds[0].Round(time.Microsecond), c.runs)
	}
}
