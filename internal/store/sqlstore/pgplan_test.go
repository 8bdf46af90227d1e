package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store/sqlstore/pgtest"
)

// bigTables are the tables that grow with the number of users, roles and policies: a request
// must never read one whole. accounts, meta and seal_keys hold a few rows.
var bigTables = map[string]bool{
	"entities": true, "access_keys": true, "attachments": true, "group_members": true,
	"records": true, "inline_policies": true, "policy_versions": true, "profile_roles": true,
}

// pgPlanScale is the population of the PostgreSQL plan test: users (2 access keys and a login
// profile each), as many roles (an inline policy and an attached policy each), a group per 100
// users, a managed policy and an instance profile per 10.
type pgPlanScale struct{ users int }

// pgSample names rows of the populated store that the statements' parameters point at.
type pgSample struct {
	account, userID, userNameLC, roleID, groupID, policyID, policyARN, boundaryARN, profileID, keyID string
}

const pgPlanAccount = "123456789012"

// pgData stands for a row's JSON (data, or a policy document): about the 230 bytes of a user's.
// Its width matters: it sets how many pages a sequential scan reads against an index's few.
const pgData = `'{"Pad": "' || repeat('x', 220) || '"}'`

// populatePG fills the store's schema with generate_series (thousands of rows in a second, where
// the store API would take minutes) in the shapes the store writes, then ANALYZEs it as
// autovacuum would after such a load, so that the planner works from statistics.
func populatePG(t *testing.T, db *sql.DB, sc pgPlanScale) pgSample {
	t.Helper()
	ctx := context.Background()
	n := sc.users
	tenth, hundredth := max(n/10, 1), max(n/100, 1)
	const a = pgPlanAccount
	arn := `'arn:aws:iam::` + a + `:'`
	boundary := "arn:aws:iam::" + a + ":policy/Policy1"
	stmts := []string{
		`INSERT INTO accounts (id, alias, create_date) VALUES ('` + a + `', '', 0)`,
		// Users; every tenth has a permissions boundary.
		fmt.Sprintf(`INSERT INTO entities (id, account, kind, name, name_lc, path, arn, boundary, seq, data)
			SELECT 'AIDA' || lpad(i::text, 17, '0'), '%s', 'user', 'User' || i, 'user' || i, '/', %s || 'user/User' || i,
			CASE WHEN i %% 10 = 0 THEN '%s' ELSE '' END, 0, `+pgData+` FROM generate_series(1, %d) i`, a, arn, boundary, n),
		fmt.Sprintf(`INSERT INTO entities (id, account, kind, name, name_lc, path, arn, boundary, seq, data)
			SELECT 'AROA' || lpad(i::text, 17, '0'), '%s', 'role', 'Role' || i, 'role' || i, '/', %s || 'role/Role' || i, '', 0, `+pgData+`
			FROM generate_series(1, %d) i`, a, arn, n),
		fmt.Sprintf(`INSERT INTO entities (id, account, kind, name, name_lc, path, arn, boundary, seq, data)
			SELECT 'AGPA' || lpad(i::text, 17, '0'), '%s', 'group', 'Group' || i, 'group' || i, '/', %s || 'group/Group' || i, '', 0, `+pgData+`
			FROM generate_series(1, %d) i`, a, arn, hundredth),
		fmt.Sprintf(`INSERT INTO entities (id, account, kind, name, name_lc, path, arn, boundary, seq, data)
			SELECT 'ANPA' || lpad(i::text, 17, '0'), '%s', 'policy', 'Policy' || i, 'policy' || i, '/', %s || 'policy/Policy' || i, '', 1, `+pgData+`
			FROM generate_series(1, %d) i`, a, arn, tenth),
		// AWS managed policies, in the account "aws" as the store seeds them.
		`INSERT INTO entities (id, account, kind, name, name_lc, path, arn, boundary, seq, data)
			SELECT 'ANPAAWS' || lpad(i::text, 14, '0'), 'aws', 'policy', 'AwsPolicy' || i, 'awspolicy' || i, '/',
			'arn:aws:iam::aws:policy/AwsPolicy' || i, '', 12, ` + pgData + ` FROM generate_series(1, 1000) i`,
		fmt.Sprintf(`INSERT INTO entities (id, account, kind, name, name_lc, path, arn, boundary, seq, data)
			SELECT 'AIPA' || lpad(i::text, 17, '0'), '%s', 'instance-profile', 'Profile' || i, 'profile' || i, '/',
			%s || 'instance-profile/Profile' || i, '', 0, `+pgData+` FROM generate_series(1, %d) i`, a, arn, tenth),
		fmt.Sprintf(`INSERT INTO access_keys (id, account, user_id, status, secret, create_date)
			SELECT 'AKIA' || lpad((2 * i + j)::text, 16, '0'), '%s', 'AIDA' || lpad(i::text, 17, '0'), 'Active', '\x00'::bytea, i
			FROM generate_series(1, %d) i, generate_series(0, 1) j`, a, n),
		// The root user's two keys (user_id NULL).
		`INSERT INTO access_keys (id, account, user_id, status, secret, create_date)
			VALUES ('AKIAROOT000000000001', '` + a + `', NULL, 'Active', '\x00'::bytea, 0),
			('AKIAROOT000000000002', '` + a + `', NULL, 'Active', '\x00'::bytea, 0)`,
		fmt.Sprintf(`INSERT INTO group_members (group_id, user_id)
			SELECT 'AGPA' || lpad((i %% %d + 1)::text, 17, '0'), 'AIDA' || lpad(i::text, 17, '0') FROM generate_series(1, %d) i`, hundredth, n),
		fmt.Sprintf(`INSERT INTO attachments (entity_id, policy_id)
			SELECT p || lpad(i::text, 17, '0'), 'ANPA' || lpad((i %% %d + 1)::text, 17, '0')
			FROM generate_series(1, %d) i, unnest(ARRAY['AIDA', 'AROA']) p`, tenth, n),
		fmt.Sprintf(`INSERT INTO inline_policies (entity_id, name, name_lc, document)
			SELECT 'AROA' || lpad(i::text, 17, '0'), 'Inline', 'inline', `+pgData+` FROM generate_series(1, %d) i`, n),
		fmt.Sprintf(`INSERT INTO policy_versions (policy_id, seq, document, create_date)
			SELECT 'ANPA' || lpad(i::text, 17, '0'), 1, `+pgData+`, 0 FROM generate_series(1, %d) i`, tenth),
		fmt.Sprintf(`INSERT INTO profile_roles (profile_id, role_id)
			SELECT 'AIPA' || lpad(i::text, 17, '0'), 'AROA' || lpad(i::text, 17, '0') FROM generate_series(1, %d) i`, tenth),
		fmt.Sprintf(`INSERT INTO records (account, kind, name, name_lc, owner_id, data)
			SELECT '%s', 'login-profile', 'User' || i, 'user' || i, 'AIDA' || lpad(i::text, 17, '0'), `+pgData+`
			FROM generate_series(1, %d) i`, a, n),
		// An MFA device for every tenth user and a few identity providers: records of other kinds,
		// which CountRecords counts (for quotas) among the login profiles.
		fmt.Sprintf(`INSERT INTO records (account, kind, name, name_lc, owner_id, data)
			SELECT '%s', 'mfa-device', 'MFA' || i, 'mfa' || i, 'AIDA' || lpad(i::text, 17, '0'), `+pgData+`
			FROM generate_series(10, %d, 10) i`, a, n),
		`INSERT INTO records (account, kind, name, name_lc, owner_id, data)
			SELECT '` + a + `', '` + iam.RecordOIDCProvider + `', 'idp' || i || '.example.com', 'idp' || i || '.example.com', NULL, ` + pgData + `
			FROM generate_series(1, 5) i`,
		`ANALYZE`,
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("populate: %v\n%s", err, q)
		}
	}
	mid := n / 2
	return pgSample{
		account:     a,
		userID:      fmt.Sprintf("AIDA%017d", mid),
		userNameLC:  fmt.Sprintf("user%d", mid),
		roleID:      fmt.Sprintf("AROA%017d", mid),
		groupID:     fmt.Sprintf("AGPA%017d", 1),
		policyID:    fmt.Sprintf("ANPA%017d", 1),
		policyARN:   "arn:aws:iam::" + a + ":policy/Policy1",
		boundaryARN: boundary,
		profileID:   fmt.Sprintf("AIPA%017d", 1),
		keyID:       fmt.Sprintf("AKIA%016d", 2*mid),
	}
}

