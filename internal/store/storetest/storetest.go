// Package storetest is the conformance suite for store.Store backends: one subtest per guarantee
// of the store package doc. A backend's test calls Run with a constructor of fresh, empty stores,
// and RunReopen if its data outlives Close.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

const (
	acct  = "123456789012"
	other = "210987654321"
)

// t0 has sub-second digits so that lost precision shows.
var t0 = time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.UTC)

// Run runs the suite. newStore must return a new, empty store; the suite closes it.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Accounts", testAccounts},
		{"Users", testUsers},
		{"CaseInsensitiveUniqueness", testUniqueness},
		{"Paging", testPaging},
		{"PagingStableUnderInserts", testPagingStable},
		{"InvalidMarker", testInvalidMarker},
		{"AccessKeys", testAccessKeys},
		{"AccessKeyUsesLeaveGeneration", testAccessKeyUses},
		{"PolicyUsesPerAccount", testPolicyUses},
		{"RoleUseLeavesGeneration", testRoleUse},
		{"Events", testEvents},
		{"GroupsAndMembership", testGroups},
		{"Roles", testRoles},
		{"ManagedPoliciesAndVersions", testPolicies},
		{"PolicyScopes", testPolicyScopes},
		{"PolicyCreatedAtVersion", testPolicyAtVersion},
		{"Attachments", testAttachments},
		{"InlinePolicies", testInlinePolicies},
		{"InstanceProfiles", testInstanceProfiles},
		{"Records", testRecords},
		{"Buckets", testBuckets},
		{"SealKeys", testSealKeys},
		{"SnapshotRead", testSnapshotRead},
		{"ReadTxRefusesWrites", testReadOnly},
		{"WriteAtomicity", testAtomicity},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Generation", testGeneration},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			mustWrite(t, s, func(tx store.Tx) error {
				for _, a := range []string{acct, other} {
					if err := tx.CreateAccount(ctx(), iam.Account{ID: a, CreateDate: t0}); err != nil {
						return err
					}
				}
				return nil
			})
			tc.fn(t, s)
		})
	}
}

// RunReopen checks that data written before Close is there after opening the same location
// again. open is called twice with the same dir.
func RunReopen(t *testing.T, open func(t *testing.T, dir string) store.Store) {
	dir := t.TempDir()
	s := open(t, dir)
	u := user(acct, "persisted")
	mustWrite(t, s, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx(), iam.Account{ID: acct, CreateDate: t0}); err != nil {
			return err
		}
		return tx.CreateUser(ctx(), u)
	})
	g1, err := s.Generation(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.User(ctx(), acct, "persisted")
		if err != nil {
			return err
		}
		diff(t, "user after reopen", u, got)
		return nil
	})
	if g2, err := s.Generation(ctx()); err != nil || g2 != g1 {
		t.Errorf("generation after reopen = %d, %v; want %d", g2, err, g1)
	}
}

// ---- helpers ----

func ctx() context.Context { return context.Background() }

