package iamsvc

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Account-wide operations: the alias, the summary of counts and quotas, the credential report,
// the entities a policy is used by, and STS token preferences.

const (
	settingSTSPreferences   = "sts-preferences"
	settingCredentialReport = "credential-report"
	// credentialReportTTL is how long a generated report may be read (AWS: four hours).
	credentialReportTTL = 4 * time.Hour
)

// allPages reads every item of a paged store list.
func allPages[T any](list func(store.ListOptions) (store.Page[T], error)) ([]T, error) {
	var all []T
	opt := store.ListOptions{MaxItems: 1000}
	for {
		page, err := list(opt)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if !page.IsTruncated {
			return all, nil
		}
		opt.Marker = page.Marker
	}
}

// ---- alias ----

// CreateAccountAlias sets the account's alias; an account has at most one, so a new alias
// replaces the old.
func (s *Service) CreateAccountAlias(ctx context.Context, in *iamapi.CreateAccountAliasInput) (*iamapi.CreateAccountAliasOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if iam.IsAccountID(in.AccountAlias) {
		return nil, awserr.Validation("The account alias cannot be a 12-digit number.")
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		old, err := tx.Records(ctx, account, kindAlias, store.ListOptions{})
		if err != nil {
			return err
		}
		for _, r := range old.Items {
			if r.Name == in.AccountAlias {
				return nil
			}
			if err := tx.DeleteRecord(ctx, account, kindAlias, r.Name); err != nil {
				return err
			}
		}
		err = tx.CreateRecord(ctx, store.Record{Account: account, Kind: kindAlias, Name: in.AccountAlias, Data: []byte("{}")})
		return exists(err, "The account alias "+in.AccountAlias+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateAccountAliasOutput{}, nil
}

// accountAlias is the account's alias, "" for none.
func accountAlias(ctx context.Context, tx store.Tx, account string) (string, error) {
	page, err := tx.Records(ctx, account, kindAlias, store.ListOptions{MaxItems: 1})
	if err != nil || len(page.Items) == 0 {
		return "", err
	}
	return page.Items[0].Name, nil
}

// ListAccountAliases lists the alias (zero or one).
func (s *Service) ListAccountAliases(ctx context.Context, in *iamapi.ListAccountAliasesInput) (*iamapi.ListAccountAliasesOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var aliases []string
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		a, err := accountAlias(ctx, tx, c.Account())
		if a != "" {
			aliases = append(aliases, a)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page, trunc, next, err := pageSlice(aliases, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAccountAliasesOutput{AccountAliases: nonNil(page), IsTruncated: ptr(trunc), Marker: next}, nil
}

// DeleteAccountAlias removes the alias.
func (s *Service) DeleteAccountAlias(ctx context.Context, in *iamapi.DeleteAccountAliasInput) (*iamapi.DeleteAccountAliasOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		r, err := tx.Record(ctx, c.Account(), kindAlias, in.AccountAlias)
		if err != nil || r.Name != in.AccountAlias {
			return firstErr(notFound(err, nil), awserr.NoSuchEntity("The account alias "+in.AccountAlias+" cannot be found."))
		}
		return tx.DeleteRecord(ctx, c.Account(), kindAlias, r.Name)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteAccountAliasOutput{}, nil
}

// ---- STS preferences ----

type stsPreferences struct{ GlobalEndpointTokenVersion string }

// SetSecurityTokenServicePreferences records the token version of the global STS endpoint.
// iamd has one endpoint and its session tokens are valid everywhere it runs, so the setting
// only changes what GetAccountSummary reports.
func (s *Service) SetSecurityTokenServicePreferences(ctx context.Context, in *iamapi.SetSecurityTokenServicePreferencesInput) (*iamapi.SetSecurityTokenServicePreferencesOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		_, err := tx.Record(ctx, c.Account(), kindSetting, settingSTSPreferences)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return writeRecord(ctx, tx, err != nil, c.Account(), kindSetting, settingSTSPreferences, "", stsPreferences{in.GlobalEndpointTokenVersion})
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.SetSecurityTokenServicePreferencesOutput{}, nil
}

// ---- summary ----

// GetAccountSummary reports the account's entity counts, counted in one snapshot, and its
// quotas, under AWS's SummaryMap keys.
func (s *Service) GetAccountSummary(ctx context.Context, in *iamapi.GetAccountSummaryInput) (*iamapi.GetAccountSummaryOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	m := map[string]int32{
		"UsersQuota": iam.MaxUsersPerAccount, "GroupsQuota": iam.MaxGroupsPerAccount, "RolesQuota": iam.MaxRolesPerAccount,
		"PoliciesQuota": iam.MaxCustomerPoliciesPerAccount, "InstanceProfilesQuota": iam.MaxInstanceProfilesPerAccount,
		"ServerCertificatesQuota": 20, "UserPolicySizeQuota": iam.MaxInlinePolicyCharsUser, "GroupPolicySizeQuota": iam.MaxInlinePolicyCharsGroup,
		"RolePolicySizeQuota": iam.MaxInlinePolicyCharsRole, "PolicySizeQuota": iam.MaxManagedPolicyChars,
		"AssumeRolePolicySizeQuota": iam.MaxTrustPolicyChars, "GroupsPerUserQuota": iam.MaxGroupsPerUser,
		"SigningCertificatesPerUserQuota": 2, "AccessKeysPerUserQuota": iam.MaxAccessKeysPerUser,
		"AttachedPoliciesPerUserQuota": iam.MaxAttachedPoliciesPerEntity, "AttachedPoliciesPerGroupQuota": iam.MaxAttachedPoliciesPerEntity,
		"AttachedPoliciesPerRoleQuota": iam.MaxAttachedPoliciesPerEntity, "VersionsPerPolicyQuota": iam.MaxPolicyVersions,
		"PolicyVersionsInUseQuota": 10000, "GlobalEndpointTokenVersion": 1,
	}
	count := func(key string, n int, err error) error {
		m[key] = int32(n)
		return err
	}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		n, err := tx.CountUsers(ctx, account)
		if err := count("Users", n, err); err != nil {
			return err
		}
		n, err = tx.CountGroups(ctx, account)
		if err := count("Groups", n, err); err != nil {
			return err
		}
		n, err = tx.CountRoles(ctx, account)
		if err := count("Roles", n, err); err != nil {
			return err
		}
		n, err = tx.CountPolicies(ctx, account)
		if err := count("Policies", n, err); err != nil {
			return err
		}
		profiles, err := allPages(func(o store.ListOptions) (store.Page[iam.InstanceProfile], error) {
			return tx.InstanceProfiles(ctx, account, o)
		})
		if err := count("InstanceProfiles", len(profiles), err); err != nil {
			return err
		}
		n, err = tx.CountRecords(ctx, account, kindServerCert)
		if err := count("ServerCertificates", n, err); err != nil {
			return err
		}
		oidc, err := tx.CountRecords(ctx, account, kindOIDC)
		if err != nil {
			return err
		}
		saml, err := tx.CountRecords(ctx, account, kindSAML)
		if err := count("Providers", oidc+saml, err); err != nil {
			return err
		}
		devices, err := allRecords(ctx, tx, account, kindMFA)
		if err != nil {
			return err
		}
		inUse := 0
		for _, d := range devices {
			if d.OwnerID != "" {
				inUse++
			}
		}
		m["MFADevices"], m["MFADevicesInUse"], m["AccountMFAEnabled"] = int32(len(devices)), int32(inUse), 0
		// AWS's map says whether the root user has a password; iamd's root signs in with keys only.
		m["AccountPasswordPresent"] = 0
		rootKeys, err := tx.CountAccessKeys(ctx, account, "")
		if err != nil {
			return err
		}
		m["AccountAccessKeysPresent"] = int32(min(rootKeys, 1))
		rootCerts, err := signingCertsOf(ctx, tx, account, credOwner{id: account})
		if err != nil {
			return err
		}
		m["AccountSigningCertificatesPresent"] = int32(min(len(rootCerts), 1))
		local, err := allPages(func(o store.ListOptions) (store.Page[iam.ManagedPolicy], error) {
			return tx.Policies(ctx, account, store.PolicyListOptions{ListOptions: o, Scope: store.ScopeLocal})
		})
		if err != nil {
			return err
		}
		versions := 0
		for _, p := range local {
			vs, err := tx.PolicyVersions(ctx, p.Arn)
			if err != nil {
				return err
			}
			versions += len(vs)
		}
		m["PolicyVersionsInUse"] = int32(versions)
		var prefs stsPreferences
		err = readRecord(ctx, tx, account, kindSetting, settingSTSPreferences, &prefs, store.ErrNotFound)
		if err == nil && prefs.GlobalEndpointTokenVersion == "v2Token" {
			m["GlobalEndpointTokenVersion"] = 2
		}
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetAccountSummaryOutput{SummaryMap: m}, nil
}

// ---- ListEntitiesForPolicy ----

type policyEntity struct {
	kind     iam.EntityKind
	name, id string
}

// ListEntitiesForPolicy lists the users, groups and roles a managed policy is attached to
// (PolicyUsageFilter PermissionsPolicy) or is the permissions boundary of (PermissionsBoundary).
func (s *Service) ListEntitiesForPolicy(ctx context.Context, in *iamapi.ListEntitiesForPolicyInput) (*iamapi.ListEntitiesForPolicyOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	want := func(k iam.EntityKind) bool {
		switch in.EntityFilter {
		case "", "LocalManagedPolicy", "AWSManagedPolicy":
			return true
		}
		return strings.EqualFold(in.EntityFilter, string(k))
	}
	prefix := in.PathPrefix
	var found []policyEntity
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		p, err := visiblePolicy(ctx, tx, account, in.PolicyArn, noSuchPolicy(in.PolicyArn))
		if err != nil {
			return err
		}
		if in.EntityFilter == "LocalManagedPolicy" && p.Account == iam.AWSManagedAccount ||
			in.EntityFilter == "AWSManagedPolicy" && p.Account != iam.AWSManagedAccount {
			return nil
		}
		add := func(k iam.EntityKind, name, id, path string) {
			if want(k) && (prefix == "" || strings.HasPrefix(path, prefix)) {
				found = append(found, policyEntity{k, name, id})
			}
		}
		if in.PolicyUsageFilter != "PermissionsBoundary" {
			atts, err := tx.PolicyAttachments(ctx, in.PolicyArn)
			if err != nil {
				return err
			}
			for _, a := range atts {
				if a.Kind == iam.KindGroup {
					g, err := tx.GroupByID(ctx, account, a.ID)
					if err != nil {
						return err
					}
					add(a.Kind, g.GroupName, g.GroupID, g.Path)
				} else if a.Kind == iam.KindUser {
					u, err := tx.UserByID(ctx, account, a.ID)
					if err != nil {
						return err
					}
					add(a.Kind, u.UserName, u.UserID, u.Path)
				} else {
					r, err := tx.RoleByID(ctx, account, a.ID)
					if err != nil {
						return err
					}
					add(a.Kind, r.RoleName, r.RoleID, r.Path)
				}
			}
		}
		if in.PolicyUsageFilter != "PermissionsPolicy" {
			users, err := allPages(func(o store.ListOptions) (store.Page[iam.User], error) { return tx.Users(ctx, account, o) })
			if err != nil {
				return err
			}
			for _, u := range users {
				if u.PermissionsBoundary == in.PolicyArn {
					add(iam.KindUser, u.UserName, u.UserID, u.Path)
				}
			}
			roles, err := allPages(func(o store.ListOptions) (store.Page[iam.Role], error) { return tx.Roles(ctx, account, o) })
			if err != nil {
				return err
			}
			for _, r := range roles {
				if r.PermissionsBoundary == in.PolicyArn {
					add(iam.KindRole, r.RoleName, r.RoleID, r.Path)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A stable order for paging: by kind, then name.
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].kind != found[j].kind {
			return found[i].kind < found[j].kind
		}
		return strings.ToLower(found[i].name) < strings.ToLower(found[j].name)
	})
	page, trunc, next, err := pageSlice(found, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListEntitiesForPolicyOutput{PolicyGroups: []iamapi.PolicyGroup{}, PolicyUsers: []iamapi.PolicyUser{},
		PolicyRoles: []iamapi.PolicyRole{}, IsTruncated: ptr(trunc), Marker: next}
	for _, e := range page {
		switch e.kind {
		case iam.KindGroup:
			out.PolicyGroups = append(out.PolicyGroups, iamapi.PolicyGroup{GroupName: e.name, GroupId: e.id})
		case iam.KindUser:
			out.PolicyUsers = append(out.PolicyUsers, iamapi.PolicyUser{UserName: e.name, UserId: e.id})
		default:
			out.PolicyRoles = append(out.PolicyRoles, iamapi.PolicyRole{RoleName: e.name, RoleId: e.id})
		}
	}
	return out, nil
}

// ---- credential report ----

type credentialReport struct {
	Generated time.Time
	Content   []byte
}

// reportTime formats a time as the credential report does; zero is "N/A".
func reportTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

// credentialReportColumns are AWS's columns, in AWS's order.
var credentialReportColumns = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

// keyColumns are the five columns of one access key slot.
func keyColumns(keys []iam.AccessKey, i int) []string {
	if i >= len(keys) {
		return []string{"false", "N/A", "N/A", "N/A", "N/A"}
	}
	k := keys[i]
	used := k.LastUsed
	if used.LastUsedDate.IsZero() {
		return []string{strconv.FormatBool(k.Status == iam.StatusActive), reportTime(k.CreateDate), "N/A", "N/A", "N/A"}
	}
	return []string{strconv.FormatBool(k.Status == iam.StatusActive), reportTime(k.CreateDate), reportTime(used.LastUsedDate), used.Region, used.ServiceName}
}

// certColumns are the cert_1/cert_2 columns of an owner's signing certificates.
func certColumns(certs []signingCert) []string {
	out := make([]string, 0, 4)
	for i := 0; i < 2; i++ {
		if i >= len(certs) {
			out = append(out, "false", "N/A")
			continue
		}
		out = append(out, strconv.FormatBool(certs[i].Status == iam.StatusActive), reportTime(certs[i].UploadDate))
	}
	return out
}

// buildCredentialReport writes the CSV from the account's users, in one snapshot.
func (s *Service) buildCredentialReport(ctx context.Context, tx store.Tx, account string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(credentialReportColumns); err != nil {
		return nil, err
	}
	acct, err := tx.Account(ctx, account)
	if err != nil {
		return nil, err
	}
	rootKeys, err := tx.AccessKeys(ctx, account, "")
	if err != nil {
		return nil, err
	}
	row := []string{"<root_account>", iam.RootARN(account), reportTime(acct.CreateDate), "not_supported", "N/A", "not_supported", "not_supported", "false"}
	row = append(row, keyColumns(rootKeys, 0)...)
	row = append(row, keyColumns(rootKeys, 1)...)
	rootCerts, err := signingCertsOf(ctx, tx, account, credOwner{id: account})
	if err != nil {
		return nil, err
	}
	row = append(row, certColumns(rootCerts)...)
	if err := w.Write(row); err != nil {
		return nil, err
	}
	policy, err := passwordPolicy(ctx, tx, account)
	if err != nil {
		return nil, err
	}
	users, err := allPages(func(o store.ListOptions) (store.Page[iam.User], error) { return tx.Users(ctx, account, o) })
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		var lp loginProfile
		hasPassword := true
		if err := readRecord(ctx, tx, account, kindLoginProfile, u.UserID, &lp, store.ErrNotFound); errors.Is(err, store.ErrNotFound) {
			hasPassword = false
		} else if err != nil {
			return nil, err
		}
		lastUsed, changed, next := "N/A", "N/A", "N/A"
		if hasPassword {
			lastUsed, changed = "no_information", reportTime(lp.PasswordChanged)
			if !u.PasswordLastUsed.IsZero() {
				lastUsed = reportTime(u.PasswordLastUsed)
			}
			if policy != nil && policy.MaxPasswordAge > 0 {
				next = reportTime(lp.PasswordChanged.AddDate(0, 0, int(policy.MaxPasswordAge)))
			}
		}
		mfa, err := tx.RecordsByOwner(ctx, account, kindMFA, u.UserID)
		if err != nil {
			return nil, err
		}
		keys, err := tx.AccessKeys(ctx, account, u.UserName)
		if err != nil {
			return nil, err
		}
		row := []string{u.UserName, u.Arn, reportTime(u.CreateDate), strconv.FormatBool(hasPassword), lastUsed, changed, next, strconv.FormatBool(len(mfa) > 0)}
		row = append(row, keyColumns(keys, 0)...)
		row = append(row, keyColumns(keys, 1)...)
		certs, err := signingCertsOf(ctx, tx, account, credOwner{id: u.UserID, name: u.UserName})
		if err != nil {
			return nil, err
		}
		row = append(row, certColumns(certs)...)
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// GenerateCredentialReport builds the report at once from the current data. AWS builds it in
// the background and answers the first request as its example does, STARTED with "No report
// exists. Starting a new report generation task", and COMPLETE once a report exists; iamd
// answers the same, though its report is ready when the first answer leaves.
func (s *Service) GenerateCredentialReport(ctx context.Context, in *iamapi.GenerateCredentialReportInput) (*iamapi.GenerateCredentialReportOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	out := &iamapi.GenerateCredentialReportOutput{State: "COMPLETE"}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var old credentialReport
		err := readRecord(ctx, tx, account, kindSetting, settingCredentialReport, &old, store.ErrNotFound)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err != nil {
			out.State, out.Description = "STARTED", "No report exists. Starting a new report generation task"
		}
		content, berr := s.buildCredentialReport(ctx, tx, account)
		if berr != nil {
			return berr
		}
		return writeRecord(ctx, tx, err != nil, account, kindSetting, settingCredentialReport, "", credentialReport{Generated: s.now(), Content: content})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetCredentialReport returns the last generated report while it is fresh.
func (s *Service) GetCredentialReport(ctx context.Context, in *iamapi.GetCredentialReportInput) (*iamapi.GetCredentialReportOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var r credentialReport
	notPresent := awserr.New(http.StatusGone, "ReportNotPresent", "Credential report not present. Please generate the credential report by calling GenerateCredentialReport.")
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		return readRecord(ctx, tx, c.Account(), kindSetting, settingCredentialReport, &r, notPresent)
	})
	if err != nil {
		return nil, err
	}
	if s.cfg.Now().Sub(r.Generated) > credentialReportTTL {
		return nil, awserr.New(http.StatusGone, "ReportExpired", "The credential report has expired. Please generate a new credential report by calling GenerateCredentialReport.")
	}
	return &iamapi.GetCredentialReportOutput{Content: r.Content, ReportFormat: "text/csv", GeneratedTime: r.Generated}, nil
}
