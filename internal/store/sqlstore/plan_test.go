package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// explain returns SQLite's query plan for q, one detail line per step.
func explain(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// placeholders returns n arguments for a statement whose plan is wanted (the values do not
// change SQLite's plan, only their number must match).
func placeholders(q string) []any {
	args := make([]any, strings.Count(q, "?"))
	for i := range args {
		args[i] = "x"
	}
	return args
}

// The foreign-key checks a DELETE FROM entities runs (SQLite lists them in its plan): each must
// search the referencing table by an index led by the referencing column.
const entityDeleteChecks = "records_owner_kind (owner_id=?)|profile_roles_role (role_id=?)|" +
	"sqlite_autoindex_profile_roles_1 (profile_id=?)|sqlite_autoindex_policy_versions_1 (policy_id=?)|" +
	"sqlite_autoindex_inline_policies_1 (entity_id=?)|attachments_policy (policy_id=?)|" +
	"sqlite_autoindex_attachments_1 (entity_id=?)|group_members_user (user_id=?)|" +
	"sqlite_autoindex_group_members_1 (group_id=?)|access_keys_owner (user_id=?)"

// requestPathQueries are the statements a request runs (single-entity reads and writes, counts,
// filtered listings): every statement of tx.go but those on the accounts and seal_keys tables,
// which hold a few rows and are listed whole. want lists, separated by |, the index searches
// (index and constrained columns, as SQLite's plan words them) that the plan must contain; it is
// empty for an INSERT … VALUES, which has no plan (its foreign-key checks search the parents'
// primary keys, the only keys a foreign key may name).
var requestPathQueries = []struct{ name, query, want string }{
	{"entity id by name", selectEntityID, "entities_name (account=? AND kind=? AND name_lc=?)"},
	{"entity by name", selectEntityByName, "entities_name (account=? AND kind=? AND name_lc=?)"},
	{"entity by id", selectEntityByID, "sqlite_autoindex_entities_1 (id=?)"},
	{"update entity", updateEntityByID, "sqlite_autoindex_entities_1 (id=?)"},
	{"delete entity by name", deleteEntityByName, "entities_name (account=? AND kind=? AND name_lc=?)|" + entityDeleteChecks},
	{"delete entity by id", deleteEntityByID, "sqlite_autoindex_entities_1 (id=?)|" + entityDeleteChecks},
	{"count entities of a kind", countEntitiesOfKind, "entities_name (account=? AND kind=?)"},
	{"policy id by arn", selectPolicyID, "sqlite_autoindex_entities_2 (arn=?)"},
	{"policy by arn", selectPolicyByARN, "sqlite_autoindex_entities_2 (arn=?)"},
	{"policy's boundary uses", countBoundaryUses, "entities_boundary (boundary=?)"},
	{"policy's boundary uses in one account", countBoundaryUsesInAccount, "entities_boundary (boundary=?)"},
	{"access key by id", selectKeyByID, "sqlite_autoindex_access_keys_1 (id=?)|sqlite_autoindex_entities_1 (id=?)"},
	{"keys of a user", selectKeysOfUser, "access_keys_owner (user_id=? AND account=?)"},
	{"keys of the root user", selectKeysOfRoot, "access_keys_owner (user_id=? AND account=?)"},
	{"count keys of a user", countKeysOfUser, "access_keys_owner (user_id=? AND account=?)"},
	{"count keys of the root user", countKeysOfRoot, "access_keys_owner (user_id=? AND account=?)"},
	{"count groups of a user", countGroupsOfUser, "group_members_user (user_id=?)"},
	{"count policy attachments", countPolicyAttached, "attachments_policy (policy_id=?)"},
	{"count policy attachments in one account", countPolicyAttachedInAccount, "attachments_policy (policy_id=?)|sqlite_autoindex_entities_1 (id=?)"},
	{"count policies attached to an entity", countAttachedToEntity, "sqlite_autoindex_attachments_1 (entity_id=?)"},
	{"policy attachments", selectPolicyAttachments, "attachments_policy (policy_id=?)|sqlite_autoindex_entities_1 (id=?)"},
	{"record by name", selectRecord, "sqlite_autoindex_records_1 (account=? AND kind=? AND name_lc=?)"},
	{"records page", selectRecordsPage, "sqlite_autoindex_records_1 (account=? AND kind=? AND name_lc>?)"},
	{"records of an owner", selectRecordsByOwner, "records_owner_kind (owner_id=? AND account=? AND kind=?)"},
	{"count records of a kind", countRecordsOfKind, "sqlite_autoindex_records_1 (account=? AND kind=?)"},
	{"insert entity", insertEntity, ""},
	{"insert access key", insertAccessKey, ""},
	{"update key status", updateKeyStatus, "sqlite_autoindex_access_keys_1 (id=?)"},
	{"update key last used", updateKeyLastUsed, "sqlite_autoindex_access_keys_1 (id=?)"},
	{"delete access key", deleteAccessKey, "sqlite_autoindex_access_keys_1 (id=?)"},
	{"insert group member", insertGroupMember, ""},
	{"delete group member", deleteGroupMember, "sqlite_autoindex_group_members_1 (group_id=? AND user_id=?)"},
	{"insert policy version", insertPolicyVersion, ""},
	{"update policy entity", updatePolicyEntity, "sqlite_autoindex_entities_1 (id=?)"},
	{"select policy version", selectPolicyVersion, "sqlite_autoindex_policy_versions_1 (policy_id=? AND seq=?)"},
	{"select policy versions", selectPolicyVersions, "sqlite_autoindex_policy_versions_1 (policy_id=?)"},
	{"delete policy version", deletePolicyVersion, "sqlite_autoindex_policy_versions_1 (policy_id=? AND seq=?)"},
	{"insert attachment", insertAttachment, ""},
	{"delete attachment", deleteAttachment, "sqlite_autoindex_attachments_1 (entity_id=? AND policy_id=?)"},
	{"upsert inline policy", upsertInlinePolicy, ""},
	{"select inline policy", selectInlinePolicy, "sqlite_autoindex_inline_policies_1 (entity_id=? AND name_lc=?)"},
	{"select inline policies", selectInlinePolicies, "sqlite_autoindex_inline_policies_1 (entity_id=?)"},
	{"select inline policy names", selectInlinePolicyNames, "sqlite_autoindex_inline_policies_1 (entity_id=? AND name_lc>?)"},
	{"delete inline policy", deleteInlinePolicy, "sqlite_autoindex_inline_policies_1 (entity_id=? AND name_lc=?)"},
	{"select profile roles", selectProfileRoles, "sqlite_autoindex_profile_roles_1 (profile_id=?)|sqlite_autoindex_entities_1 (id=?)"},
	{"count profile roles", countProfileRoles, "sqlite_autoindex_profile_roles_1 (profile_id=?)"},
	{"insert profile role", insertProfileRole, ""},
	{"delete profile role", deleteProfileRole, "sqlite_autoindex_profile_roles_1 (profile_id=?)"},
	{"insert record", insertRecord, ""},
	{"update record", updateRecord, "sqlite_autoindex_records_1 (account=? AND kind=? AND name_lc=?)"},
	{"delete record", deleteRecord, "sqlite_autoindex_records_1 (account=? AND kind=? AND name_lc=?)"},
	{"bucket by name", selectBucket, "sqlite_autoindex_buckets_1 (name=?)"},
	{"update bucket", updateBucket, "sqlite_autoindex_buckets_1 (name=?)"},
	{"delete bucket", deleteBucket, "sqlite_autoindex_buckets_1 (name=?)"},
	{"insert bucket", insertBucket, ""},
	{"list an account's buckets", selectBucketsPage, "buckets_account (account=? AND name>?)"},
	{"list an account's buckets in a region", selectBucketsInRegion, "buckets_account (account=? AND name>?)"},
	{"count an account's buckets", countBucketsOfAccount, "buckets_account (account=?)"},
	{"select account", selectAccount, "sqlite_autoindex_accounts_1 (id=?)"},
	// Listings walk the name index in order, but from the marker on (name_lc>?), not from the start.
	{"list users, roles, groups, profiles", pageQuery(fromEntitiesOfKind), "entities_name (account=? AND kind=? AND name_lc>?)"},
	{"list group members", pageQuery(fromGroupMembers), "sqlite_autoindex_group_members_1 (group_id=?)|sqlite_autoindex_entities_1 (id=?)"},
	{"list groups of a user", pageQuery(fromGroupsOfUser), "group_members_user (user_id=?)|sqlite_autoindex_entities_1 (id=?)"},
	{"list policies attached to an entity", pageQuery(fromAttachedTo), "sqlite_autoindex_attachments_1 (entity_id=?)|sqlite_autoindex_entities_1 (id=?)"},
	{"list profiles of a role", pageQuery(fromProfilesOfRole), "profile_roles_role (role_id=?)|sqlite_autoindex_entities_1 (id=?)"},
	{"list AWS policies", pageQuery(fromAWSPolicies), "entities_name (account=? AND kind=? AND name_lc>?)"},
	{"list all policies", pageQuery(fromAllPolicies), "entities_name (account=? AND kind=? AND name_lc>?)"},
	{"list attached policies", pageQuery(fromAllPolicies + onlyAttached), "entities_name (account=? AND kind=? AND name_lc>?)|attachments_policy (policy_id=?)"},
}

// TestRequestPathQueriesUseIndexes: no statement a request runs may scan a table (or walk a whole
// index) whatever the store's size; each must search the indexes its case names. The boundary
// counts are here because a partial index is used only when the statement restates its condition.
func TestRequestPathQueriesUseIndexes(t *testing.T) {
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkPlans(t, s.reader)
}

// checkPlans checks the plan of each of requestPathQueries on db. SQLite plans without statistics
// (iamd never runs ANALYZE), so a plan does not depend on the rows; TestMeasureAtScale checks
// them on a populated store all the same.
func checkPlans(t *testing.T, db *sql.DB) {
	for _, tt := range requestPathQueries {
		t.Run(tt.name, func(t *testing.T) {
			plan := explain(t, db, tt.query, placeholders(tt.query)...)
			joined := strings.Join(plan, "; ")
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN ") {
					t.Errorf("plan %q scans: %s", joined, step)
				}
			}
			if tt.want == "" {
				if len(plan) > 0 {
					t.Errorf("plan %q, want none", joined)
				}
				return
			}
			for _, want := range strings.Split(tt.want, "|") {
				if !strings.Contains(joined, "INDEX "+want) {
					t.Errorf("plan %q does not search %s", joined, want)
				}
			}
		})
	}
}

