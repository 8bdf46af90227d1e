package console

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Switch role, as AWS's console has it: the signed-in principal assumes a role in this or
// another account (AssumeRole through the API, with the principal's own credentials, so the
// role's trust policy and the principal's policies decide), and the console acts as the role
// until the principal switches back or the role session ends. The header shows the role's
// display name in its colour. A role session lasts the role's MaxSessionDuration, as AWS's
// console asks (one hour when the principal is itself a role session: role chaining).

// roleColors are the colours AWS's switch-role form offers.
var roleColors = []string{"red", "orange", "yellow", "green", "blue"}

// maxRecentRoles is how many recent roles the history keeps, as AWS's console does.
const maxRecentRoles = 5

type switchRolePage struct {
	roleRef
	Colors []string
	Recent []roleRef
	// Current is the role acted as, if any.
	Current *roleRef
}

// switchRoleForm is AWS's form, filled in from the query of its link
// (…/switchrole?account=…&roleName=…&displayName=…&color=…).
func (c *Console) switchRoleForm(w http.ResponseWriter, r *http.Request, sess session) {
	q := r.URL.Query()
	ref := roleRef{Account: q.Get("account"), RoleName: q.Get("roleName"), DisplayName: q.Get("displayName"), Color: colorOf(q.Get("color"))}
	c.showSwitchRole(w, r, sess, http.StatusOK, ref, nil)
}

func (c *Console) showSwitchRole(w http.ResponseWriter, r *http.Request, sess session, status int, ref roleRef, e *apiError) {
	d := c.page(sess, "Switch role", "")
	p := switchRolePage{roleRef: ref, Colors: roleColors, Recent: sess.recent}
	if sess.role != nil {
		p.Current = &sess.role.roleRef
	}
	d.Page, d.Error = p, e
	c.render(w, r, status, "switchrole.html", d)
}

// colorOf is a colour of the list, "" for anything else.
func colorOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, c := range roleColors {
		if s == c {
			return s
		}
	}
	return ""
}

// sessionNameRE is what a RoleSessionName may hold.
var sessionNameRE = regexp.MustCompile(`[^\w+=,.@-]`)

// switchRole assumes the role (POST /console/switchrole).
func (c *Console) switchRole(w http.ResponseWriter, r *http.Request, sess session) {
	ref := roleRef{Account: strings.TrimSpace(r.PostFormValue("account")), RoleName: strings.Trim(strings.TrimSpace(r.PostFormValue("roleName")), "/"),
		DisplayName: strings.TrimSpace(r.PostFormValue("displayName")), Color: colorOf(r.PostFormValue("color"))}
	fail := func(e *apiError) { c.showSwitchRole(w, r, sess, e.status(), ref, e) }
	if ref.Account == "" || ref.RoleName == "" {
		fail(&apiError{Code: "ValidationError", Message: "Enter the account and the role."})
		return
	}
	if len(ref.RoleName) > 64 {
		fail(&apiError{Code: "ValidationError", Message: "The role's path and name together cannot exceed 64 characters."})
		return
	}
	account, err := c.cfg.Authority.ResolveAccount(r.Context(), ref.Account)
	if err != nil {
		c.fault(w, r, "resolving an account", err)
		return
	}
	if account == "" {
		// As AWS's form answers an account it cannot find.
		fail(&apiError{Code: "InvalidAccount", Message: "Invalid information in one or more fields. Check your information or contact your administrator."})
		return
	}
	if ref.DisplayName == "" {
		ref.DisplayName = ref.RoleName + " @ " + ref.Account
	}
	if len(ref.DisplayName) > 64 {
		ref.DisplayName = ref.DisplayName[:64]
	}
	name := ref.RoleName[strings.LastIndexByte(ref.RoleName, '/')+1:]
	d, err := c.cfg.Authority.RoleMaxSession(r.Context(), account, name)
	if err != nil {
		c.fault(w, r, "reading a role", err)
		return
	}
	if d == 0 || sess.id.roleSession() {
		d = time.Hour // no such role (AssumeRole answers), or role chaining
	}
	client, ctx := c.stsWith(r, sess.creds)
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/" + ref.RoleName),
		RoleSessionName: aws.String(sess.id.sessionName()), DurationSeconds: aws.Int32(int32(d / time.Second))})
	if err != nil {
		fail(explain(err))
		return
	}
	cr := out.Credentials
	role := &roleSession{roleRef: ref, ARN: aws.ToString(out.AssumedRoleUser.Arn), expires: aws.ToTime(cr.Expiration),
		creds: Credentials{AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey),
			SessionToken: aws.ToString(cr.SessionToken), Expires: aws.ToTime(cr.Expiration)}}
	role.Account = account
	c.sessions.update(sess.key, func(s *session) {
		s.role = role
		recent := []roleRef{ref}
		for _, x := range s.recent {
			if x.Account != ref.Account || x.RoleName != ref.RoleName {
				recent = append(recent, x)
			}
		}
		s.recent = recent[:min(len(recent), maxRecentRoles)]
	})
	c.cfg.Logger.Info("console switch role", "principal", sess.id.ARN(), "role", role.ARN, "remote", clientKey(r))
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// switchBack acts as the signed-in principal again (POST /console/switchrole/back).
func (c *Console) switchBack(w http.ResponseWriter, r *http.Request, sess session) {
	c.sessions.update(sess.key, func(s *session) { s.role = nil })
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}