func mustWrite(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Write(ctx(), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func mustRead(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Read(ctx(), fn); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error = %v, want %v", what, err, want)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func user(account, name string) iam.User {
	return iam.User{Account: account, UserID: iam.NewID(iam.PrefixUser), UserName: name, Path: "/", Arn: iam.UserARN(account, "/", name), CreateDate: t0}
}

func group(account, name string) iam.Group {
	return iam.Group{Account: account, GroupID: iam.NewID(iam.PrefixGroup), GroupName: name, Path: "/", Arn: iam.GroupARN(account, "/", name), CreateDate: t0}
}

func role(account, name string) iam.Role {
	return iam.Role{Account: account, RoleID: iam.NewID(iam.PrefixRole), RoleName: name, Path: "/", Arn: iam.RoleARN(account, "/", name), CreateDate: t0,
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[]}`, MaxSessionDuration: 3600}
}

func policy(account, name string) iam.ManagedPolicy {
	return iam.ManagedPolicy{Account: account, PolicyID: iam.NewID(iam.PrefixPolicy), PolicyName: name, Path: "/", Arn: iam.PolicyARN(account, "/", name),
		IsAttachable: true, CreateDate: t0, UpdateDate: t0}
}

func profile(account, name string) iam.InstanceProfile {
	return iam.InstanceProfile{Account: account, InstanceProfileID: iam.NewID(iam.PrefixInstanceProfile), InstanceProfileName: name, Path: "/",
		Arn: iam.InstanceProfileARN(account, "/", name), CreateDate: t0}
}

func accessKey(t *testing.T, account, userName string) iam.AccessKey {
	id, err := iam.NewAccessKeyID(iam.PrefixAccessKey, account)
	noErr(t, "NewAccessKeyID", err)
	return iam.AccessKey{Account: account, AccessKeyID: id, UserName: userName, Status: iam.StatusActive, SecretSealed: []byte("sealed:" + id), CreateDate: t0}
}

const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// ---- subtests ----

func testAccounts(t *testing.T, s store.Store) {
	mustWrite(t, s, func(tx store.Tx) error {
		wantErr(t, "duplicate account", tx.CreateAccount(ctx(), iam.Account{ID: acct}), store.ErrAlreadyExists)
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		a, err := tx.Account(ctx(), acct)
		noErr(t, "Account", err)
		diff(t, "account", iam.Account{ID: acct, CreateDate: t0}, a)
		_, err = tx.Account(ctx(), "999999999999")
		wantErr(t, "absent account", err, store.ErrNotFound)
		all, err := tx.Accounts(ctx())
		noErr(t, "Accounts", err)
		if len(all) != 2 || all[0].ID != acct || all[1].ID != other {
			t.Errorf("Accounts = %v", all)
		}
		return nil
	})
}

func testUsers(t *testing.T, s store.Store) {
	bob := user(acct, "Bob")
	bob.Tags = []iam.Tag{{Key: "team", Value: "a"}}
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx(), bob) })
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.User(ctx(), acct, "bOB")
		noErr(t, "User by other case", err)
		diff(t, "user", bob, got)
		got, err = tx.UserByID(ctx(), acct, bob.UserID)
		noErr(t, "UserByID", err)
		diff(t, "user by id", bob, got)
		_, err = tx.User(ctx(), other, "Bob")
		wantErr(t, "user in another account", err, store.ErrNotFound)
		n, err := tx.CountUsers(ctx(), acct)
		noErr(t, "CountUsers", err)
		if n != 1 {
			t.Errorf("CountUsers = %d, want 1", n)
		}
		return nil
	})
	// Rename, repath, boundary, tags: one update.
	renamed := bob
	renamed.UserName, renamed.Path = "robert", "/eng/"
	renamed.Arn = iam.UserARN(acct, "/eng/", "robert")
	renamed.PermissionsBoundary = iam.PolicyARN(acct, "/", "boundary")
	renamed.Tags = []iam.Tag{{Key: "team", Value: "b"}, {Key: "x", Value: ""}}
	renamed.PasswordLastUsed = t0.Add(time.Hour)
	mustWrite(t, s, func(tx store.Tx) error { return tx.UpdateUser(ctx(), renamed) })
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.User(ctx(), acct, "Bob")
		wantErr(t, "old name after rename", err, store.ErrNotFound)
		got, err := tx.User(ctx(), acct, "Robert")
		noErr(t, "User after rename", err)
		diff(t, "renamed user", renamed, got)
		return nil
	})
	ghost := user(acct, "ghost")
	err := s.Write(ctx(), func(tx store.Tx) error { return tx.UpdateUser(ctx(), ghost) })
	wantErr(t, "UpdateUser of absent user", err, store.ErrNotFound)
	err = s.Write(ctx(), func(tx store.Tx) error { return tx.DeleteUser(ctx(), acct, "ghost") })
	wantErr(t, "DeleteUser of absent user", err, store.ErrNotFound)
	mustWrite(t, s, func(tx store.Tx) error { return tx.DeleteUser(ctx(), acct, "ROBERT") })
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.UserByID(ctx(), acct, bob.UserID)
		wantErr(t, "deleted user", err, store.ErrNotFound)
		return nil
	})
}

func testUniqueness(t *testing.T, s store.Store) {
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "CreateUser", tx.CreateUser(ctx(), user(acct, "Alice")))
		noErr(t, "CreateUser bob", tx.CreateUser(ctx(), user(acct, "bob")))
		noErr(t, "same name, other account", tx.CreateUser(ctx(), user(other, "alice")))
		noErr(t, "same name, other kind", tx.CreateGroup(ctx(), group(acct, "alice")))
		noErr(t, "same name, role", tx.CreateRole(ctx(), role(acct, "ALICE")))
		return nil
	})
	tests := []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"user differing in case", func(tx store.Tx) error { return tx.CreateUser(ctx(), user(acct, "ALICE")) }},
		{"group differing in case", func(tx store.Tx) error { return tx.CreateGroup(ctx(), group(acct, "Alice")) }},
		{"role differing in case", func(tx store.Tx) error { return tx.CreateRole(ctx(), role(acct, "alice")) }},
		{"rename onto existing", func(tx store.Tx) error {
			b, err := tx.User(ctx(), acct, "bob")
			if err != nil {
				return err
			}
			b.UserName, b.Arn = "aLiCe", iam.UserARN(acct, "/", "aLiCe")
			return tx.UpdateUser(ctx(), b)
		}},
		{"policy differing in case", func(tx store.Tx) error {
			if err := tx.CreatePolicy(ctx(), policy(acct, "P"), doc); err != nil {
				return err
			}
			return tx.CreatePolicy(ctx(), policy(acct, "p"), doc)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, s.Write(ctx(), tc.fn), store.ErrAlreadyExists)
		})
	}
}

func names(users []iam.User) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.UserName)
	}
	return out
}

// listAll pages through users with the given page size.
func listAll(t *testing.T, s store.Store, opt store.ListOptions) []string {
	t.Helper()
	var all []string
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		var page store.Page[iam.User]
		mustRead(t, s, func(tx store.Tx) error {
			var err error
			page, err = tx.Users(ctx(), acct, opt)
			return err
		})
		if opt.MaxItems > 0 && len(page.Items) > opt.MaxItems {
			t.Fatalf("page of %d items, MaxItems %d", len(page.Items), opt.MaxItems)
		}
		all = append(all, names(page.Items)...)
		if !page.IsTruncated {
			if page.Marker != "" {
				t.Errorf("last page has marker %q", page.Marker)
			}
			return all
		}
		if page.Marker == "" {
			t.Fatal("truncated page without marker")
		}
		opt.Marker = page.Marker
	}
}

func testPaging(t *testing.T, s store.Store) {
	var want, eng []string
	mustWrite(t, s, func(tx store.Tx) error {
		for i := range 25 {
			u := user(acct, fmt.Sprintf("User%02d", i))
			if i%3 == 0 {
				u.Path, u.Arn = "/eng/team/", iam.UserARN(acct, "/eng/team/", u.UserName)
				eng = append(eng, u.UserName)
			}
			want = append(want, u.UserName)
			if err := tx.CreateUser(ctx(), u); err != nil {
				return err
			}
		}
		return tx.CreateUser(ctx(), user(other, "elsewhere"))
	})
	tests := []struct {
		name string
		opt  store.ListOptions
		want []string
	}{
		{"one page", store.ListOptions{}, want},
		{"pages of 7", store.ListOptions{MaxItems: 7}, want},
		{"pages of 1", store.ListOptions{MaxItems: 1}, want},
		{"exact fit", store.ListOptions{MaxItems: 25}, want},
		{"path prefix", store.ListOptions{PathPrefix: "/eng/", MaxItems: 3}, eng},
		{"partial path prefix", store.ListOptions{PathPrefix: "/en"}, eng},
		{"root prefix", store.ListOptions{PathPrefix: "/"}, want},
		{"no match", store.ListOptions{PathPrefix: "/ops/"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			diff(t, "listed names", tc.want, listAll(t, s, tc.opt))
		})
	}
	// Order is case-insensitive by name.
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx(), user(acct, "aardvark")) })
	if got := listAll(t, s, store.ListOptions{MaxItems: 2}); got[0] != "aardvark" {
		t.Errorf("first user = %q, want aardvark (case-insensitive order)", got[0])
	}
}

func testPagingStable(t *testing.T, s store.Store) {
	mustWrite(t, s, func(tx store.Tx) error {
		for i := range 10 {
			if err := tx.CreateUser(ctx(), user(acct, fmt.Sprintf("m%02d", i*2))); err != nil {
				return err
			}
		}
		return nil
	})
	var page store.Page[iam.User]
	mustRead(t, s, func(tx store.Tx) error {
		var err error
		page, err = tx.Users(ctx(), acct, store.ListOptions{MaxItems: 4})
		return err
	})
	seen := map[string]int{}
	for _, n := range names(page.Items) {
		seen[n]++
	}
	// Between pages: insert before and after the marker, delete one not yet listed.
	mustWrite(t, s, func(tx store.Tx) error {
		for _, n := range []string{"a-before", "m01", "m07", "z-after"} {
			if err := tx.CreateUser(ctx(), user(acct, n)); err != nil {
				return err
			}
		}
		return tx.DeleteUser(ctx(), acct, "m10")
	})
	for _, n := range listAll(t, s, store.ListOptions{MaxItems: 4, Marker: page.Marker}) {
		seen[n]++
	}
	for n, c := range seen {
		if c > 1 {
			t.Errorf("%s listed %d times", n, c)
		}
	}
	for i := range 10 {
		n := fmt.Sprintf("m%02d", i*2)
		if n != "m10" && seen[n] != 1 {
			t.Errorf("%s, present throughout, listed %d times", n, seen[n])
		}
	}
	if seen["m07"] != 1 || seen["z-after"] != 1 {
		t.Error("items inserted after the marker were not listed")
	}
}

func testInvalidMarker(t *testing.T, s store.Store) {
	err := s.Read(ctx(), func(tx store.Tx) error {
		_, err := tx.Users(ctx(), acct, store.ListOptions{Marker: "!!not a marker!!"})
		return err
	})
	wantErr(t, "Users with a foreign marker", err, store.ErrInvalidMarker)
}

func testAccessKeys(t *testing.T, s store.Store) {
	k1, k2, root := accessKey(t, acct, "kate"), accessKey(t, acct, "kate"), accessKey(t, acct, "")
	k2.CreateDate = t0.Add(time.Second)
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "CreateUser", tx.CreateUser(ctx(), user(acct, "kate")))
		noErr(t, "CreateAccessKey", tx.CreateAccessKey(ctx(), k1))
		noErr(t, "CreateAccessKey 2", tx.CreateAccessKey(ctx(), k2))
		noErr(t, "CreateAccessKey root", tx.CreateAccessKey(ctx(), root))
		wantErr(t, "key for absent user", tx.CreateAccessKey(ctx(), accessKey(t, acct, "nobody")), store.ErrNotFound)
		wantErr(t, "duplicate key id", tx.CreateAccessKey(ctx(), k1), store.ErrAlreadyExists)
		return nil
	})
	k1.UserName = "kate" // stored by user id, reported by current name
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.AccessKey(ctx(), k1.AccessKeyID)
		noErr(t, "AccessKey", err)
		diff(t, "access key", k1, got)
		got, err = tx.AccessKey(ctx(), root.AccessKeyID)
		noErr(t, "root AccessKey", err)
		diff(t, "root access key", root, got)
		_, err = tx.AccessKey(ctx(), "AKIAAAAAAAAAAAAAAAAA")
		wantErr(t, "absent key", err, store.ErrNotFound)
		keys, err := tx.AccessKeys(ctx(), acct, "KATE")
		noErr(t, "AccessKeys", err)
		diff(t, "kate's keys", []iam.AccessKey{k1, k2}, keys)
		keys, err = tx.AccessKeys(ctx(), acct, "")
		noErr(t, "root AccessKeys", err)
		diff(t, "root keys", []iam.AccessKey{root}, keys)
		n, err := tx.CountAccessKeys(ctx(), acct, "kate")
		noErr(t, "CountAccessKeys", err)
		if n != 2 {
			t.Errorf("CountAccessKeys = %d, want 2", n)
		}
		_, err = tx.CountAccessKeys(ctx(), acct, "nobody")
		wantErr(t, "count for absent user", err, store.ErrNotFound)
		return nil
	})
	used := iam.AccessKeyLastUsed{LastUsedDate: t0.Add(time.Minute), ServiceName: "iam", Region: "us-east-1"}
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "UpdateAccessKeyStatus", tx.UpdateAccessKeyStatus(ctx(), acct, k1.AccessKeyID, iam.StatusInactive))
		noErr(t, "RecordAccessKeyUse", tx.RecordAccessKeyUse(ctx(), k1.AccessKeyID, used))
		wantErr(t, "status in other account", tx.UpdateAccessKeyStatus(ctx(), other, k1.AccessKeyID, iam.StatusActive), store.ErrNotFound)
		wantErr(t, "DeleteUser with keys", tx.DeleteUser(ctx(), acct, "kate"), store.ErrConflict)
		// Renaming the user keeps its keys.
		u, err := tx.User(ctx(), acct, "kate")
		noErr(t, "User", err)
		u.UserName, u.Arn = "katherine", iam.UserARN(acct, "/", "katherine")
		return tx.UpdateUser(ctx(), u)
	})
	k1.Status, k1.LastUsed, k1.UserName = iam.StatusInactive, used, "katherine"
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.AccessKey(ctx(), k1.AccessKeyID)
		noErr(t, "AccessKey", err)
		diff(t, "updated key", k1, got)
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "DeleteAccessKey", tx.DeleteAccessKey(ctx(), acct, k1.AccessKeyID))
		noErr(t, "DeleteAccessKey 2", tx.DeleteAccessKey(ctx(), acct, k2.AccessKeyID))
		wantErr(t, "delete twice", tx.DeleteAccessKey(ctx(), acct, k1.AccessKeyID), store.ErrNotFound)
		return tx.DeleteUser(ctx(), acct, "katherine")
	})
}

func testGroups(t *testing.T, s store.Store) {
	dev := group(acct, "Dev")
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "CreateGroup", tx.CreateGroup(ctx(), dev))
		noErr(t, "CreateGroup ops", tx.CreateGroup(ctx(), group(acct, "ops")))
		for _, n := range []string{"u1", "u2", "u3"} {
			noErr(t, "CreateUser", tx.CreateUser(ctx(), user(acct, n)))
			noErr(t, "AddUserToGroup", tx.AddUserToGroup(ctx(), acct, "dev", n))
		}
		noErr(t, "AddUserToGroup again", tx.AddUserToGroup(ctx(), acct, "DEV", "u1"))
		noErr(t, "AddUserToGroup ops", tx.AddUserToGroup(ctx(), acct, "ops", "u1"))
		wantErr(t, "add absent user", tx.AddUserToGroup(ctx(), acct, "dev", "nobody"), store.ErrNotFound)
		wantErr(t, "add to absent group", tx.AddUserToGroup(ctx(), acct, "nogroup", "u1"), store.ErrNotFound)
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		g, err := tx.Group(ctx(), acct, "dev")
		noErr(t, "Group", err)
		diff(t, "group", dev, g)
		g, err = tx.GroupByID(ctx(), acct, dev.GroupID)
		noErr(t, "GroupByID", err)
		diff(t, "group by id", dev, g)
		members, err := tx.GroupMembers(ctx(), acct, "dev", store.ListOptions{MaxItems: 2})
		noErr(t, "GroupMembers", err)
		if got := names(members.Items); !members.IsTruncated || !cmp.Equal(got, []string{"u1", "u2"}) {
			t.Errorf("GroupMembers page = %v truncated=%v", got, members.IsTruncated)
		}
		members, err = tx.GroupMembers(ctx(), acct, "dev", store.ListOptions{Marker: members.Marker})
		noErr(t, "GroupMembers page 2", err)
		diff(t, "members page 2", []string{"u3"}, names(members.Items))
		gs, err := tx.GroupsForUser(ctx(), acct, "u1", store.ListOptions{})
		noErr(t, "GroupsForUser", err)
		if len(gs.Items) != 2 || gs.Items[0].GroupName != "Dev" || gs.Items[1].GroupName != "ops" {
			t.Errorf("GroupsForUser = %v", gs.Items)
		}
		n, err := tx.CountGroupsForUser(ctx(), acct, "u1")
		noErr(t, "CountGroupsForUser", err)
		if n != 2 {
			t.Errorf("CountGroupsForUser = %d, want 2", n)
		}
		all, err := tx.Groups(ctx(), acct, store.ListOptions{})
		noErr(t, "Groups", err)
		if len(all.Items) != 2 {
			t.Errorf("Groups = %v", all.Items)
		}
		if n, err := tx.CountGroups(ctx(), acct); err != nil || n != 2 {
			t.Errorf("CountGroups = %d, %v", n, err)
		}
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		wantErr(t, "DeleteGroup with members", tx.DeleteGroup(ctx(), acct, "ops"), store.ErrConflict)
		wantErr(t, "DeleteUser in a group", tx.DeleteUser(ctx(), acct, "u1"), store.ErrConflict)
		noErr(t, "RemoveUserFromGroup", tx.RemoveUserFromGroup(ctx(), acct, "ops", "U1"))
		wantErr(t, "remove non-member", tx.RemoveUserFromGroup(ctx(), acct, "ops", "u1"), store.ErrNotFound)
		noErr(t, "DeleteGroup", tx.DeleteGroup(ctx(), acct, "ops"))
		// Renaming a group keeps its members.
		g, err := tx.Group(ctx(), acct, "dev")
		noErr(t, "Group", err)
		g.GroupName, g.Path, g.Arn = "developers", "/eng/", iam.GroupARN(acct, "/eng/", "developers")
		noErr(t, "UpdateGroup", tx.UpdateGroup(ctx(), g))
		m, err := tx.GroupMembers(ctx(), acct, "developers", store.ListOptions{})
		noErr(t, "GroupMembers after rename", err)
		if len(m.Items) != 3 {
			t.Errorf("members after rename = %v", names(m.Items))
		}
		return nil
	})
}

func testRoles(t *testing.T, s store.Store) {
	r := role(acct, "Deployer")
	r.Description, r.MaxSessionDuration = "deploys things", 7200
	r.PermissionsBoundary = iam.PolicyARN(acct, "/", "b")
	r.Tags = []iam.Tag{{Key: "k", Value: "v"}}
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreateRole(ctx(), r) })
	used := iam.RoleLastUsed{LastUsedDate: t0.Add(time.Hour), Region: "eu-west-1"}
	mustWrite(t, s, func(tx store.Tx) error {
		wantErr(t, "RecordRoleUse absent", tx.RecordRoleUse(ctx(), acct, "AROANOPE", used), store.ErrNotFound)
		return tx.RecordRoleUse(ctx(), acct, r.RoleID, used)
	})
	r.LastUsed = used
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Role(ctx(), acct, "deployer")
		noErr(t, "Role", err)
		diff(t, "role", r, got)
		got, err = tx.RoleByID(ctx(), acct, r.RoleID)
		noErr(t, "RoleByID", err)
		diff(t, "role by id", r, got)
		page, err := tx.Roles(ctx(), acct, store.ListOptions{})
		noErr(t, "Roles", err)
		diff(t, "roles", []iam.Role{r}, page.Items)
		if n, err := tx.CountRoles(ctx(), acct); err != nil || n != 1 {
			t.Errorf("CountRoles = %d, %v", n, err)
		}
		return nil
	})
	r.AssumeRolePolicyDocument = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
	r.Description = ""
	mustWrite(t, s, func(tx store.Tx) error { return tx.UpdateRole(ctx(), r) })
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Role(ctx(), acct, "Deployer")
		noErr(t, "Role", err)
		diff(t, "updated role", r, got)
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error { return tx.DeleteRole(ctx(), acct, "DEPLOYER") })
	err := s.Read(ctx(), func(tx store.Tx) error { _, err := tx.Role(ctx(), acct, "Deployer"); return err })
	wantErr(t, "deleted role", err, store.ErrNotFound)
}

func testPolicies(t *testing.T, s store.Store) {
	p := policy(acct, "ReadAll")
	p.Description = "read"
	p.Tags = []iam.Tag{{Key: "a", Value: "b"}}
	v := func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"v%d","Effect":"Allow","Action":"*","Resource":"*"}]}`, i)
	}
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreatePolicy(ctx(), p, v(1)) })
	p.DefaultVersionID = "v1"
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Policy(ctx(), p.Arn)
		noErr(t, "Policy", err)
		diff(t, "policy", p, got)
		pv, err := tx.PolicyVersion(ctx(), p.Arn, "v1")
		noErr(t, "PolicyVersion", err)
		diff(t, "v1", iam.PolicyVersion{VersionID: "v1", Document: v(1), IsDefaultVersion: true, CreateDate: t0}, pv)
		_, err = tx.Policy(ctx(), iam.PolicyARN(acct, "/", "nope"))
		wantErr(t, "absent policy", err, store.ErrNotFound)
		_, err = tx.PolicyVersion(ctx(), p.Arn, "v9")
		wantErr(t, "absent version", err, store.ErrNotFound)
		_, err = tx.PolicyVersion(ctx(), p.Arn, "v01")
		wantErr(t, "non-canonical version id", err, store.ErrNotFound)
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		v2, err := tx.CreatePolicyVersion(ctx(), p.Arn, v(2), false, t0.Add(time.Minute))
		noErr(t, "CreatePolicyVersion", err)
		diff(t, "v2", iam.PolicyVersion{VersionID: "v2", Document: v(2), CreateDate: t0.Add(time.Minute)}, v2)
		v3, err := tx.CreatePolicyVersion(ctx(), p.Arn, v(3), true, t0.Add(2*time.Minute))
		noErr(t, "CreatePolicyVersion default", err)
		if v3.VersionID != "v3" || !v3.IsDefaultVersion {
			t.Errorf("v3 = %+v", v3)
		}
		wantErr(t, "delete default", tx.DeletePolicyVersion(ctx(), p.Arn, "v3"), store.ErrConflict)
		noErr(t, "delete v2", tx.DeletePolicyVersion(ctx(), p.Arn, "v2"))
		wantErr(t, "delete v2 again", tx.DeletePolicyVersion(ctx(), p.Arn, "v2"), store.ErrNotFound)
		v4, err := tx.CreatePolicyVersion(ctx(), p.Arn, v(4), false, t0.Add(3*time.Minute))
		noErr(t, "CreatePolicyVersion after delete", err)
		if v4.VersionID != "v4" {
			t.Errorf("version after deleting v2 = %s, want v4 (ids are never reused)", v4.VersionID)
		}
		noErr(t, "SetDefaultPolicyVersion", tx.SetDefaultPolicyVersion(ctx(), p.Arn, "v1"))
		wantErr(t, "set absent default", tx.SetDefaultPolicyVersion(ctx(), p.Arn, "v2"), store.ErrNotFound)
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		vs, err := tx.PolicyVersions(ctx(), p.Arn)
		noErr(t, "PolicyVersions", err)
		var ids []string
		for _, pv := range vs {
			ids = append(ids, pv.VersionID)
			if pv.IsDefaultVersion != (pv.VersionID == "v1") {
				t.Errorf("%s IsDefaultVersion = %v", pv.VersionID, pv.IsDefaultVersion)
			}
		}
		diff(t, "version ids", []string{"v4", "v3", "v1"}, ids)
		got, err := tx.Policy(ctx(), p.Arn)
		noErr(t, "Policy", err)
		if got.DefaultVersionID != "v1" {
			t.Errorf("DefaultVersionID = %s, want v1", got.DefaultVersionID)
		}
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		up := p
		up.Description, up.Tags, up.UpdateDate = "changed", nil, t0.Add(time.Hour)
		up.DefaultVersionID = "v4" // ignored: defaults move only through SetDefaultPolicyVersion
		noErr(t, "UpdatePolicy", tx.UpdatePolicy(ctx(), up))
		got, err := tx.Policy(ctx(), p.Arn)
		noErr(t, "Policy", err)
		if got.Description != "changed" || len(got.Tags) != 0 || got.DefaultVersionID != "v1" || !got.UpdateDate.Equal(t0.Add(time.Hour)) {
			t.Errorf("after UpdatePolicy: %+v", got)
		}
		// A boundary user blocks deletion and is counted.
		u := user(acct, "bounded")
		u.PermissionsBoundary = p.Arn
		noErr(t, "CreateUser", tx.CreateUser(ctx(), u))
		got, err = tx.Policy(ctx(), p.Arn)
		noErr(t, "Policy", err)
		if got.PermissionsBoundaryUsageCount != 1 {
			t.Errorf("PermissionsBoundaryUsageCount = %d, want 1", got.PermissionsBoundaryUsageCount)
		}
		wantErr(t, "delete boundary policy", tx.DeletePolicy(ctx(), p.Arn), store.ErrConflict)
		noErr(t, "DeleteUser", tx.DeleteUser(ctx(), acct, "bounded"))
		noErr(t, "DeletePolicy", tx.DeletePolicy(ctx(), p.Arn))
		_, err = tx.PolicyVersion(ctx(), p.Arn, "v1")
		wantErr(t, "version of deleted policy", err, store.ErrNotFound)
		if n, err := tx.CountPolicies(ctx(), acct); err != nil || n != 0 {
			t.Errorf("CountPolicies = %d, %v", n, err)
		}
		return nil
	})
}