// paramColumn finds the column a ? is compared with or assigned to, from the text before it.
var paramColumn = regexp.MustCompile(`(?:\w+\.)?(\w+)\s*(?:=|>=|>|<>)\s*$`)

// pgArgs gives each ? of q a value like those a request binds: the sample's rows, the kind the
// statement's table holds, a listing's first page from "/". A ? in a VALUES list binds NULL (an
// INSERT's plan does not depend on its values).
func pgArgs(q string, s pgSample) []any {
	kind := "user"
	switch {
	case strings.Contains(q, "COUNT(*) FROM records"):
		kind = iam.RecordOIDCProvider // counted for the quota of identity providers
	case strings.Contains(q, "FROM records") || strings.Contains(q, "UPDATE records"):
		kind = "login-profile"
	case strings.Contains(q, "arn = ?") || strings.Contains(q, "'aws'"):
		kind = "policy"
	}
	var args []any
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			continue
		}
		before := strings.TrimRight(q[:i], " ")
		var v any
		switch {
		case strings.HasSuffix(before, "LIMIT"):
			v = 101
		case strings.HasSuffix(before, "substr(e.path, 1,"):
			v = 1
		case strings.HasSuffix(before, ") ="): // substr(e.path, 1, ?) = ?
			v = "/"
		case strings.HasSuffix(before, "IN ("):
			v = s.account
		default:
			m := paramColumn.FindStringSubmatch(before)
			if m == nil {
				break
			}
			switch m[1] {
			case "account":
				v = s.account
			case "kind":
				v = kind
			case "name_lc", "name":
				v = s.userNameLC
				if strings.Contains(q, "inline_policies") {
					v = "inline"
				}
			case "id":
				v = s.userID
				if strings.Contains(q, "FROM access_keys") || strings.Contains(q, "UPDATE access_keys") {
					v = s.keyID
				}
			case "user_id", "entity_id", "owner_id":
				v = s.userID
			case "group_id":
				v = s.groupID
			case "policy_id":
				v = s.policyID
			case "profile_id":
				v = s.profileID
			case "role_id":
				v = s.roleID
			case "boundary":
				v = s.boundaryARN
			case "arn":
				v = s.policyARN
			case "seq", "last_used":
				v = 1
			case "status":
				v = "Active"
			default:
				v = "x"
			}
		}
		args = append(args, v)
	}
	return args
}

