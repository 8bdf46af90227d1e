package console

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Every page below asks the API, with the session's credentials, for what it shows and does;
// a call's error is shown as IAM answered it (AccessDenied names the action and the reason).

// pageSize is how many rows a list page shows.
const pageSize = 50

// maxScanPages bounds the API pages one search scans (100 of 100 users), and searchBudget its
// time; a search that stops early offers the next page.
const (
	maxScanPages = 100
	searchBudget = 60 * time.Millisecond
)

func (c *Console) page(sess session, title, nav string) *pageData {
	d := &pageData{Title: title, Who: whoOf(sess), CSRF: sess.csrf, Nav: nav, Notice: sess.notice}
	if sess.notice != "" {
		c.sessions.update(sess.key, func(s *session) { s.notice = "" })
	}
	return d
}

// dashboardPage is the dashboard's data.
type dashboardPage struct {
	Account, Alias, SignInURL string
	// Recommendations as AWS's IAM dashboard lists them; Checked is false where a call failed.
	RootMFA, RootKeys     bool
	SummaryError          *apiError
	UsersWithoutMFA       []string
	ReportError           *apiError
	Users, Groups, Roles  int32
	Policies, Providers   int32
	RecommendationsClean  bool
	AliasError            *apiError
	SignedInWithMFA, Root bool
}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "IAM dashboard", "dashboard")
	p := dashboardPage{Account: sess.account(), SignedInWithMFA: !sess.mfaAt.IsZero(), Root: sess.id.Root}
	if out, err := client.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err != nil {
		p.AliasError = explain(err)
	} else if len(out.AccountAliases) > 0 {
		p.Alias = out.AccountAliases[0]
	}
	p.SignInURL = c.signInURL(r, p.Account)
	if p.Alias != "" {
		p.SignInURL = c.signInURL(r, p.Alias)
	}
	if out, err := client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}); err != nil {
		p.SummaryError = explain(err)
	} else {
		m := out.SummaryMap
		p.RootMFA, p.RootKeys = m["AccountMFAEnabled"] > 0, m["AccountAccessKeysPresent"] > 0
		p.Users, p.Groups, p.Roles, p.Policies, p.Providers = m["Users"], m["Groups"], m["Roles"], m["Policies"], m["Providers"]
	}
	p.UsersWithoutMFA, p.ReportError = c.usersWithoutMFA(r, sess)
	p.RecommendationsClean = p.SummaryError == nil && p.ReportError == nil && p.RootMFA && !p.RootKeys && len(p.UsersWithoutMFA) == 0
	d.Page = p
	c.render(w, r, http.StatusOK, "dashboard.html", d)
}

// usersWithoutMFA reads the credential report for the users who sign in with a password and no
// MFA device. The dashboard only reads (a GET changes nothing): without a current report it
// offers to generate one (ReportNotPresent, ReportExpired).
func (c *Console) usersWithoutMFA(r *http.Request, sess session) ([]string, *apiError) {
	client, ctx := c.api(r, sess)
	out, err := client.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		return nil, explain(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(out.Content)).ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, &apiError{Code: "InternalFailure", Message: "The credential report could not be read."}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	u, pw, mfa := col["user"], col["password_enabled"], col["mfa_active"]
	var names []string
	for _, row := range rows[1:] {
		if len(row) != len(rows[0]) || row[u] == "<root_account>" {
			continue
		}
		if row[pw] == "true" && row[mfa] != "true" {
			names = append(names, row[u])
		}
	}
	return names, nil
}

type reportPage struct {
	Generated time.Time
	Rows      int
}

// credentialReport shows the credential report's state, with its download and a generate button.
func (c *Console) credentialReport(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "Credential report", "report")
	out, err := client.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	p := reportPage{}
	if e := explain(err); e != nil && e.Code != "ReportNotPresent" && e.Code != "ReportExpired" {
		d.Error = e
	} else if err == nil {
		p.Generated, p.Rows = aws.ToTime(out.GeneratedTime), bytes.Count(out.Content, []byte("\n"))-1
	}
	d.Page = p
	c.render(w, r, d.Error.status(), "report.html", d)
}