func testPolicyScopes(t *testing.T, s store.Store) {
	mustWrite(t, s, func(tx store.Tx) error {
		for _, p := range []iam.ManagedPolicy{policy("aws", "AdministratorAccess"), policy("aws", "Shared"), policy(acct, "Shared"), policy(acct, "mine"), policy(other, "theirs")} {
			if err := tx.CreatePolicy(ctx(), p, doc); err != nil {
				return err
			}
		}
		noErr(t, "CreateRole", tx.CreateRole(ctx(), role(acct, "r")))
		return tx.AttachPolicy(ctx(), acct, iam.KindRole, "r", iam.PolicyARN(acct, "/", "mine"))
	})
	arns := func(opt store.PolicyListOptions) []string {
		var out []string
		for {
			var page store.Page[iam.ManagedPolicy]
			mustRead(t, s, func(tx store.Tx) error {
				var err error
				page, err = tx.Policies(ctx(), acct, opt)
				return err
			})
			for _, p := range page.Items {
				out = append(out, p.Arn)
			}
			if !page.IsTruncated {
				sort.Strings(out)
				return out
			}
			opt.Marker = page.Marker
		}
	}
	aws := func(n string) string { return iam.PolicyARN("aws", "/", n) }
	local := func(n string) string { return iam.PolicyARN(acct, "/", n) }
	tests := []struct {
		name string
		opt  store.PolicyListOptions
		want []string
	}{
		{"all", store.PolicyListOptions{}, []string{aws("AdministratorAccess"), aws("Shared"), local("Shared"), local("mine")}},
		{"all, pages of 1 across equal names", store.PolicyListOptions{ListOptions: store.ListOptions{MaxItems: 1}}, []string{aws("AdministratorAccess"), aws("Shared"), local("Shared"), local("mine")}},
		{"aws", store.PolicyListOptions{Scope: store.ScopeAWS}, []string{aws("AdministratorAccess"), aws("Shared")}},
		{"local", store.PolicyListOptions{Scope: store.ScopeLocal}, []string{local("Shared"), local("mine")}},
		{"only attached", store.PolicyListOptions{OnlyAttached: true}, []string{local("mine")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sort.Strings(tc.want)
			diff(t, "policy ARNs", tc.want, arns(tc.opt))
		})
	}
}

