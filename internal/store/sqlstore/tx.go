package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Entity kinds as stored in entities.kind; the principal kinds reuse iam.EntityKind's values.
const (
	kindUser    = string(iam.KindUser)
	kindGroup   = string(iam.KindGroup)
	kindRole    = string(iam.KindRole)
	kindPolicy  = "policy"
	kindProfile = "instance-profile"
)

const maxMaxItems = 1000

var errReadOnly = errors.New("sqlstore: write attempted in a Read transaction")

// tx implements store.Tx over one SQL transaction.
type tx struct {
	d        dialect
	sql      *sql.Tx
	writable bool
	// wrote is set by the first statement that may change data: a Write that changed nothing
	// commits nothing, so starting iamd on a full disk needs no space.
	wrote bool
	// full is set when a statement failed for lack of space, however fn then reports it.
	full bool
}

var _ store.Tx = (*tx)(nil)

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if !t.writable {
		return nil, errReadOnly
	}
	t.wrote = true
	r, err := t.sql.ExecContext(ctx, t.d.rebind(q), args...)
	if err != nil {
		t.full = t.full || t.d.noSpace(err)
		return nil, t.d.classify(err)
	}
	return r, nil
}

// execOne is exec for statements that must touch a row; none touched is ErrNotFound.
func (t *tx) execOne(ctx context.Context, what string, q string, args ...any) error {
	r, err := t.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: %s", store.ErrNotFound, what)
	}
	return nil
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := t.sql.QueryContext(ctx, t.d.rebind(q), args...)
	if err != nil {
		return nil, t.d.classify(err)
	}
	return rows, nil
}

// row scans one row; no row is ErrNotFound naming what.
func (t *tx) row(ctx context.Context, what string, q string, args []any, dest ...any) error {
	err := t.sql.QueryRowContext(ctx, t.d.rebind(q), args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", store.ErrNotFound, what)
	}
	return t.d.classify(err)
}

func (t *tx) count(ctx context.Context, q string, args ...any) (int, error) {
	var n int
	err := t.row(ctx, "count", q, args, &n)
	return n, err
}

func micros(tm time.Time) int64 {
	if tm.IsZero() {
		return 0
	}
	return tm.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// utc normalizes a time for storage: UTC, microseconds, zero stays zero.
func utc(tm time.Time) time.Time {
	if tm.IsZero() {
		return time.Time{}
	}
	return tm.UTC().Truncate(time.Microsecond)
}

// ---- entities: the identity columns shared by all kinds, the rest as JSON in data ----

type ent struct {
	id, account, kind, name, path, arn, boundary string
}

func (t *tx) insertEntity(ctx context.Context, e ent, seq int, data any) error {
	js, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, insertEntity,
		e.id, e.account, e.kind, e.name, strings.ToLower(e.name), e.path, e.arn, e.boundary, seq, string(js))
	return err
}

func (t *tx) updateEntity(ctx context.Context, e ent, data any) error {
	js, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return t.execOne(ctx, e.kind+" "+e.id, updateEntityByID,
		e.name, strings.ToLower(e.name), e.path, e.arn, e.boundary, string(js), e.id, e.account, e.kind)
}