// TestForeignKeysIndexed: deleting a row checks every foreign key that references its table, and
// the check searches the referencing table only through an index led by the referencing column;
// without one it walks the table (as DeleteUser walked all access keys before migration 3).
func TestForeignKeysIndexed(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "fk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	column := func(q string, args ...any) []string {
		rows, err := s.reader.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	tables := column(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	checked := 0
	for _, table := range tables {
		// Each index's leading column.
		leads := map[string]bool{}
		for _, idx := range column(`SELECT name FROM pragma_index_list(?)`, table) {
			if first := column(`SELECT name FROM pragma_index_info(?) WHERE seqno = 0`, idx); len(first) == 1 {
				leads[first[0]] = true
			}
		}
		for _, from := range column(`SELECT "from" FROM pragma_foreign_key_list(?)`, table) {
			checked++
			if !leads[from] {
				t.Errorf("foreign key %s.%s leads no index", table, from)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no foreign keys found")
	}
}

// TestPagesAfterEqualNames: pageQuery's marker condition, rewritten so that the planner can
// start at the marker, must still resume between rows of equal name_lc by id. Listing all
// policies meets such rows (an account's policy may be named as an AWS managed one); one item
// per page puts a marker between every two of them.
func TestPagesAfterEqualNames(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "pages.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const account = "123456789012"
	policies := []iam.ManagedPolicy{
		{Account: "aws", PolicyName: "ReadOnlyAccess"},
		{Account: account, PolicyName: "readonlyaccess"},
		{Account: "aws", PolicyName: "AdministratorAccess"},
		{Account: account, PolicyName: "Zeta"},
		{Account: account, PolicyName: "READONLYACCESS2"},
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, iam.Account{ID: account}); err != nil {
			return err
		}
		for i := range policies {
			p := &policies[i]
			p.PolicyID, p.Path = iam.NewID(iam.PrefixPolicy), "/"
			p.Arn = iam.PolicyARN(p.Account, "/", p.PolicyName)
			if err := tx.CreatePolicy(ctx, *p, `{}`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The order pages must give: by lower-cased name, then by id.
	want := append([]iam.ManagedPolicy(nil), policies...)
	sort.Slice(want, func(i, j int) bool {
		a, b := strings.ToLower(want[i].PolicyName), strings.ToLower(want[j].PolicyName)
		return a < b || a == b && want[i].PolicyID < want[j].PolicyID
	})
	var got []string
	opt := store.PolicyListOptions{ListOptions: store.ListOptions{MaxItems: 1}}
	for range 2 * len(policies) {
		var page store.Page[iam.ManagedPolicy]
		if err := s.Read(ctx, func(tx store.Tx) error {
			page, err = tx.Policies(ctx, account, opt)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Items {
			got = append(got, p.Arn)
		}
		if !page.IsTruncated {
			break
		}
		opt.Marker = page.Marker
	}
	var wantARNs []string
	for _, p := range want {
		wantARNs = append(wantARNs, p.Arn)
	}
	if diff := cmp.Diff(wantARNs, got); diff != "" {
		t.Errorf("policies paged one at a time (-want +got):\n%s", diff)
	}
}