func testAttachments(t *testing.T, s store.Store) {
	p1, p2 := policy(acct, "p1"), policy(acct, "p2")
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "CreatePolicy", tx.CreatePolicy(ctx(), p1, doc))
		noErr(t, "CreatePolicy", tx.CreatePolicy(ctx(), p2, doc))
		noErr(t, "CreateUser", tx.CreateUser(ctx(), user(acct, "u")))
		noErr(t, "CreateGroup", tx.CreateGroup(ctx(), group(acct, "g")))
		noErr(t, "CreateRole", tx.CreateRole(ctx(), role(acct, "r")))
		for _, k := range []iam.EntityKind{iam.KindUser, iam.KindGroup, iam.KindRole} {
			noErr(t, "AttachPolicy", tx.AttachPolicy(ctx(), acct, k, string(k)[:1], p1.Arn))
		}
		noErr(t, "AttachPolicy twice", tx.AttachPolicy(ctx(), acct, iam.KindUser, "U", p1.Arn))
		noErr(t, "AttachPolicy p2", tx.AttachPolicy(ctx(), acct, iam.KindUser, "u", p2.Arn))
		wantErr(t, "attach absent policy", tx.AttachPolicy(ctx(), acct, iam.KindUser, "u", iam.PolicyARN(acct, "/", "none")), store.ErrNotFound)
		wantErr(t, "attach to absent role", tx.AttachPolicy(ctx(), acct, iam.KindRole, "none", p1.Arn), store.ErrNotFound)
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Policy(ctx(), p1.Arn)
		noErr(t, "Policy", err)
		if got.AttachmentCount != 3 {
			t.Errorf("AttachmentCount = %d, want 3", got.AttachmentCount)
		}
		n, err := tx.CountAttachedPolicies(ctx(), acct, iam.KindUser, "u")
		noErr(t, "CountAttachedPolicies", err)
		if n != 2 {
			t.Errorf("CountAttachedPolicies = %d, want 2", n)
		}
		page, err := tx.AttachedPolicies(ctx(), acct, iam.KindUser, "u", store.ListOptions{MaxItems: 1})
		noErr(t, "AttachedPolicies", err)
		if len(page.Items) != 1 || !page.IsTruncated || page.Items[0] != (iam.AttachedPolicy{PolicyName: "p1", PolicyArn: p1.Arn}) {
			t.Errorf("AttachedPolicies page 1 = %+v", page)
		}
		page, err = tx.AttachedPolicies(ctx(), acct, iam.KindUser, "u", store.ListOptions{Marker: page.Marker})
		noErr(t, "AttachedPolicies page 2", err)
		diff(t, "page 2", []iam.AttachedPolicy{{PolicyName: "p2", PolicyArn: p2.Arn}}, page.Items)
		ents, err := tx.PolicyAttachments(ctx(), p1.Arn)
		noErr(t, "PolicyAttachments", err)
		var kinds []string
		for _, e := range ents {
			kinds = append(kinds, string(e.Kind)+":"+e.Name)
		}
		diff(t, "attached entities", []string{"group:g", "role:r", "user:u"}, kinds)
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		wantErr(t, "DeletePolicy while attached", tx.DeletePolicy(ctx(), p2.Arn), store.ErrConflict)
		wantErr(t, "DeleteUser with attachments", tx.DeleteUser(ctx(), acct, "u"), store.ErrConflict)
		wantErr(t, "DeleteRole with attachments", tx.DeleteRole(ctx(), acct, "r"), store.ErrConflict)
		noErr(t, "DetachPolicy", tx.DetachPolicy(ctx(), acct, iam.KindUser, "u", p2.Arn))
		wantErr(t, "detach again", tx.DetachPolicy(ctx(), acct, iam.KindUser, "u", p2.Arn), store.ErrNotFound)
		noErr(t, "DeletePolicy", tx.DeletePolicy(ctx(), p2.Arn))
		got, err := tx.Policy(ctx(), p1.Arn)
		noErr(t, "Policy", err)
		if got.AttachmentCount != 3 {
			t.Errorf("AttachmentCount = %d, want 3", got.AttachmentCount)
		}
		return nil
	})
}