// Statements on the request path, named so that TestRequestPathQueriesUseIndexes checks the plans
// of the very statements the store runs: each must be answered through an index whatever the
// store's size.
const (
	selectEntityID               = `SELECT id FROM entities WHERE account = ? AND kind = ? AND name_lc = ?`
	selectEntityByName           = `SELECT id, data FROM entities e WHERE e.account = ? AND e.kind = ? AND e.name_lc = ?`
	selectEntityByID             = `SELECT id, data FROM entities e WHERE e.account = ? AND e.kind = ? AND e.id = ?`
	updateEntityByID             = `UPDATE entities SET name = ?, name_lc = ?, path = ?, arn = ?, boundary = ?, data = ? WHERE id = ? AND account = ? AND kind = ?`
	deleteEntityByName           = `DELETE FROM entities WHERE account = ? AND kind = ? AND name_lc = ?`
	deleteEntityByID             = `DELETE FROM entities WHERE id = ?`
	countEntitiesOfKind          = `SELECT COUNT(*) FROM entities WHERE account = ? AND kind = ?`
	selectPolicyID               = `SELECT id FROM entities WHERE arn = ? AND kind = ?`
	selectPolicyByARN            = `SELECT data, seq FROM entities WHERE arn = ? AND kind = ?`
	selectKeyByID                = keyColumns + `WHERE k.id = ?`
	countGroupsOfUser            = `SELECT COUNT(*) FROM group_members WHERE user_id = ?`
	countPolicyAttached          = `SELECT COUNT(*) FROM attachments WHERE policy_id = ?`
	countPolicyAttachedInAccount = `SELECT COUNT(*) FROM attachments a JOIN entities e ON e.id = a.entity_id WHERE a.policy_id = ? AND e.account = ?`
	countAttachedToEntity        = `SELECT COUNT(*) FROM attachments WHERE entity_id = ?`
	selectPolicyAttachments      = `SELECT e.kind, e.name, e.id FROM attachments a JOIN entities e ON e.id = a.entity_id WHERE a.policy_id = ? ORDER BY e.kind, e.name_lc, e.id`
	selectRecord                 = `SELECT ` + recordCols + ` FROM records WHERE account = ? AND kind = ? AND name_lc = ?`
	selectRecordsPage            = `SELECT ` + recordCols + `, name_lc FROM records WHERE account = ? AND kind = ? AND name_lc > ? ORDER BY name_lc LIMIT ?`
	selectRecordsByOwner         = `SELECT ` + recordCols + ` FROM records WHERE account = ? AND kind = ? AND owner_id = ? ORDER BY name_lc`
	countRecordsOfKind           = `SELECT COUNT(*) FROM records WHERE account = ? AND kind = ?`

	// Writes and reads by primary key (or its leading columns).
	insertEntity            = `INSERT INTO entities (id, account, kind, name, name_lc, path, arn, boundary, seq, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertAccessKey         = `INSERT INTO access_keys (id, account, user_id, status, secret, create_date, last_used, last_service, last_region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	updateKeyStatus         = `UPDATE access_keys SET status = ? WHERE id = ? AND account = ?`
	updateKeyLastUsed       = `UPDATE access_keys SET last_used = ?, last_service = ?, last_region = ? WHERE id = ?`
	deleteAccessKey         = `DELETE FROM access_keys WHERE id = ? AND account = ?`
	insertGroupMember       = `INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	deleteGroupMember       = `DELETE FROM group_members WHERE group_id = ? AND user_id = ?`
	insertPolicyVersion     = `INSERT INTO policy_versions (policy_id, seq, document, create_date) VALUES (?, ?, ?, ?)`
	updatePolicyEntity      = `UPDATE entities SET seq = ?, data = ? WHERE id = ?`
	selectPolicyVersion     = `SELECT document, create_date FROM policy_versions WHERE policy_id = ? AND seq = ?`
	selectPolicyVersions    = `SELECT seq, document, create_date FROM policy_versions WHERE policy_id = ? ORDER BY seq DESC`
	deletePolicyVersion     = `DELETE FROM policy_versions WHERE policy_id = ? AND seq = ?`
	insertAttachment        = `INSERT INTO attachments (entity_id, policy_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	deleteAttachment        = `DELETE FROM attachments WHERE entity_id = ? AND policy_id = ?`
	upsertInlinePolicy      = `INSERT INTO inline_policies (entity_id, name, name_lc, document) VALUES (?, ?, ?, ?) ON CONFLICT (entity_id, name_lc) DO UPDATE SET name = excluded.name, document = excluded.document`
	selectInlinePolicy      = `SELECT name, document FROM inline_policies WHERE entity_id = ? AND name_lc = ?`
	selectInlinePolicies    = `SELECT name, document FROM inline_policies WHERE entity_id = ? ORDER BY name_lc`
	selectInlinePolicyNames = `SELECT name, name_lc FROM inline_policies WHERE entity_id = ? AND name_lc > ? ORDER BY name_lc LIMIT ?`
	deleteInlinePolicy      = `DELETE FROM inline_policies WHERE entity_id = ? AND name_lc = ?`
	selectProfileRoles      = `SELECT e.data FROM profile_roles pr JOIN entities e ON e.id = pr.role_id WHERE pr.profile_id = ?`
	countProfileRoles       = `SELECT COUNT(*) FROM profile_roles WHERE profile_id = ?`
	insertProfileRole       = `INSERT INTO profile_roles (profile_id, role_id) VALUES (?, ?)`
	deleteProfileRole       = `DELETE FROM profile_roles WHERE profile_id = ? AND role_id = ?`
	insertRecord            = `INSERT INTO records (account, kind, name, name_lc, owner_id, data) VALUES (?, ?, ?, ?, ?, ?)`
	updateRecord            = `UPDATE records SET owner_id = ?, data = ? WHERE account = ? AND kind = ? AND name_lc = ?`
	deleteRecord            = `DELETE FROM records WHERE account = ? AND kind = ? AND name_lc = ?`
	selectAccount           = `SELECT alias, create_date FROM accounts WHERE id = ?`
)

// The FROM … WHERE clauses of the listings that listPage pages through.
const (
	fromEntitiesOfKind = `FROM entities e WHERE e.account = ? AND e.kind = ?`
	fromGroupMembers   = `FROM entities e JOIN group_members m ON m.user_id = e.id WHERE m.group_id = ?`
	fromGroupsOfUser   = `FROM entities e JOIN group_members m ON m.group_id = e.id WHERE m.user_id = ?`
	fromAttachedTo     = `FROM entities e JOIN attachments a ON a.policy_id = e.id WHERE a.entity_id = ?`
	fromProfilesOfRole = `FROM entities e JOIN profile_roles pr ON pr.profile_id = e.id WHERE pr.role_id = ?`
	fromAWSPolicies    = `FROM entities e WHERE e.account = 'aws' AND e.kind = ?`
	fromAllPolicies    = `FROM entities e WHERE e.account IN (?, 'aws') AND e.kind = ?`
	onlyAttached       = ` AND EXISTS (SELECT 1 FROM attachments a WHERE a.policy_id = e.id)`
)

// entityID finds the unique id of a named entity.
func (t *tx) entityID(ctx context.Context, account, kind, name string) (string, error) {
	var id string
	err := t.row(ctx, kind+" "+name, selectEntityID, []any{account, kind, strings.ToLower(name)}, &id)
	return id, err
}

func getEntity[T any](ctx context.Context, t *tx, what, query string, args ...any) (T, string, error) {
	var v T
	var id, data string
	if err := t.row(ctx, what, query, args, &id, &data); err != nil {
		return v, "", err
	}
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		return v, "", fmt.Errorf("sqlstore: decode %s: %w", what, err)
	}
	return v, id, nil
}

func byName[T any](ctx context.Context, t *tx, account, kind, name string) (T, string, error) {
	return getEntity[T](ctx, t, kind+" "+name, selectEntityByName, account, kind, strings.ToLower(name))
}

func byID[T any](ctx context.Context, t *tx, account, kind, id string) (T, error) {
	v, _, err := getEntity[T](ctx, t, kind+" "+id, selectEntityByID, account, kind, id)
	return v, err
}

func (t *tx) deleteEntity(ctx context.Context, account, kind, name string) error {
	return t.execOne(ctx, kind+" "+name, deleteEntityByName, account, kind, strings.ToLower(name))
}

// ---- paging ----

func encodeMarker(nameLC, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(nameLC + "\x00" + id))
}

func decodeMarker(m string) (nameLC, id string, err error) {
	if m == "" {
		return "", "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return "", "", store.ErrInvalidMarker
	}
	nameLC, id, ok := strings.Cut(string(raw), "\x00")
	if !ok {
		return "", "", store.ErrInvalidMarker
	}
	return nameLC, id, nil
}

func pageSize(opt store.ListOptions) int {
	switch {
	case opt.MaxItems <= 0:
		return store.DefaultMaxItems
	case opt.MaxItems > maxMaxItems:
		return maxMaxItems
	}
	return opt.MaxItems
}