// pgNode is one node of an EXPLAIN (FORMAT JSON) plan.
type pgNode struct {
	NodeType string   `json:"Node Type"`
	Relation string   `json:"Relation Name"`
	Index    string   `json:"Index Name"`
	Cost     float64  `json:"Total Cost"`
	Plans    []pgNode `json:"Plans"`
}

// pgExplain returns the plan's nodes in pre-order, each as "Node Type on relation using index".
func pgExplain(ctx context.Context, conn *sql.Conn, q string, args ...any) ([]pgNode, error) {
	var raw []byte
	if err := conn.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+q, args...).Scan(&raw); err != nil {
		return nil, err
	}
	var top []struct{ Plan pgNode }
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, err
	}
	if len(top) != 1 {
		return nil, fmt.Errorf("explain gave %d plans", len(top))
	}
	var out []pgNode
	var walk func(n pgNode)
	walk = func(n pgNode) {
		out = append(out, n)
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(top[0].Plan)
	return out, nil
}

// pgGenericExplain returns the generic plan of q: the one a prepared statement may switch to
// after five executions (pgx prepares and caches every statement), planned without the values.
// PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN); forcing it through the plan cache does the same.
func pgGenericExplain(ctx context.Context, conn *sql.Conn, q string) ([]pgNode, error) {
	if _, err := conn.ExecContext(ctx, "SET plan_cache_mode = force_generic_plan"); err != nil {
		return nil, err
	}
	defer conn.ExecContext(ctx, "RESET plan_cache_mode")
	if _, err := conn.ExecContext(ctx, "PREPARE iamd_plan AS "+q); err != nil {
		return nil, err
	}
	defer conn.ExecContext(ctx, "DEALLOCATE iamd_plan")
	nulls := strings.TrimSuffix(strings.Repeat("NULL, ", strings.Count(q, "$")), ", ")
	exec := "EXECUTE iamd_plan"
	if nulls != "" {
		exec += "(" + nulls + ")"
	}
	return pgExplain(ctx, conn, exec)
}