func testInlinePolicies(t *testing.T, s store.Store) {
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "CreateRole", tx.CreateRole(ctx(), role(acct, "r")))
		for _, n := range []string{"Beta", "alpha", "gamma"} {
			noErr(t, "PutInlinePolicy", tx.PutInlinePolicy(ctx(), acct, iam.InlinePolicy{Kind: iam.KindRole, PrincipalName: "r", PolicyName: n, Document: doc}))
		}
		// Same name in another case replaces, taking the new spelling.
		noErr(t, "replace", tx.PutInlinePolicy(ctx(), acct, iam.InlinePolicy{Kind: iam.KindRole, PrincipalName: "R", PolicyName: "ALPHA", Document: "{}"}))
		wantErr(t, "put on absent user", tx.PutInlinePolicy(ctx(), acct, iam.InlinePolicy{Kind: iam.KindUser, PrincipalName: "r", PolicyName: "x", Document: doc}), store.ErrNotFound)
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		p, err := tx.InlinePolicy(ctx(), acct, iam.KindRole, "r", "alpha")
		noErr(t, "InlinePolicy", err)
		diff(t, "inline policy", iam.InlinePolicy{Kind: iam.KindRole, PrincipalName: "r", PolicyName: "ALPHA", Document: "{}"}, p)
		all, err := tx.InlinePolicies(ctx(), acct, iam.KindRole, "r")
		noErr(t, "InlinePolicies", err)
		if len(all) != 3 {
			t.Errorf("InlinePolicies = %d, want 3", len(all))
		}
		var got []string
		opt := store.ListOptions{MaxItems: 2}
		for {
			page, err := tx.InlinePolicyNames(ctx(), acct, iam.KindRole, "r", opt)
			noErr(t, "InlinePolicyNames", err)
			got = append(got, page.Items...)
			if !page.IsTruncated {
				break
			}
			opt.Marker = page.Marker
		}
		diff(t, "inline names", []string{"ALPHA", "Beta", "gamma"}, got)
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		wantErr(t, "DeleteRole with inline policies", tx.DeleteRole(ctx(), acct, "r"), store.ErrConflict)
		for _, n := range []string{"alpha", "BETA", "gamma"} {
			noErr(t, "DeleteInlinePolicy", tx.DeleteInlinePolicy(ctx(), acct, iam.KindRole, "r", n))
		}
		wantErr(t, "delete twice", tx.DeleteInlinePolicy(ctx(), acct, iam.KindRole, "r", "alpha"), store.ErrNotFound)
		_, err := tx.InlinePolicy(ctx(), acct, iam.KindRole, "r", "alpha")
		wantErr(t, "get deleted", err, store.ErrNotFound)
		return tx.DeleteRole(ctx(), acct, "r")
	})
}

func testInstanceProfiles(t *testing.T, s store.Store) {
	ip := profile(acct, "web")
	ip.Tags = []iam.Tag{{Key: "t", Value: "v"}}
	r := role(acct, "webrole")
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "CreateInstanceProfile", tx.CreateInstanceProfile(ctx(), ip))
		noErr(t, "CreateInstanceProfile 2", tx.CreateInstanceProfile(ctx(), profile(acct, "other")))
		noErr(t, "CreateRole", tx.CreateRole(ctx(), r))
		noErr(t, "CreateRole 2", tx.CreateRole(ctx(), role(acct, "second")))
		noErr(t, "AddRoleToInstanceProfile", tx.AddRoleToInstanceProfile(ctx(), acct, "WEB", "webrole"))
		wantErr(t, "second role", tx.AddRoleToInstanceProfile(ctx(), acct, "web", "second"), store.ErrConflict)
		wantErr(t, "duplicate profile", tx.CreateInstanceProfile(ctx(), profile(acct, "Web")), store.ErrAlreadyExists)
		return nil
	})
	ip.Roles = []iam.Role{r}
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.InstanceProfile(ctx(), acct, "web")
		noErr(t, "InstanceProfile", err)
		diff(t, "instance profile", ip, got)
		page, err := tx.InstanceProfilesForRole(ctx(), acct, "WebRole", store.ListOptions{})
		noErr(t, "InstanceProfilesForRole", err)
		diff(t, "profiles for role", []iam.InstanceProfile{ip}, page.Items)
		all, err := tx.InstanceProfiles(ctx(), acct, store.ListOptions{})
		noErr(t, "InstanceProfiles", err)
		if len(all.Items) != 2 {
			t.Errorf("InstanceProfiles = %d items, want 2", len(all.Items))
		}
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		wantErr(t, "DeleteRole in profile", tx.DeleteRole(ctx(), acct, "webrole"), store.ErrConflict)
		wantErr(t, "DeleteInstanceProfile with role", tx.DeleteInstanceProfile(ctx(), acct, "web"), store.ErrConflict)
		wantErr(t, "remove role not in it", tx.RemoveRoleFromInstanceProfile(ctx(), acct, "web", "second"), store.ErrNotFound)
		noErr(t, "RemoveRoleFromInstanceProfile", tx.RemoveRoleFromInstanceProfile(ctx(), acct, "web", "webrole"))
		up := ip
		up.Tags = nil
		noErr(t, "UpdateInstanceProfile", tx.UpdateInstanceProfile(ctx(), up))
		got, err := tx.InstanceProfile(ctx(), acct, "web")
		noErr(t, "InstanceProfile", err)
		if len(got.Roles) != 0 || len(got.Tags) != 0 {
			t.Errorf("profile after removal = %+v", got)
		}
		noErr(t, "DeleteInstanceProfile", tx.DeleteInstanceProfile(ctx(), acct, "web"))
		return tx.DeleteRole(ctx(), acct, "webrole")
	})
}