// pageQuery is the statement listPage runs for from; its parameters are from's, then the marker
// (name, name, id), the path prefix (length, prefix) and the row limit. "After the marker" is
// written as name_lc >= ? AND (name_lc > ? OR id > ?), not as the equivalent
// name_lc > ? OR (name_lc = ? AND id > ?): the planner turns only the first into a range of the
// name index, so a page far into a listing starts at the marker instead of walking up to it.
func pageQuery(from string) string {
	return `SELECT e.name_lc, e.id, e.data ` + from +
		` AND e.name_lc >= ? AND (e.name_lc > ? OR e.id > ?) AND substr(e.path, 1, ?) = ? ORDER BY e.name_lc, e.id LIMIT ?`
}

// listPage pages through entities e selected by from (which ends in a WHERE clause), ordered by
// (name_lc, id) — a total order, so a marker naming the last row returned resumes exactly after
// it whatever was inserted or deleted meanwhile.
func listPage[T any](ctx context.Context, t *tx, opt store.ListOptions, from string, args []any) (store.Page[T], error) {
	var page store.Page[T]
	afterName, afterID, err := decodeMarker(opt.Marker)
	if err != nil {
		return page, err
	}
	prefix := opt.PathPrefix
	if prefix == "" {
		prefix = "/"
	}
	n := pageSize(opt)
	args = append(args, afterName, afterName, afterID, len(prefix), prefix, n+1)
	rows, err := t.query(ctx, pageQuery(from), args...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	var lastName, lastID string
	for rows.Next() {
		if len(page.Items) == n {
			page.IsTruncated = true
			page.Marker = encodeMarker(lastName, lastID)
			break
		}
		var data string
		if err := rows.Scan(&lastName, &lastID, &data); err != nil {
			return page, err
		}
		var v T
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return page, fmt.Errorf("sqlstore: decode %s: %w", lastID, err)
		}
		page.Items = append(page.Items, v)
	}
	return page, rows.Err()
}

// ---- accounts ----

func (t *tx) CreateAccount(ctx context.Context, a iam.Account) error {
	_, err := t.exec(ctx, `INSERT INTO accounts (id, alias, create_date) VALUES (?, ?, ?)`, a.ID, a.Alias, micros(a.CreateDate))
	return err
}

func (t *tx) Account(ctx context.Context, id string) (iam.Account, error) {
	a := iam.Account{ID: id}
	var created int64
	err := t.row(ctx, "account "+id, selectAccount, []any{id}, &a.Alias, &created)
	a.CreateDate = fromMicros(created)
	return a, err
}