func describe(plan []pgNode) string {
	var parts []string
	for _, n := range plan {
		s := n.NodeType
		if n.Relation != "" {
			s += " on " + n.Relation
		}
		if n.Index != "" {
			s += " using " + n.Index
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// scans returns the plan's sequential scans of big tables.
func scans(plan []pgNode) []string {
	var out []string
	for _, n := range plan {
		if n.NodeType == "Seq Scan" && bigTables[n.Relation] {
			out = append(out, n.Relation)
		}
	}
	return out
}

// TestPostgresRequestPathQueriesUseIndexes is TestRequestPathQueriesUseIndexes on PostgreSQL:
// on a populated, analyzed store, neither the plan PostgreSQL makes for a statement's values
// (custom) nor the one it makes without them (generic, which a cached prepared statement may
// switch to) may read a big table sequentially. Then the queries a DELETE runs for each foreign
// key that references the deleted row must search too. By default 5,000 users; IAMD_PG_PLANS=1
// populates 20,000 users, 40,000 keys and 20,000 roles.
func TestPostgresRequestPathQueriesUseIndexes(t *testing.T) {
	sc := pgPlanScale{users: 5000}
	if os.Getenv("IAMD_PG_PLANS") == "1" {
		sc.users = 20000
	}
	ctx := context.Background()
	s := openPostgres(t, pgtest.DSN(t))
	defer s.Close()
	t0 := time.Now()
	sample := populatePG(t, s.writer, sc)
	t.Logf("populated %d users and roles, analyzed: %v", sc.users, time.Since(t0).Round(time.Millisecond))
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, tt := range requestPathQueries {
		t.Run(tt.name, func(t *testing.T) {
			q := s.d.rebind(tt.query)
			custom, err := pgExplain(ctx, conn, q, pgArgs(tt.query, sample)...)
			if err != nil {
				t.Fatalf("explain: %v", err)
			}
			generic, err := pgGenericExplain(ctx, conn, q)
			if err != nil {
				t.Fatalf("explain generic: %v", err)
			}
			t.Logf("custom: %s", describe(custom))
			t.Logf("generic: %s", describe(generic))
			if minority, ok := pgWholeKindCounts[tt.name]; ok && len(scans(custom)) > 0 {
				// Counting most of a table: the scan is allowed (and timed against the index),
				// but a count of a small kind must still search.
				logCountTimes(t, ctx, conn, q, pgArgs(tt.query, sample))
				args := pgArgs(tt.query, sample)
				args[1] = minority
				if custom, err = pgExplain(ctx, conn, q, args...); err != nil {
					t.Fatalf("explain: %v", err)
				}
				t.Logf("custom, kind %s: %s", minority, describe(custom))
			}
			if sc := scans(custom); len(sc) > 0 {
				t.Errorf("plan for the values scans %v: %s", sc, describe(custom))
			}
			// The plan cache adopts the generic plan only when it costs no more than the custom
			// plans did; a dearer generic plan that scans is never run.
			if sc := scans(generic); len(sc) > 0 {
				if generic[0].Cost <= custom[0].Cost {
					t.Errorf("generic plan scans %v at cost %.1f ≤ the custom plan's %.1f: %s", sc, generic[0].Cost, custom[0].Cost, describe(generic))
				} else {
					t.Logf("generic plan scans %v but costs %.1f > the custom plan's %.1f, so the plan cache keeps custom plans", sc, generic[0].Cost, custom[0].Cost)
				}
			}
		})
	}
	checkPGForeignKeyQueries(t, ctx, conn)
}

// checkPGForeignKeyQueries explains, for every foreign key, the query PostgreSQL's referential
// integrity trigger runs on the referencing table when a referenced row is deleted (a row lock
// on the matches, or their delete for ON DELETE CASCADE). Those plans are prepared once per
// session and kept, so they are checked generic.
func checkPGForeignKeyQueries(t *testing.T, ctx context.Context, conn *sql.Conn) {
	rows, err := conn.QueryContext(ctx, `
		SELECT c.conrelid::regclass::text, a.attname, c.confdeltype
		FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type fk struct{ table, column, onDelete string }
	var fks []fk
	for rows.Next() {
		var f fk
		if err := rows.Scan(&f.table, &f.column, &f.onDelete); err != nil {
			t.Fatal(err)
		}
		fks = append(fks, f)
	}
	rows.Close()
	if len(fks) == 0 {
		t.Fatal("no foreign keys found")
	}
	for _, f := range fks {
		t.Run("foreign key "+f.table+"."+f.column, func(t *testing.T) {
			q := fmt.Sprintf(`SELECT 1 FROM ONLY %s x WHERE %s = $1 FOR KEY SHARE OF x`, f.table, f.column)
			if f.onDelete == "c" {
				q = fmt.Sprintf(`DELETE FROM ONLY %s WHERE %s = $1`, f.table, f.column)
			}
			plan, err := pgGenericExplain(ctx, conn, q)
			if err != nil {
				t.Fatalf("explain %s: %v", q, err)
			}
			t.Logf("%s: %s", q, describe(plan))
			if sc := scans(plan); len(sc) > 0 {
				t.Errorf("%s scans %v: %s", q, sc, describe(plan))
			}
		})
	}
}

// pgWholeKindCounts are the counts whose usual kind is most of its table (CountUsers where users
// outnumber all else), mapped to a kind that is a small part of it. Every entry of the kind is
// counted whatever the plan; reading the table sequentially is PostgreSQL's cheaper way when the
// visibility map is not yet set (before a vacuum), so the check falls to the small kind.
var pgWholeKindCounts = map[string]string{
	"count entities of a kind": kindGroup,
}

// logCountTimes logs the execution time of q as planned and with sequential scans disabled
// (which leaves the index), the median of 5 runs of each.
func logCountTimes(t *testing.T, ctx context.Context, conn *sql.Conn, q string, args []any) {
	t.Helper()
	median := func() time.Duration {
		var ds []time.Duration
		for range 5 {
			var raw []byte
			if err := conn.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+q, args...).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			var top []struct {
				Ms float64 `json:"Execution Time"`
			}
			if err := json.Unmarshal(raw, &top); err != nil || len(top) != 1 {
				t.Fatalf("explain analyze: %v %s", err, raw)
			}
			ds = append(ds, time.Duration(top[0].Ms*float64(time.Millisecond)))
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	planned := median()
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "RESET enable_seqscan")
	indexed := median()
	plan, err := pgExplain(ctx, conn, q, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("as planned %v, without seq scans %v (%s)", planned.Round(time.Microsecond), indexed.Round(time.Microsecond), describe(plan))
}