func testSealKeys(t *testing.T, s store.Store) {
	keys := []store.SealKey{{ID: 2, Wrapped: []byte("w2"), CreateDate: t0}, {ID: 1, Wrapped: []byte("w1"), CreateDate: t0.Add(-time.Hour)}}
	mustWrite(t, s, func(tx store.Tx) error {
		for _, k := range keys {
			noErr(t, "AddSealKey", tx.AddSealKey(ctx(), k))
		}
		wantErr(t, "duplicate id", tx.AddSealKey(ctx(), keys[0]), store.ErrAlreadyExists)
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.SealKeys(ctx())
		noErr(t, "SealKeys", err)
		diff(t, "seal keys", []store.SealKey{keys[1], keys[0]}, got)
		return nil
	})
}

func testSnapshotRead(t *testing.T, s store.Store) {
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx(), user(acct, "first")) })
	mustRead(t, s, func(tx store.Tx) error {
		before, err := tx.CountUsers(ctx(), acct)
		noErr(t, "CountUsers", err)
		// A Write that commits while this Read is open must not become visible to it.
		done := make(chan error)
		go func() {
			done <- s.Write(ctx(), func(wtx store.Tx) error { return wtx.CreateUser(ctx(), user(acct, "second")) })
		}()
		noErr(t, "concurrent Write", <-done)
		after, err := tx.CountUsers(ctx(), acct)
		noErr(t, "CountUsers", err)
		_, err = tx.User(ctx(), acct, "second")
		if before != 1 || after != 1 || !errors.Is(err, store.ErrNotFound) {
			t.Errorf("snapshot broken: count %d then %d, User(second) err %v", before, after, err)
		}
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.User(ctx(), acct, "second")
		noErr(t, "User committed before this Read", err)
		return nil
	})
}

func testReadOnly(t *testing.T, s store.Store) {
	err := s.Read(ctx(), func(tx store.Tx) error { return tx.CreateUser(ctx(), user(acct, "sneaky")) })
	if err == nil {
		t.Error("CreateUser inside Read succeeded")
	}
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.User(ctx(), acct, "sneaky")
		wantErr(t, "user written in Read", err, store.ErrNotFound)
		return nil
	})
}

func testAtomicity(t *testing.T, s store.Store) {
	g0, err := s.Generation(ctx())
	noErr(t, "Generation", err)
	boom := errors.New("boom")
	err = s.Write(ctx(), func(tx store.Tx) error {
		noErr(t, "CreateUser", tx.CreateUser(ctx(), user(acct, "rolled")))
		noErr(t, "CreateGroup", tx.CreateGroup(ctx(), group(acct, "rolled")))
		noErr(t, "AddUserToGroup", tx.AddUserToGroup(ctx(), acct, "rolled", "rolled"))
		return fmt.Errorf("wrapped: %w", boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write error = %v, want fn's error", err)
	}
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.User(ctx(), acct, "rolled")
		wantErr(t, "user of failed Write", err, store.ErrNotFound)
		_, err = tx.Group(ctx(), acct, "rolled")
		wantErr(t, "group of failed Write", err, store.ErrNotFound)
		return nil
	})
	if g1, err := s.Generation(ctx()); err != nil || g1 != g0 {
		t.Errorf("generation after failed Write = %d, %v; want %d", g1, err, g0)
	}
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx(), user(acct, "racer")) })
	const workers = 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Write(ctx(), func(tx store.Tx) error {
				n, err := tx.CountAccessKeys(ctx(), acct, "racer")
				if err != nil || n >= iam.MaxAccessKeysPerUser {
					return err
				}
				return tx.CreateAccessKey(ctx(), accessKey(t, acct, "racer"))
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, "concurrent Write", err)
	}
	mustRead(t, s, func(tx store.Tx) error {
		n, err := tx.CountAccessKeys(ctx(), acct, "racer")
		noErr(t, "CountAccessKeys", err)
		if n != iam.MaxAccessKeysPerUser {
			t.Errorf("after %d racing writers: %d keys, want exactly %d", workers, n, iam.MaxAccessKeysPerUser)
		}
		return nil
	})
}

func testGeneration(t *testing.T, s store.Store) {
	prev, err := s.Generation(ctx())
	noErr(t, "Generation", err)
	for i := range 3 {
		mustWrite(t, s, func(tx store.Tx) error { return tx.CreateUser(ctx(), user(acct, fmt.Sprintf("gen%d", i))) })
		g, err := s.Generation(ctx())
		noErr(t, "Generation", err)
		if g <= prev {
			t.Fatalf("generation %d after a Write, was %d", g, prev)
		}
		prev = g
	}
	mustRead(t, s, func(tx store.Tx) error { _, err := tx.CountUsers(ctx(), acct); return err })
	if g, _ := s.Generation(ctx()); g != prev {
		t.Errorf("generation moved on a Read: %d → %d", prev, g)
	}
	// A Write that only looked (the start-up checks) writes nothing, so caches stay valid.
	mustWrite(t, s, func(tx store.Tx) error { _, err := tx.CountUsers(ctx(), acct); return err })
	if g, _ := s.Generation(ctx()); g != prev {
		t.Errorf("generation moved on a Write that changed nothing: %d → %d", prev, g)
	}
}

// testPolicyAtVersion: a policy created with DefaultVersionID (as AWS managed policies are
// seeded) has that version as its only and default one, and the next version follows it.
func testPolicyAtVersion(t *testing.T, s store.Store) {
	p := policy("aws", "Seeded")
	p.DefaultVersionID = "v12"
	p.UpdateDate = t0.Add(time.Hour)
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreatePolicy(ctx(), p, `{"v":12}`) })
	mustWrite(t, s, func(tx store.Tx) error {
		got, err := tx.Policy(ctx(), p.Arn)
		noErr(t, "Policy", err)
		if got.DefaultVersionID != "v12" {
			t.Errorf("DefaultVersionID = %s, want v12", got.DefaultVersionID)
		}
		vs, err := tx.PolicyVersions(ctx(), p.Arn)
		noErr(t, "PolicyVersions", err)
		if len(vs) != 1 || vs[0].VersionID != "v12" || !vs[0].IsDefaultVersion || !vs[0].CreateDate.Equal(p.UpdateDate) {
			t.Errorf("versions = %+v, want only v12, default, created at UpdateDate", vs)
		}
		next, err := tx.CreatePolicyVersion(ctx(), p.Arn, `{"v":13}`, false, t0)
		noErr(t, "CreatePolicyVersion", err)
		if next.VersionID != "v13" {
			t.Errorf("next version = %s, want v13", next.VersionID)
		}
		return nil
	})
	bad := policy(acct, "Bad")
	bad.DefaultVersionID = "12"
	if err := s.Write(ctx(), func(tx store.Tx) error { return tx.CreatePolicy(ctx(), bad, `{}`) }); err == nil {
		t.Error("CreatePolicy with version id 12: no error")
	}
}