func (t *tx) Accounts(ctx context.Context) ([]iam.Account, error) {
	rows, err := t.query(ctx, `SELECT id, alias, create_date FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []iam.Account
	for rows.Next() {
		var a iam.Account
		var created int64
		if err := rows.Scan(&a.ID, &a.Alias, &created); err != nil {
			return nil, err
		}
		a.CreateDate = fromMicros(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ---- users ----

func userEnt(u iam.User) ent {
	return ent{u.UserID, u.Account, kindUser, u.UserName, u.Path, u.Arn, u.PermissionsBoundary}
}

func normUser(u iam.User) iam.User {
	u.CreateDate, u.PasswordLastUsed = utc(u.CreateDate), utc(u.PasswordLastUsed)
	return u
}

func (t *tx) CreateUser(ctx context.Context, u iam.User) error {
	u = normUser(u)
	return t.insertEntity(ctx, userEnt(u), 0, u)
}

func (t *tx) User(ctx context.Context, account, name string) (iam.User, error) {
	u, _, err := byName[iam.User](ctx, t, account, kindUser, name)
	return u, err
}

func (t *tx) UserByID(ctx context.Context, account, id string) (iam.User, error) {
	return byID[iam.User](ctx, t, account, kindUser, id)
}

func (t *tx) UpdateUser(ctx context.Context, u iam.User) error {
	u = normUser(u)
	return t.updateEntity(ctx, userEnt(u), u)
}

func (t *tx) DeleteUser(ctx context.Context, account, name string) error {
	return t.deleteEntity(ctx, account, kindUser, name)
}

func (t *tx) Users(ctx context.Context, account string, opt store.ListOptions) (store.Page[iam.User], error) {
	return listPage[iam.User](ctx, t, opt, fromEntitiesOfKind, []any{account, kindUser})
}

func (t *tx) CountUsers(ctx context.Context, account string) (int, error) {
	return t.count(ctx, countEntitiesOfKind, account, kindUser)
}

// ---- access keys ----

// keyOwner resolves a user name to the access_keys.user_id value: NULL for the root user.
func (t *tx) keyOwner(ctx context.Context, account, userName string) (any, error) {
	if userName == "" {
		return nil, nil
	}
	return t.entityID(ctx, account, kindUser, userName)
}

func (t *tx) CreateAccessKey(ctx context.Context, k iam.AccessKey) error {
	owner, err := t.keyOwner(ctx, k.Account, k.UserName)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, insertAccessKey,
		k.AccessKeyID, k.Account, owner, k.Status, k.SecretSealed, micros(k.CreateDate), micros(k.LastUsed.LastUsedDate), k.LastUsed.ServiceName, k.LastUsed.Region)
	return err
}

const keyColumns = `SELECT k.id, k.account, COALESCE(e.name, ''), k.status, k.secret, k.create_date, k.last_used, k.last_service, k.last_region FROM access_keys k LEFT JOIN entities e ON e.id = k.user_id `

func scanKey(sc interface{ Scan(...any) error }) (iam.AccessKey, error) {
	var k iam.AccessKey
	var created, used int64
	err := sc.Scan(&k.AccessKeyID, &k.Account, &k.UserName, &k.Status, &k.SecretSealed, &created, &used, &k.LastUsed.ServiceName, &k.LastUsed.Region)
	k.CreateDate, k.LastUsed.LastUsedDate = fromMicros(created), fromMicros(used)
	return k, err
}

func (t *tx) AccessKey(ctx context.Context, id string) (iam.AccessKey, error) {
	rows, err := t.query(ctx, selectKeyByID, id)
	if err != nil {
		return iam.AccessKey{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return iam.AccessKey{}, err
		}
		return iam.AccessKey{}, fmt.Errorf("%w: access key %s", store.ErrNotFound, id)
	}
	return scanKey(rows)
}

// The keys of one owner: a user (by unique id) or, where user_id is NULL, the root user.
const (
	selectKeysOfUser = keyColumns + `WHERE k.account = ? AND k.user_id = ? ORDER BY k.create_date, k.id`
	selectKeysOfRoot = keyColumns + `WHERE k.account = ? AND k.user_id IS NULL ORDER BY k.create_date, k.id`
	countKeysOfUser  = `SELECT COUNT(*) FROM access_keys k WHERE k.account = ? AND k.user_id = ?`
	countKeysOfRoot  = `SELECT COUNT(*) FROM access_keys k WHERE k.account = ? AND k.user_id IS NULL`
)

// ownerQuery picks the statement for owner (nil: the root user) and its arguments.
func ownerQuery(ofUser, ofRoot, account string, owner any) (string, []any) {
	if owner == nil {
		return ofRoot, []any{account}
	}
	return ofUser, []any{account, owner}
}

func (t *tx) AccessKeys(ctx context.Context, account, userName string) ([]iam.AccessKey, error) {
	owner, err := t.keyOwner(ctx, account, userName)
	if err != nil {
		return nil, err
	}
	q, args := ownerQuery(selectKeysOfUser, selectKeysOfRoot, account, owner)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []iam.AccessKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *tx) CountAccessKeys(ctx context.Context, account, userName string) (int, error) {
	owner, err := t.keyOwner(ctx, account, userName)
	if err != nil {
		return 0, err
	}
	q, args := ownerQuery(countKeysOfUser, countKeysOfRoot, account, owner)
	return t.count(ctx, q, args...)
}

func (t *tx) UpdateAccessKeyStatus(ctx context.Context, account, id, status string) error {
	return t.execOne(ctx, "access key "+id, updateKeyStatus, status, id, account)
}

func (t *tx) RecordAccessKeyUse(ctx context.Context, id string, used iam.AccessKeyLastUsed) error {
	return t.execOne(ctx, "access key "+id, updateKeyLastUsed,
		micros(used.LastUsedDate), used.ServiceName, used.Region, id)
}

func (t *tx) DeleteAccessKey(ctx context.Context, account, id string) error {
	return t.execOne(ctx, "access key "+id, deleteAccessKey, id, account)
}

// ---- groups ----

func groupEnt(g iam.Group) ent {
	return ent{g.GroupID, g.Account, kindGroup, g.GroupName, g.Path, g.Arn, ""}
}

func (t *tx) CreateGroup(ctx context.Context, g iam.Group) error {
	g.CreateDate = utc(g.CreateDate)
	return t.insertEntity(ctx, groupEnt(g), 0, g)
}

func (t *tx) Group(ctx context.Context, account, name string) (iam.Group, error) {
	g, _, err := byName[iam.Group](ctx, t, account, kindGroup, name)
	return g, err
}

func (t *tx) GroupByID(ctx context.Context, account, id string) (iam.Group, error) {
	return byID[iam.Group](ctx, t, account, kindGroup, id)
}

func (t *tx) UpdateGroup(ctx context.Context, g iam.Group) error {
	g.CreateDate = utc(g.CreateDate)
	return t.updateEntity(ctx, groupEnt(g), g)
}

func (t *tx) DeleteGroup(ctx context.Context, account, name string) error {
	return t.deleteEntity(ctx, account, kindGroup, name)
}

func (t *tx) Groups(ctx context.Context, account string, opt store.ListOptions) (store.Page[iam.Group], error) {
	return listPage[iam.Group](ctx, t, opt, fromEntitiesOfKind, []any{account, kindGroup})
}

func (t *tx) CountGroups(ctx context.Context, account string) (int, error) {
	return t.count(ctx, countEntitiesOfKind, account, kindGroup)
}

func (t *tx) groupAndUser(ctx context.Context, account, group, user string) (gid, uid string, err error) {
	if gid, err = t.entityID(ctx, account, kindGroup, group); err != nil {
		return "", "", err
	}
	uid, err = t.entityID(ctx, account, kindUser, user)
	return gid, uid, err
}

func (t *tx) AddUserToGroup(ctx context.Context, account, group, user string) error {
	gid, uid, err := t.groupAndUser(ctx, account, group, user)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, insertGroupMember, gid, uid)
	return err
}

func (t *tx) RemoveUserFromGroup(ctx context.Context, account, group, user string) error {
	gid, uid, err := t.groupAndUser(ctx, account, group, user)
	if err != nil {
		return err
	}
	return t.execOne(ctx, "membership of "+user+" in "+group, deleteGroupMember, gid, uid)
}

func (t *tx) GroupMembers(ctx context.Context, account, group string, opt store.ListOptions) (store.Page[iam.User], error) {
	gid, err := t.entityID(ctx, account, kindGroup, group)
	if err != nil {
		return store.Page[iam.User]{}, err
	}
	return listPage[iam.User](ctx, t, opt, fromGroupMembers, []any{gid})
}

func (t *tx) GroupsForUser(ctx context.Context, account, user string, opt store.ListOptions) (store.Page[iam.Group], error) {
	uid, err := t.entityID(ctx, account, kindUser, user)
	if err != nil {
		return store.Page[iam.Group]{}, err
	}
	return listPage[iam.Group](ctx, t, opt, fromGroupsOfUser, []any{uid})
}

func (t *tx) CountGroupsForUser(ctx context.Context, account, user string) (int, error) {
	uid, err := t.entityID(ctx, account, kindUser, user)
	if err != nil {
		return 0, err
	}
	return t.count(ctx, countGroupsOfUser, uid)
}

// ---- roles ----

func roleEnt(r iam.Role) ent {
	return ent{r.RoleID, r.Account, kindRole, r.RoleName, r.Path, r.Arn, r.PermissionsBoundary}
}

func normRole(r iam.Role) iam.Role {
	r.CreateDate, r.LastUsed.LastUsedDate = utc(r.CreateDate), utc(r.LastUsed.LastUsedDate)
	return r
}

func (t *tx) CreateRole(ctx context.Context, r iam.Role) error {
	r = normRole(r)
	return t.insertEntity(ctx, roleEnt(r), 0, r)
}

func (t *tx) Role(ctx context.Context, account, name string) (iam.Role, error) {
	r, _, err := byName[iam.Role](ctx, t, account, kindRole, name)
	return r, err
}

func (t *tx) RoleByID(ctx context.Context, account, id string) (iam.Role, error) {
	return byID[iam.Role](ctx, t, account, kindRole, id)
}

func (t *tx) UpdateRole(ctx context.Context, r iam.Role) error {
	r = normRole(r)
	return t.updateEntity(ctx, roleEnt(r), r)
}

func (t *tx) RecordRoleUse(ctx context.Context, account, roleID string, used iam.RoleLastUsed) error {
	r, err := t.RoleByID(ctx, account, roleID)
	if err != nil {
		return err
	}
	r.LastUsed = used
	return t.UpdateRole(ctx, r)
}

func (t *tx) DeleteRole(ctx context.Context, account, name string) error {
	return t.deleteEntity(ctx, account, kindRole, name)
}

func (t *tx) Roles(ctx context.Context, account string, opt store.ListOptions) (store.Page[iam.Role], error) {
	return listPage[iam.Role](ctx, t, opt, fromEntitiesOfKind, []any{account, kindRole})
}

func (t *tx) CountRoles(ctx context.Context, account string) (int, error) {
	return t.count(ctx, countEntitiesOfKind, account, kindRole)
}

// ---- managed policies ----

func policyEnt(p iam.ManagedPolicy) ent {
	return ent{p.PolicyID, p.Account, kindPolicy, p.PolicyName, p.Path, p.Arn, ""}
}

// normPolicy prepares a policy for storage: the counts are computed on read, never stored.
func normPolicy(p iam.ManagedPolicy) iam.ManagedPolicy {
	p.CreateDate, p.UpdateDate = utc(p.CreateDate), utc(p.UpdateDate)
	p.AttachmentCount, p.PermissionsBoundaryUsageCount = 0, 0
	return p
}

// The boundary counts say "boundary <> ”" so that the planner can use the partial index
// entities_boundary: it cannot prove that of a bound parameter, and without it each count
// scanned every entity (at 100,000 users and roles, six such scans were 0.9 s of iamd's start).
const (
	countBoundaryUses          = `SELECT COUNT(*) FROM entities WHERE boundary = ? AND boundary <> ''`
	countBoundaryUsesInAccount = `SELECT COUNT(*) FROM entities WHERE boundary = ? AND boundary <> '' AND account = ?`
)

func (t *tx) PolicyUses(ctx context.Context, account, arn string) (attached, boundaries int, err error) {
	p, _, err := t.policy(ctx, arn)
	if err != nil {
		return 0, 0, err
	}
	if attached, err = t.count(ctx, countPolicyAttachedInAccount, p.PolicyID, account); err != nil {
		return 0, 0, err
	}
	boundaries, err = t.count(ctx, countBoundaryUsesInAccount, arn, account)
	return attached, boundaries, err
}

func (t *tx) fillCounts(ctx context.Context, p *iam.ManagedPolicy) error {
	var err error
	if p.AttachmentCount, err = t.count(ctx, countPolicyAttached, p.PolicyID); err != nil {
		return err
	}
	p.PermissionsBoundaryUsageCount, err = t.count(ctx, countBoundaryUses, p.Arn)
	return err
}

func (t *tx) CreatePolicy(ctx context.Context, p iam.ManagedPolicy, document string) error {
	p = normPolicy(p)
	// An AWS managed policy is seeded at the version AWS publishes (v12); others start at v1.
	seq := 1
	if p.DefaultVersionID != "" {
		n, ok := versionSeq(p.DefaultVersionID)
		if !ok {
			return fmt.Errorf("sqlstore: invalid version id %q", p.DefaultVersionID)
		}
		seq = n
	}
	p.DefaultVersionID = "v" + strconv.Itoa(seq)
	if err := t.insertEntity(ctx, policyEnt(p), seq, p); err != nil {
		return err
	}
	created := p.UpdateDate
	if created.IsZero() {
		created = p.CreateDate
	}
	_, err := t.exec(ctx, insertPolicyVersion, p.PolicyID, seq, document, micros(created))
	return err
}

func (t *tx) policy(ctx context.Context, arn string) (iam.ManagedPolicy, int, error) {
	var data string
	var seq int
	if err := t.row(ctx, "policy "+arn, selectPolicyByARN, []any{arn, kindPolicy}, &data, &seq); err != nil {
		return iam.ManagedPolicy{}, 0, err
	}
	var p iam.ManagedPolicy
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return p, 0, fmt.Errorf("sqlstore: decode policy %s: %w", arn, err)
	}
	return p, seq, nil
}

func (t *tx) Policy(ctx context.Context, arn string) (iam.ManagedPolicy, error) {
	p, _, err := t.policy(ctx, arn)
	if err != nil {
		return p, err
	}
	return p, t.fillCounts(ctx, &p)
}

func (t *tx) UpdatePolicy(ctx context.Context, p iam.ManagedPolicy) error {
	cur, _, err := t.policy(ctx, p.Arn)
	if err != nil {
		return err
	}
	// Only the mutable fields change; the default version moves through SetDefaultPolicyVersion.
	cur.Description, cur.Tags, cur.UpdateDate, cur.IsAttachable = p.Description, p.Tags, p.UpdateDate, p.IsAttachable
	cur = normPolicy(cur)
	return t.updateEntity(ctx, policyEnt(cur), cur)
}

func (t *tx) DeletePolicy(ctx context.Context, arn string) error {
	p, _, err := t.policy(ctx, arn)
	if err != nil {
		return err
	}
	if err := t.fillCounts(ctx, &p); err != nil {
		return err
	}
	if p.AttachmentCount > 0 || p.PermissionsBoundaryUsageCount > 0 {
		return fmt.Errorf("%w: policy %s is attached or used as a permissions boundary", store.ErrConflict, arn)
	}
	return t.execOne(ctx, "policy "+arn, deleteEntityByID, p.PolicyID)
}

func (t *tx) Policies(ctx context.Context, account string, opt store.PolicyListOptions) (store.Page[iam.ManagedPolicy], error) {
	var from string
	var args []any
	switch opt.Scope {
	case store.ScopeAWS:
		from, args = fromAWSPolicies, []any{kindPolicy}
	case store.ScopeLocal:
		from, args = fromEntitiesOfKind, []any{account, kindPolicy}
	case store.ScopeAll, "":
		from, args = fromAllPolicies, []any{account, kindPolicy}
	default:
		return store.Page[iam.ManagedPolicy]{}, fmt.Errorf("sqlstore: unknown policy scope %q", opt.Scope)
	}
	if opt.OnlyAttached {
		from += onlyAttached
	}
	page, err := listPage[iam.ManagedPolicy](ctx, t, opt.ListOptions, from, args)
	if err != nil {
		return page, err
	}
	for i := range page.Items {
		p := &page.Items[i]
		if p.Account == "aws" {
			// Shared by every account: count this account's uses only.
			if p.AttachmentCount, p.PermissionsBoundaryUsageCount, err = t.PolicyUses(ctx, account, p.Arn); err != nil {
				return page, err
			}
			continue
		}
		if err := t.fillCounts(ctx, p); err != nil {
			return page, err
		}
	}
	return page, nil
}

func (t *tx) CountPolicies(ctx context.Context, account string) (int, error) {
	return t.count(ctx, countEntitiesOfKind, account, kindPolicy)
}

func versionSeq(versionID string) (int, bool) {
	num, ok := strings.CutPrefix(versionID, "v")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n > 0 && "v"+strconv.Itoa(n) == versionID
}

func (t *tx) CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool, created time.Time) (iam.PolicyVersion, error) {
	p, seq, err := t.policy(ctx, arn)
	if err != nil {
		return iam.PolicyVersion{}, err
	}
	seq++
	v := iam.PolicyVersion{VersionID: "v" + strconv.Itoa(seq), Document: document, IsDefaultVersion: setDefault, CreateDate: utc(created)}
	if _, err := t.exec(ctx, insertPolicyVersion, p.PolicyID, seq, document, micros(created)); err != nil {
		return iam.PolicyVersion{}, err
	}
	if setDefault {
		p.DefaultVersionID, p.UpdateDate = v.VersionID, v.CreateDate
	}
	p = normPolicy(p)
	js, err := json.Marshal(p)
	if err != nil {
		return iam.PolicyVersion{}, err
	}
	_, err = t.exec(ctx, updatePolicyEntity, seq, string(js), p.PolicyID)
	return v, err
}

func (t *tx) PolicyVersion(ctx context.Context, arn, versionID string) (iam.PolicyVersion, error) {
	p, _, err := t.policy(ctx, arn)
	if err != nil {
		return iam.PolicyVersion{}, err
	}
	seq, ok := versionSeq(versionID)
	if !ok {
		return iam.PolicyVersion{}, fmt.Errorf("%w: policy version %q", store.ErrNotFound, versionID)
	}
	v := iam.PolicyVersion{VersionID: versionID, IsDefaultVersion: p.DefaultVersionID == versionID}
	var created int64
	err = t.row(ctx, "policy version "+versionID, selectPolicyVersion, []any{p.PolicyID, seq}, &v.Document, &created)
	v.CreateDate = fromMicros(created)
	return v, err
}

func (t *tx) PolicyVersions(ctx context.Context, arn string) ([]iam.PolicyVersion, error) {
	p, _, err := t.policy(ctx, arn)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, selectPolicyVersions, p.PolicyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []iam.PolicyVersion
	for rows.Next() {
		var seq int
		var created int64
		var v iam.PolicyVersion
		if err := rows.Scan(&seq, &v.Document, &created); err != nil {
			return nil, err
		}
		v.VersionID = "v" + strconv.Itoa(seq)
		v.IsDefaultVersion = v.VersionID == p.DefaultVersionID
		v.CreateDate = fromMicros(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *tx) SetDefaultPolicyVersion(ctx context.Context, arn, versionID string) error {
	if _, err := t.PolicyVersion(ctx, arn, versionID); err != nil {
		return err
	}
	p, _, err := t.policy(ctx, arn)
	if err != nil {
		return err
	}
	p.DefaultVersionID = versionID
	p = normPolicy(p)
	return t.updateEntity(ctx, policyEnt(p), p)
}

func (t *tx) DeletePolicyVersion(ctx context.Context, arn, versionID string) error {
	p, _, err := t.policy(ctx, arn)
	if err != nil {
		return err
	}
	if p.DefaultVersionID == versionID {
		return fmt.Errorf("%w: %s is the default version of %s", store.ErrConflict, versionID, arn)
	}
	seq, ok := versionSeq(versionID)
	if !ok {
		return fmt.Errorf("%w: policy version %q", store.ErrNotFound, versionID)
	}
	return t.execOne(ctx, "policy version "+versionID, deletePolicyVersion, p.PolicyID, seq)
}

// ---- attachments ----

func (t *tx) policyID(ctx context.Context, arn string) (string, error) {
	var id string
	err := t.row(ctx, "policy "+arn, selectPolicyID, []any{arn, kindPolicy}, &id)
	return id, err
}

func principalKind(k iam.EntityKind) (string, error) {
	switch k {
	case iam.KindUser, iam.KindGroup, iam.KindRole:
		return string(k), nil
	}
	return "", fmt.Errorf("sqlstore: %q is not a principal kind", k)
}

func (t *tx) principalID(ctx context.Context, account string, kind iam.EntityKind, name string) (string, error) {
	k, err := principalKind(kind)
	if err != nil {
		return "", err
	}
	return t.entityID(ctx, account, k, name)
}

func (t *tx) AttachPolicy(ctx context.Context, account string, kind iam.EntityKind, principal, policyARN string) error {
	eid, err := t.principalID(ctx, account, kind, principal)
	if err != nil {
		return err
	}
	pid, err := t.policyID(ctx, policyARN)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, insertAttachment, eid, pid)
	return err
}

func (t *tx) DetachPolicy(ctx context.Context, account string, kind iam.EntityKind, principal, policyARN string) error {
	eid, err := t.principalID(ctx, account, kind, principal)
	if err != nil {
		return err
	}
	pid, err := t.policyID(ctx, policyARN)
	if err != nil {
		return err
	}
	return t.execOne(ctx, "attachment of "+policyARN, deleteAttachment, eid, pid)
}

func (t *tx) AttachedPolicies(ctx context.Context, account string, kind iam.EntityKind, principal string, opt store.ListOptions) (store.Page[iam.AttachedPolicy], error) {
	var out store.Page[iam.AttachedPolicy]
	eid, err := t.principalID(ctx, account, kind, principal)
	if err != nil {
		return out, err
	}
	page, err := listPage[iam.ManagedPolicy](ctx, t, opt, fromAttachedTo, []any{eid})
	if err != nil {
		return out, err
	}
	out.IsTruncated, out.Marker = page.IsTruncated, page.Marker
	for _, p := range page.Items {
		out.Items = append(out.Items, iam.AttachedPolicy{PolicyName: p.PolicyName, PolicyArn: p.Arn})
	}
	return out, nil
}

func (t *tx) CountAttachedPolicies(ctx context.Context, account string, kind iam.EntityKind, principal string) (int, error) {
	eid, err := t.principalID(ctx, account, kind, principal)
	if err != nil {
		return 0, err
	}
	return t.count(ctx, countAttachedToEntity, eid)
}

func (t *tx) PolicyAttachments(ctx context.Context, policyARN string) ([]iam.PolicyAttachment, error) {
	pid, err := t.policyID(ctx, policyARN)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, selectPolicyAttachments, pid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []iam.PolicyAttachment
	for rows.Next() {
		var a iam.PolicyAttachment
		var kind string
		if err := rows.Scan(&kind, &a.Name, &a.ID); err != nil {
			return nil, err
		}
		a.Kind = iam.EntityKind(kind)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ---- inline policies ----

func (t *tx) PutInlinePolicy(ctx context.Context, account string, p iam.InlinePolicy) error {
	eid, err := t.principalID(ctx, account, p.Kind, p.PrincipalName)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, upsertInlinePolicy,
		eid, p.PolicyName, strings.ToLower(p.PolicyName), p.Document)
	return err
}

func (t *tx) InlinePolicy(ctx context.Context, account string, kind iam.EntityKind, principal, name string) (iam.InlinePolicy, error) {
	eid, err := t.principalID(ctx, account, kind, principal)
	if err != nil {
		return iam.InlinePolicy{}, err
	}
	p := iam.InlinePolicy{Kind: kind, PrincipalName: principal}
	err = t.row(ctx, "inline policy "+name, selectInlinePolicy,
		[]any{eid, strings.ToLower(name)}, &p.PolicyName, &p.Document)
	return p, err
}

func (t *tx) InlinePolicies(ctx context.Context, account string, kind iam.EntityKind, principal string) ([]iam.InlinePolicy, error) {
	eid, err := t.principalID(ctx, account, kind, principal)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, selectInlinePolicies, eid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []iam.InlinePolicy
	for rows.Next() {
		p := iam.InlinePolicy{Kind: kind, PrincipalName: principal}
		if err := rows.Scan(&p.PolicyName, &p.Document); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *tx) InlinePolicyNames(ctx context.Context, account string, kind iam.EntityKind, principal string, opt store.ListOptions) (store.Page[string], error) {
	var page store.Page[string]
	eid, err := t.principalID(ctx, account, kind, principal)
	if err != nil {
		return page, err
	}
	after, _, err := decodeMarker(opt.Marker)
	if err != nil {
		return page, err
	}
	n := pageSize(opt)
	rows, err := t.query(ctx, selectInlinePolicyNames, eid, after, n+1)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	var last string
	for rows.Next() {
		if len(page.Items) == n {
			page.IsTruncated, page.Marker = true, encodeMarker(last, "")
			break
		}
		var name string
		if err := rows.Scan(&name, &last); err != nil {
			return page, err
		}
		page.Items = append(page.Items, name)
	}
	return page, rows.Err()
}

func (t *tx) DeleteInlinePolicy(ctx context.Context, account string, kind iam.EntityKind, principal, name string) error {
	eid, err := t.principalID(ctx, account, kind, principal)
	if err != nil {
		return err
	}
	return t.execOne(ctx, "inline policy "+name, deleteInlinePolicy, eid, strings.ToLower(name))
}

// ---- instance profiles ----

func profileEnt(p iam.InstanceProfile) ent {
	return ent{p.InstanceProfileID, p.Account, kindProfile, p.InstanceProfileName, p.Path, p.Arn, ""}
}

// normProfile prepares a profile for storage: its roles live in profile_roles.
func normProfile(p iam.InstanceProfile) iam.InstanceProfile {
	p.CreateDate = utc(p.CreateDate)
	p.Roles = nil
	return p
}

func (t *tx) fillRoles(ctx context.Context, p *iam.InstanceProfile) error {
	rows, err := t.query(ctx, selectProfileRoles, p.InstanceProfileID)
	if err != nil {
		return err
	}
	defer rows.Close()
	p.Roles = nil
	for rows.Next() {
		var data string
		var r iam.Role
		if err := rows.Scan(&data); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return err
		}
		p.Roles = append(p.Roles, r)
	}
	return rows.Err()
}

func (t *tx) CreateInstanceProfile(ctx context.Context, p iam.InstanceProfile) error {
	p = normProfile(p)
	return t.insertEntity(ctx, profileEnt(p), 0, p)
}

func (t *tx) InstanceProfile(ctx context.Context, account, name string) (iam.InstanceProfile, error) {
	p, _, err := byName[iam.InstanceProfile](ctx, t, account, kindProfile, name)
	if err != nil {
		return p, err
	}
	return p, t.fillRoles(ctx, &p)
}

func (t *tx) UpdateInstanceProfile(ctx context.Context, p iam.InstanceProfile) error {
	p = normProfile(p)
	return t.updateEntity(ctx, profileEnt(p), p)
}

func (t *tx) DeleteInstanceProfile(ctx context.Context, account, name string) error {
	return t.deleteEntity(ctx, account, kindProfile, name)
}

func (t *tx) profilePage(ctx context.Context, opt store.ListOptions, from string, args []any) (store.Page[iam.InstanceProfile], error) {
	page, err := listPage[iam.InstanceProfile](ctx, t, opt, from, args)
	if err != nil {
		return page, err
	}
	for i := range page.Items {
		if err := t.fillRoles(ctx, &page.Items[i]); err != nil {
			return page, err
		}
	}
	return page, nil
}

func (t *tx) InstanceProfiles(ctx context.Context, account string, opt store.ListOptions) (store.Page[iam.InstanceProfile], error) {
	return t.profilePage(ctx, opt, fromEntitiesOfKind, []any{account, kindProfile})
}

func (t *tx) InstanceProfilesForRole(ctx context.Context, account, role string, opt store.ListOptions) (store.Page[iam.InstanceProfile], error) {
	rid, err := t.entityID(ctx, account, kindRole, role)
	if err != nil {
		return store.Page[iam.InstanceProfile]{}, err
	}
	return t.profilePage(ctx, opt, fromProfilesOfRole, []any{rid})
}

func (t *tx) profileAndRole(ctx context.Context, account, profile, role string) (pid, rid string, err error) {
	if pid, err = t.entityID(ctx, account, kindProfile, profile); err != nil {
		return "", "", err
	}
	rid, err = t.entityID(ctx, account, kindRole, role)
	return pid, rid, err
}

func (t *tx) AddRoleToInstanceProfile(ctx context.Context, account, profile, role string) error {
	pid, rid, err := t.profileAndRole(ctx, account, profile, role)
	if err != nil {
		return err
	}
	n, err := t.count(ctx, countProfileRoles, pid)
	if err != nil {
		return err
	}
	if n >= iam.MaxRolesPerInstanceProfile {
		return fmt.Errorf("%w: instance profile %s already holds a role", store.ErrConflict, profile)
	}
	_, err = t.exec(ctx, insertProfileRole, pid, rid)
	return err
}

func (t *tx) RemoveRoleFromInstanceProfile(ctx context.Context, account, profile, role string) error {
	pid, rid, err := t.profileAndRole(ctx, account, profile, role)
	if err != nil {
		return err
	}
	return t.execOne(ctx, "role "+role+" in instance profile "+profile, deleteProfileRole, pid, rid)
}

// ---- seal keys ----

func (t *tx) SealKeys(ctx context.Context) ([]store.SealKey, error) {
	rows, err := t.query(ctx, `SELECT id, wrapped, create_date FROM seal_keys ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SealKey
	for rows.Next() {
		var k store.SealKey
		var id, created int64
		if err := rows.Scan(&id, &k.Wrapped, &created); err != nil {
			return nil, err
		}
		k.ID, k.CreateDate = uint32(id), fromMicros(created)
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *tx) AddSealKey(ctx context.Context, k store.SealKey) error {
	_, err := t.exec(ctx, `INSERT INTO seal_keys (id, wrapped, create_date) VALUES (?, ?, ?)`, int64(k.ID), k.Wrapped, micros(k.CreateDate))
	return err
}

// ---- records ----

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t *tx) CreateRecord(ctx context.Context, r store.Record) error {
	_, err := t.exec(ctx, insertRecord,
		r.Account, r.Kind, r.Name, strings.ToLower(r.Name), nullable(r.OwnerID), string(r.Data))
	return err
}

func scanRecord(sc interface{ Scan(...any) error }) (store.Record, error) {
	var r store.Record
	var owner sql.NullString
	var data string
	err := sc.Scan(&r.Account, &r.Kind, &r.Name, &owner, &data)
	r.OwnerID, r.Data = owner.String, []byte(data)
	return r, err
}

const recordCols = `account, kind, name, owner_id, data`

func (t *tx) Record(ctx context.Context, account, kind, name string) (store.Record, error) {
	row := t.sql.QueryRowContext(ctx, t.d.rebind(selectRecord),
		account, kind, strings.ToLower(name))
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: %s %s", store.ErrNotFound, kind, name)
	}
	return r, t.d.classify(err)
}