// credentialReportCSV downloads the current credential report (GetCredentialReport).
func (c *Console) credentialReportCSV(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	out, err := client.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		d := c.page(sess, "Credential report", "report")
		d.Error, d.Page = explain(err), reportPage{}
		c.render(w, r, d.Error.status(), "report.html", d)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="credential-report-`+sess.account()+`.csv"`)
	w.Write(out.Content)
}

// generateCredentialReport generates a new report (GenerateCredentialReport) and goes back to
// the page it was asked from.
func (c *Console) generateCredentialReport(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	if _, err := client.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}); err != nil {
		d := c.page(sess, "Credential report", "report")
		d.Error, d.Page = explain(err), reportPage{}
		c.render(w, r, d.Error.status(), "report.html", d)
		return
	}
	back := Prefix + "/credential-report"
	if r.PostFormValue("back") == "dashboard" {
		back = Prefix
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// userRow is a user as the lists show it.
type userRow struct {
	Name, Path, ARN           string
	Created, PasswordLastUsed time.Time
}

func userRowOf(u types.User) userRow {
	return userRow{Name: aws.ToString(u.UserName), Path: aws.ToString(u.Path), ARN: aws.ToString(u.Arn),
		Created: aws.ToTime(u.CreateDate), PasswordLastUsed: aws.ToTime(u.PasswordLastUsed)}
}

type usersPage struct {
	Query, Marker, Next string
	Users               []userRow
	Scanned             int
}

// users lists the account's users, a page at a time (ListUsers' Marker); a search filters
// names by substring, scanning pages until a page of matches is found.
func (c *Console) users(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "Users", "users")
	q := r.URL.Query()
	p := usersPage{Query: strings.TrimSpace(q.Get("q")), Marker: q.Get("marker")}
	marker := p.Marker
	start := time.Now()
	for page := 0; page < maxScanPages; page++ {
		in := &iam.ListUsersInput{MaxItems: aws.Int32(pageSize)}
		if p.Query != "" {
			in.MaxItems = aws.Int32(100)
		}
		if marker != "" {
			in.Marker = aws.String(marker)
		}
		out, err := client.ListUsers(ctx, in)
		if err != nil {
			d.Error = explain(err)
			break
		}
		p.Scanned += len(out.Users)
		for _, u := range out.Users {
			if p.Query == "" || contains(aws.ToString(u.UserName), p.Query) {
				p.Users = append(p.Users, userRowOf(u))
			}
		}
		marker = ""
		if out.IsTruncated {
			marker = aws.ToString(out.Marker)
		}
		// A search stops at a page of matches, or when it has taken its time: the next page
		// continues where it stopped.
		if marker == "" || p.Query == "" || len(p.Users) >= pageSize || time.Since(start) > searchBudget {
			break
		}
	}
	p.Next = marker
	d.Page = p
	c.render(w, r, d.Error.status(), "users.html", d)
}

// Values of a user's page.
type (
	userPage struct {
		User          userRow
		Groups        []string
		GroupsError   *apiError
		Attached      []policyRef
		AttachedError *apiError
		Inline        []string
		InlineError   *apiError
		Keys          []keyRow
		KeysError     *apiError
		MFA           []string
		MFAError      *apiError
		Login         string // "yes", "yes, reset required", "no"
		HasLogin      bool
		LoginError    *apiError
		Tags          []tagRow
		TagsError     *apiError
	}
	tagRow    struct{ Key, Value string }
	policyRef struct{ Name, ARN string }
	keyRow    struct {
		ID, Status string
		Created    time.Time
		LastUsed   time.Time
		Service    string
	}
)

// user shows one user: groups, policies, access keys (with last use), MFA, console password.
func (c *Console) user(w http.ResponseWriter, r *http.Request, sess session) {
	c.showUser(w, r, sess, nil)
}

func (c *Console) showUser(w http.ResponseWriter, r *http.Request, sess session, actionErr *apiError) {
	client, ctx := c.api(r, sess)
	name := r.PathValue("name")
	d := c.page(sess, "User "+name, "users")
	out, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		d.Error = explain(err)
		d.Page = userPage{User: userRow{Name: name}}
		c.render(w, r, d.Error.status(), "user.html", d)
		return
	}
	p := userPage{User: userRowOf(*out.User)}
	if g, err := client.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String(name)}); err != nil {
		p.GroupsError = explain(err)
	} else {
		for _, x := range g.Groups {
			p.Groups = append(p.Groups, aws.ToString(x.GroupName))
		}
	}
	if a, err := client.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name)}); err != nil {
		p.AttachedError = explain(err)
	} else {
		for _, x := range a.AttachedPolicies {
			p.Attached = append(p.Attached, policyRef{Name: aws.ToString(x.PolicyName), ARN: aws.ToString(x.PolicyArn)})
		}
	}
	if in, err := client.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String(name)}); err != nil {
		p.InlineError = explain(err)
	} else {
		p.Inline = in.PolicyNames
	}
	if k, err := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)}); err != nil {
		p.KeysError = explain(err)
	} else {
		for _, x := range k.AccessKeyMetadata {
			row := keyRow{ID: aws.ToString(x.AccessKeyId), Status: string(x.Status), Created: aws.ToTime(x.CreateDate)}
			if lu, err := client.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: x.AccessKeyId}); err == nil && lu.AccessKeyLastUsed != nil {
				row.LastUsed, row.Service = aws.ToTime(lu.AccessKeyLastUsed.LastUsedDate), aws.ToString(lu.AccessKeyLastUsed.ServiceName)
			}
			p.Keys = append(p.Keys, row)
		}
	}
	if m, err := client.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String(name)}); err != nil {
		p.MFAError = explain(err)
	} else {
		for _, x := range m.MFADevices {
			p.MFA = append(p.MFA, aws.ToString(x.SerialNumber))
		}
	}
	lp, err := client.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(name)})
	switch e := explain(err); {
	case e == nil && lp.LoginProfile.PasswordResetRequired:
		p.Login, p.HasLogin = "yes, a new password is due at next sign-in", true
	case e == nil:
		p.Login, p.HasLogin = "yes", true
	case e.Code == "NoSuchEntity":
		p.Login = "no"
	default:
		p.LoginError = e
	}
	if t, err := client.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(name)}); err != nil {
		p.TagsError = explain(err)
	} else {
		for _, x := range t.Tags {
			p.Tags = append(p.Tags, tagRow{Key: aws.ToString(x.Key), Value: aws.ToString(x.Value)})
		}
	}
	d.Page, d.Error = p, actionErr
	c.render(w, r, actionErr.status(), "user.html", d)
}

// keyStatus activates or deactivates an access key (UpdateAccessKey).
func (c *Console) keyStatus(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	status := types.StatusTypeInactive
	if r.PostFormValue("status") == "Active" {
		status = types.StatusTypeActive
	}
	_, err := client.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(r.PathValue("name")),
		AccessKeyId: aws.String(r.PathValue("id")), Status: status})
	c.afterUserAction(w, r, sess, err)
}

// keyDelete deletes an access key (DeleteAccessKey).
func (c *Console) keyDelete(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(r.PathValue("name")),
		AccessKeyId: aws.String(r.PathValue("id"))})
	c.afterUserAction(w, r, sess, err)
}

// deleteUser deletes a user as AWS's console does: what the user has first (console password,
// access keys, MFA devices, group memberships, policies), then the user, each step a call the
// principal must be allowed. The user's name, typed again, confirms it.
func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.PathValue("name")
	if r.PostFormValue("confirm") != name {
		c.showUser(w, r, sess, &apiError{Code: "ValidationError", Message: "Type the user's name to confirm the deletion."})
		return
	}
	client, ctx := c.api(r, sess)
	u := aws.String(name)
	err := func() error {
		if _, err := client.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: u}); err != nil && !isCode(err, "NoSuchEntity") {
			return err
		}
		keys, err := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u})
		if err != nil {
			return err
		}
		for _, k := range keys.AccessKeyMetadata {
			if _, err := client.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: u, AccessKeyId: k.AccessKeyId}); err != nil {
				return err
			}
		}
		mfa, err := client.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: u})
		if err != nil {
			return err
		}
		for _, m := range mfa.MFADevices {
			if _, err := client.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: u, SerialNumber: m.SerialNumber}); err != nil {
				return err
			}
			if _, err := client.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: m.SerialNumber}); err != nil && !isCode(err, "NoSuchEntity") {
				return err
			}
		}
		groups, err := client.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: u})
		if err != nil {
			return err
		}
		for _, g := range groups.Groups {
			if _, err := client.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: u, GroupName: g.GroupName}); err != nil {
				return err
			}
		}
		attached, err := client.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: u})
		if err != nil {
			return err
		}
		for _, a := range attached.AttachedPolicies {
			if _, err := client.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: u, PolicyArn: a.PolicyArn}); err != nil {
				return err
			}
		}
		inline, err := client.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: u})
		if err != nil {
			return err
		}
		for _, n := range inline.PolicyNames {
			if _, err := client.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: u, PolicyName: aws.String(n)}); err != nil {
				return err
			}
		}
		_, err = client.DeleteUser(ctx, &iam.DeleteUserInput{UserName: u})
		return err
	}()
	if err != nil {
		c.showUser(w, r, sess, explain(err))
		return
	}
	http.Redirect(w, r, Prefix+"/users", http.StatusSeeOther)
}

func isCode(err error, code string) bool {
	e := explain(err)
	return e != nil && e.Code == code
}

type newUserPage struct {
	Name             string
	Console, Key     bool
	ResetRequired    bool
	CreatedButFailed bool
}

func (c *Console) newUserForm(w http.ResponseWriter, r *http.Request, sess session) {
	d := c.page(sess, "Create user", "users")
	d.Page = newUserPage{Console: true, ResetRequired: true}
	c.render(w, r, http.StatusOK, "newuser.html", d)
}

// createUser creates a user (CreateUser) with, as asked, a console password
// (CreateLoginProfile) and an access key (CreateAccessKey). The new credentials are kept in
// the session for the next page only: shown once, with a CSV download.
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	p := newUserPage{Name: strings.TrimSpace(r.PostFormValue("name")), Console: r.PostFormValue("console") != "",
		Key: r.PostFormValue("key") != "", ResetRequired: r.PostFormValue("reset") != ""}
	password := r.PostFormValue("password")
	fail := func(e *apiError) {
		d := c.page(sess, "Create user", "users")
		d.Error, d.Page = e, p
		c.render(w, r, e.status(), "newuser.html", d)
	}
	if p.Console && password == "" {
		fail(&apiError{Code: "ValidationError", Message: "Enter the console password, or leave console access off."})
		return
	}
	out, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(p.Name)})
	if err != nil {
		fail(explain(err))
		return
	}
	created := &createdCreds{UserName: aws.ToString(out.User.UserName)}
	// Once the user exists, a failure below leaves it for the user's page to finish.
	p.CreatedButFailed = true
	if p.Console {
		_, err := client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: out.User.UserName,
			Password: aws.String(password), PasswordResetRequired: p.ResetRequired})
		if err != nil {
			fail(explain(err))
			return
		}
		created.Password = password
		created.SignInURL = c.signInURL(r, sess.account())
		if a, err := client.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err == nil && len(a.AccountAliases) > 0 {
			created.SignInURL = c.signInURL(r, a.AccountAliases[0])
		}
	}
	if p.Key {
		k, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: out.User.UserName})
		if err != nil {
			fail(explain(err))
			return
		}
		created.AccessKeyID, created.SecretAccessKey = aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	}
	c.sessions.update(sess.key, func(s *session) { s.created = created })
	http.Redirect(w, r, Prefix+"/users/~created", http.StatusSeeOther)
}

// createdUser shows a new user's credentials, the only time the secret is shown.
func (c *Console) createdUser(w http.ResponseWriter, r *http.Request, sess session) {
	if sess.created == nil {
		http.Redirect(w, r, Prefix+"/users", http.StatusSeeOther)
		return
	}
	d := c.page(sess, "User created", "users")
	d.Page = sess.created
	c.render(w, r, http.StatusOK, "created.html", d)
}

// createdCSV downloads the new credentials as AWS's console does (a POST, so the secret is
// never in a URL, and the page's token guards it).
func (c *Console) createdCSV(w http.ResponseWriter, r *http.Request, sess session) {
	cr := sess.created
	if cr == nil {
		http.Redirect(w, r, Prefix+"/users", http.StatusSeeOther)
		return
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"User name", "Password", "Access key ID", "Secret access key", "Console sign-in URL"})
	cw.Write([]string{csvSafe(cr.UserName), csvSafe(cr.Password), cr.AccessKeyID, cr.SecretAccessKey, csvSafe(cr.SignInURL)})
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+cr.UserName+`_credentials.csv"`)
	w.Write(buf.Bytes())
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// createdDone forgets the new credentials and opens the user's page.
func (c *Console) createdDone(w http.ResponseWriter, r *http.Request, sess session) {
	c.sessions.update(sess.key, func(s *session) { s.created = nil })
	if sess.created == nil {
		http.Redirect(w, r, Prefix+"/users", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Prefix+"/users/"+url.PathEscape(sess.created.UserName), http.StatusSeeOther)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