// testRecords: records are unique per (account, kind) case-insensitively, returned as written,
// paged by name, found by owner, and keep their owning user from being deleted.
func testRecords(t *testing.T, s store.Store) {
	u := user(acct, "owner")
	rec := func(kind, name, owner string) store.Record {
		return store.Record{Account: acct, Kind: kind, Name: name, OwnerID: owner, Data: []byte(`{"n":"` + name + `"}`)}
	}
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "CreateUser", tx.CreateUser(ctx(), u))
		for _, n := range []string{"Charlie", "alpha", "Bravo"} {
			noErr(t, "CreateRecord", tx.CreateRecord(ctx(), rec("mfa", n, u.UserID)))
		}
		noErr(t, "same name, other kind", tx.CreateRecord(ctx(), rec("ssh", "alpha", "")))
		noErr(t, "same name, other account", tx.CreateRecord(ctx(), store.Record{Account: other, Kind: "mfa", Name: "ALPHA", Data: []byte("{}")}))
		return nil
	})
	wantErr(t, "duplicate", s.Write(ctx(), func(tx store.Tx) error { return tx.CreateRecord(ctx(), rec("mfa", "ALPHA", "")) }), store.ErrAlreadyExists)
	wantErr(t, "DeleteUser with records", s.Write(ctx(), func(tx store.Tx) error { return tx.DeleteUser(ctx(), acct, "owner") }), store.ErrConflict)
	wantErr(t, "update absent", s.Write(ctx(), func(tx store.Tx) error { return tx.UpdateRecord(ctx(), rec("mfa", "delta", "")) }), store.ErrNotFound)
	wantErr(t, "delete absent", s.Write(ctx(), func(tx store.Tx) error { return tx.DeleteRecord(ctx(), acct, "mfa", "delta") }), store.ErrNotFound)
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Record(ctx(), acct, "mfa", "BRAVO")
		noErr(t, "Record", err)
		diff(t, "record", rec("mfa", "Bravo", u.UserID), got)
		var names []string
		opt := store.ListOptions{MaxItems: 2}
		for {
			page, err := tx.Records(ctx(), acct, "mfa", opt)
			noErr(t, "Records", err)
			for _, r := range page.Items {
				names = append(names, r.Name)
			}
			if !page.IsTruncated {
				break
			}
			opt.Marker = page.Marker
		}
		diff(t, "paged names", []string{"alpha", "Bravo", "Charlie"}, names)
		owned, err := tx.RecordsByOwner(ctx(), acct, "mfa", u.UserID)
		noErr(t, "RecordsByOwner", err)
		if len(owned) != 3 {
			t.Errorf("RecordsByOwner = %d records, want 3", len(owned))
		}
		n, err := tx.CountRecords(ctx(), acct, "ssh")
		noErr(t, "CountRecords", err)
		if n != 1 {
			t.Errorf("CountRecords(ssh) = %d, want 1", n)
		}
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		r := rec("mfa", "alpha", "")
		r.Data = []byte(`{"changed":true}`)
		noErr(t, "UpdateRecord", tx.UpdateRecord(ctx(), r))
		for _, n := range []string{"alpha", "Bravo", "Charlie"} {
			noErr(t, "DeleteRecord", tx.DeleteRecord(ctx(), acct, "mfa", n))
		}
		return tx.DeleteUser(ctx(), acct, "owner")
	})
}

// testAccessKeyUses: last-used data is written outside the generation, and unknown keys are
// skipped.
func testAccessKeyUses(t *testing.T, s store.Store) {
	k := accessKey(t, acct, "")
	mustWrite(t, s, func(tx store.Tx) error {
		return tx.CreateAccessKey(ctx(), k)
	})
	before, err := s.Generation(ctx())
	noErr(t, "Generation", err)
	used := iam.AccessKeyLastUsed{LastUsedDate: t0.Add(time.Hour), ServiceName: "sts", Region: "eu-west-3"}
	noErr(t, "RecordAccessKeyUses", s.RecordAccessKeyUses(ctx(), map[string]iam.AccessKeyLastUsed{
		k.AccessKeyID: used, "AKIAAAAAAAAAAAAAAAAA": used,
	}))
	after, err := s.Generation(ctx())
	noErr(t, "Generation", err)
	if after != before {
		t.Errorf("generation moved from %d to %d", before, after)
	}
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.AccessKey(ctx(), k.AccessKeyID)
		noErr(t, "AccessKey", err)
		diff(t, "last used", used, got.LastUsed)
		return nil
	})
}

// testPolicyUses: a policy shared by accounts (an AWS managed one) counts each account's uses apart.
func testPolicyUses(t *testing.T, s store.Store) {
	shared := policy("aws", "Shared")
	mustWrite(t, s, func(tx store.Tx) error { // both accounts exist already
		noErr(t, "CreatePolicy", tx.CreatePolicy(ctx(), shared, `{}`))
		noErr(t, "CreateUser", tx.CreateUser(ctx(), user(acct, "a1")))
		noErr(t, "CreateUser", tx.CreateUser(ctx(), user(other, "b1")))
		noErr(t, "CreateUser", tx.CreateUser(ctx(), user(other, "b2")))
		noErr(t, "Attach", tx.AttachPolicy(ctx(), acct, iam.KindUser, "a1", shared.Arn))
		noErr(t, "Attach", tx.AttachPolicy(ctx(), other, iam.KindUser, "b1", shared.Arn))
		noErr(t, "Attach", tx.AttachPolicy(ctx(), other, iam.KindUser, "b2", shared.Arn))
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		for account, want := range map[string]int{acct: 1, other: 2} {
			n, b, err := tx.PolicyUses(ctx(), account, shared.Arn)
			noErr(t, "PolicyUses", err)
			if n != want || b != 0 {
				t.Errorf("%s: uses %d/%d, want %d/0", account, n, b, want)
			}
			page, err := tx.Policies(ctx(), account, store.PolicyListOptions{Scope: store.ScopeAWS})
			noErr(t, "Policies", err)
			if len(page.Items) != 1 || page.Items[0].AttachmentCount != want {
				t.Errorf("%s: listed %+v, want AttachmentCount %d", account, page.Items, want)
			}
		}
		_, _, err := tx.PolicyUses(ctx(), acct, "arn:aws:iam::aws:policy/None")
		wantErr(t, "absent policy", err, store.ErrNotFound)
		return nil
	})
}

// testRoleUse: RoleLastUsed is written outside the generation; a missing role is ErrNotFound.
func testRoleUse(t *testing.T, s store.Store) {
	r := role(acct, "used")
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreateRole(ctx(), r) })
	before, err := s.Generation(ctx())
	noErr(t, "Generation", err)
	used := iam.RoleLastUsed{LastUsedDate: t0.Add(time.Hour), Region: "eu-west-3"}
	noErr(t, "RecordRoleUse", s.RecordRoleUse(ctx(), acct, r.RoleID, used))
	wantErr(t, "absent role", s.RecordRoleUse(ctx(), acct, "AROAAAAAAAAAAAAAAAAAA", used), store.ErrNotFound)
	after, err := s.Generation(ctx())
	noErr(t, "Generation", err)
	if after != before {
		t.Errorf("generation moved from %d to %d", before, after)
	}
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Role(ctx(), acct, "used")
		noErr(t, "Role", err)
		diff(t, "last used", used, got.LastUsed)
		return nil
	})
}