func (t *tx) UpdateRecord(ctx context.Context, r store.Record) error {
	return t.execOne(ctx, r.Kind+" "+r.Name, updateRecord,
		nullable(r.OwnerID), string(r.Data), r.Account, r.Kind, strings.ToLower(r.Name))
}

func (t *tx) DeleteRecord(ctx context.Context, account, kind, name string) error {
	return t.execOne(ctx, kind+" "+name, deleteRecord, account, kind, strings.ToLower(name))
}

// Records pages by name_lc, which is unique within a kind, so the marker needs no id.
func (t *tx) Records(ctx context.Context, account, kind string, opt store.ListOptions) (store.Page[store.Record], error) {
	var page store.Page[store.Record]
	after, _, err := decodeMarker(opt.Marker)
	if err != nil {
		return page, err
	}
	n := pageSize(opt)
	rows, err := t.query(ctx, selectRecordsPage,
		account, kind, after, n+1)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	var last string
	for rows.Next() {
		if len(page.Items) == n {
			page.IsTruncated, page.Marker = true, encodeMarker(last, "")
			break
		}
		var r store.Record
		var owner sql.NullString
		var data string
		if err := rows.Scan(&r.Account, &r.Kind, &r.Name, &owner, &data, &last); err != nil {
			return page, err
		}
		r.OwnerID, r.Data = owner.String, []byte(data)
		page.Items = append(page.Items, r)
	}
	return page, rows.Err()
}

func (t *tx) RecordsByOwner(ctx context.Context, account, kind, ownerID string) ([]store.Record, error) {
	rows, err := t.query(ctx, selectRecordsByOwner, account, kind, ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tx) CountRecords(ctx context.Context, account, kind string) (int, error) {
	return t.count(ctx, countRecordsOfKind, account, kind)
}