// testEvents: events are appended outside the generation (a repeated id is skipped), listed
// newest first per account, filtered by time and by one attribute, paged, and deleted by age.
func testEvents(t *testing.T, s store.Store) {
	gen, _ := s.Generation(ctx())
	ev := func(id, account string, at time.Duration, name, user string, ro bool) store.Event {
		return store.Event{ID: id, Account: account, Time: t0.Add(at), Name: name, Source: "iam.amazonaws.com",
			Username: user, AccessKeyID: "AKIA" + user, ReadOnly: ro, ResourceType: "AWS::IAM::User", ResourceName: user,
			Data: []byte(`{"eventID":"` + id + `"}`)}
	}
	batch := []store.Event{
		ev("e1", acct, 0, "CreateUser", "alice", false),
		ev("e2", acct, time.Second, "ListUsers", "alice", true),
		ev("e3", acct, 2*time.Second, "CreateUser", "bob", false),
		ev("e4", other, 3*time.Second, "CreateUser", "carol", false),
	}
	noErr(t, "AppendEvents", s.AppendEvents(ctx(), batch))
	noErr(t, "AppendEvents again", s.AppendEvents(ctx(), batch[:1]))
	if g, _ := s.Generation(ctx()); g != gen {
		t.Errorf("AppendEvents moved the generation: %d → %d", gen, g)
	}
	ids := func(f store.EventFilter) []string {
		t.Helper()
		p, err := s.Events(ctx(), acct, f)
		noErr(t, "Events", err)
		var out []string
		for _, e := range p.Items {
			out = append(out, e.ID)
		}
		return out
	}
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	check("all, newest first", ids(store.EventFilter{}), "e3", "e2", "e1")
	check("by name", ids(store.EventFilter{Attribute: store.EventByName, Value: "CreateUser"}), "e3", "e1")
	check("by user", ids(store.EventFilter{Attribute: store.EventByUsername, Value: "alice"}), "e2", "e1")
	check("read-only", ids(store.EventFilter{Attribute: store.EventByReadOnly, Value: "true"}), "e2")
	check("writes", ids(store.EventFilter{Attribute: store.EventByReadOnly, Value: "false"}), "e3", "e1")
	check("by id", ids(store.EventFilter{Attribute: store.EventByID, Value: "e1"}), "e1")
	check("time range", ids(store.EventFilter{Start: t0.Add(500 * time.Millisecond), End: t0.Add(1500 * time.Millisecond)}), "e2")
	p, err := s.Events(ctx(), acct, store.EventFilter{MaxItems: 2})
	noErr(t, "page 1", err)
	if len(p.Items) != 2 || !p.IsTruncated || p.Marker == "" {
		t.Fatalf("page 1: %d items, truncated %v", len(p.Items), p.IsTruncated)
	}
	check("page 2", ids(store.EventFilter{MaxItems: 2, Marker: p.Marker}), "e1")
	if string(p.Items[0].Data) != `{"eventID":"e3"}` || !p.Items[0].Time.Equal(t0.Add(2*time.Second)) {
		t.Errorf("event read back as %+v", p.Items[0])
	}
	_, err = s.Events(ctx(), acct, store.EventFilter{Marker: "not a marker"})
	wantErr(t, "bad marker", err, store.ErrInvalidMarker)
	noErr(t, "DeleteEventsBefore", s.DeleteEventsBefore(ctx(), t0.Add(1500*time.Millisecond)))
	check("after retention", ids(store.EventFilter{}), "e3")
}

// testBuckets: bucket names are global (one account's name is taken for every other), the
// configuration round-trips whole, an account's buckets list in byte order with prefix, region
// and paging, and every change moves the generation.
func testBuckets(t *testing.T, s store.Store) {
	full := store.Bucket{
		Name: "alpha", Account: acct, Region: "us-east-1", CreateDate: t0,
		Policy:            `{"Version":"2012-10-17","Statement":[]}`,
		PolicyPrincipals:  []iam.PrincipalID{{ARN: "arn:aws:iam::" + acct + ":user/u", ID: "AIDAEXAMPLE"}},
		PublicAccessBlock: &store.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true},
		ObjectOwnership:   "BucketOwnerEnforced",
		Tags:              []iam.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: ""}},
		CORS:              "<CORSConfiguration/>",
		Configs:           map[string]string{"encryption": "AES256"},
	}
	bare := func(name, account, region string) store.Bucket {
		return store.Bucket{Name: name, Account: account, Region: region, CreateDate: t0}
	}
	gen := func() uint64 {
		g, err := s.Generation(ctx())
		noErr(t, "Generation", err)
		return g
	}
	g0 := gen()
	mustWrite(t, s, func(tx store.Tx) error {
		noErr(t, "CreateBucket", tx.CreateBucket(ctx(), full))
		for _, n := range []string{"a-c", "ab", "b.x", "a.b"} {
			noErr(t, "CreateBucket", tx.CreateBucket(ctx(), bare(n, acct, "us-east-1")))
		}
		noErr(t, "CreateBucket other region", tx.CreateBucket(ctx(), bare("abz", acct, "eu-west-1")))
		return tx.CreateBucket(ctx(), bare("zeta", other, "us-east-1"))
	})
	if g := gen(); g <= g0 {
		t.Errorf("generation %d after CreateBucket, was %d", g, g0)
	}
	wantErr(t, "name taken by the same account", s.Write(ctx(), func(tx store.Tx) error { return tx.CreateBucket(ctx(), bare("alpha", acct, "us-east-1")) }), store.ErrAlreadyExists)
	wantErr(t, "name taken by another account", s.Write(ctx(), func(tx store.Tx) error { return tx.CreateBucket(ctx(), bare("zeta", acct, "us-east-1")) }), store.ErrAlreadyExists)
	wantErr(t, "Bucket absent", s.Read(ctx(), func(tx store.Tx) error { _, err := tx.Bucket(ctx(), "nope"); return err }), store.ErrNotFound)
	wantErr(t, "UpdateBucket absent", s.Write(ctx(), func(tx store.Tx) error { return tx.UpdateBucket(ctx(), bare("nope", acct, "us-east-1")) }), store.ErrNotFound)
	wantErr(t, "DeleteBucket absent", s.Write(ctx(), func(tx store.Tx) error { return tx.DeleteBucket(ctx(), "nope") }), store.ErrNotFound)

	names := func(bs []store.Bucket) []string {
		out := []string{}
		for _, b := range bs {
			out = append(out, b.Name)
		}
		return out
	}
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Bucket(ctx(), "alpha")
		noErr(t, "Bucket", err)
		diff(t, "bucket", full, got)
		got, err = tx.Bucket(ctx(), "zeta")
		noErr(t, "Bucket", err)
		diff(t, "bare bucket", bare("zeta", other, "us-east-1"), got)
		all, err := tx.Buckets(ctx(), acct, store.BucketListOptions{})
		noErr(t, "Buckets", err)
		// Byte order: '-' < '.' < letters.
		diff(t, "names", []string{"a-c", "a.b", "ab", "abz", "alpha", "b.x"}, names(all))
		diff(t, "listed bucket", full, all[4])
		for _, tc := range []struct {
			opt  store.BucketListOptions
			want []string
		}{
			{store.BucketListOptions{Prefix: "a"}, []string{"a-c", "a.b", "ab", "abz", "alpha"}},
			{store.BucketListOptions{Prefix: "ab"}, []string{"ab", "abz"}},
			{store.BucketListOptions{Region: "eu-west-1"}, []string{"abz"}},
			{store.BucketListOptions{Limit: 2}, []string{"a-c", "a.b"}},
			{store.BucketListOptions{After: "a.b", Limit: 2}, []string{"ab", "abz"}},
			{store.BucketListOptions{After: "alpha", Prefix: "a"}, []string{}},
		} {
			got, err := tx.Buckets(ctx(), acct, tc.opt)
			noErr(t, "Buckets", err)
			diff(t, fmt.Sprintf("Buckets(%+v)", tc.opt), tc.want, names(got))
		}
		n, err := tx.CountBuckets(ctx(), acct)
		noErr(t, "CountBuckets", err)
		if n != 6 {
			t.Errorf("CountBuckets = %d, want 6", n)
		}
		return nil
	})

	g1 := gen()
	changed := bare("alpha", acct, "us-east-1")
	changed.ObjectOwnership = "ObjectWriter"
	changed.Account, changed.CreateDate = other, t0.Add(time.Hour) // not changed by UpdateBucket
	mustWrite(t, s, func(tx store.Tx) error { return tx.UpdateBucket(ctx(), changed) })
	if g := gen(); g <= g1 {
		t.Errorf("generation %d after UpdateBucket, was %d", g, g1)
	}
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Bucket(ctx(), "alpha")
		noErr(t, "Bucket", err)
		want := bare("alpha", acct, "us-east-1")
		want.ObjectOwnership = "ObjectWriter"
		diff(t, "updated bucket", want, got)
		return nil
	})
	g2 := gen()
	mustWrite(t, s, func(tx store.Tx) error { return tx.DeleteBucket(ctx(), "alpha") })
	if g := gen(); g <= g2 {
		t.Errorf("generation %d after DeleteBucket, was %d", g, g2)
	}
	// The name is free again, for any account.
	mustWrite(t, s, func(tx store.Tx) error { return tx.CreateBucket(ctx(), bare("alpha", other, "us-east-1")) })
}
