package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Roles: the list (with each role's last activity), a role's page (trust policy and its editor,
// MaxSessionDuration and description, permissions, instance profiles, last use, the switch-role
// link, deletion), and creation from AWS's trust templates.

type roleRow struct {
	Name, Path, ARN, Description string
	MaxSession                   int32
	Created, LastUsed            time.Time
	LastRegion                   string
}

type rolesPage struct {
	Query, Marker, Next string
	Roles               []roleRow
	Scanned             int
}

// roles lists the account's roles (ListRoles), with the last activity of each (GetRole's
// RoleLastUsed, which ListRoles does not return), searched by name as the users are.
func (c *Console) roles(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "Roles", "roles")
	q := r.URL.Query()
	p := rolesPage{Query: strings.TrimSpace(q.Get("q")), Marker: q.Get("marker")}
	marker := p.Marker
	start := time.Now()
	for page := 0; page < maxScanPages; page++ {
		in := &iam.ListRolesInput{MaxItems: aws.Int32(pageSize), Marker: optional(marker)}
		if p.Query != "" {
			in.MaxItems = aws.Int32(100)
		}
		out, err := client.ListRoles(ctx, in)
		if err != nil {
			d.Error = explain(err)
			break
		}
		p.Scanned += len(out.Roles)
		for _, x := range out.Roles {
			if p.Query == "" || contains(aws.ToString(x.RoleName), p.Query) {
				p.Roles = append(p.Roles, roleRow{Name: aws.ToString(x.RoleName), Path: aws.ToString(x.Path), ARN: aws.ToString(x.Arn),
					Description: aws.ToString(x.Description), MaxSession: aws.ToInt32(x.MaxSessionDuration), Created: aws.ToTime(x.CreateDate)})
			}
		}
		marker = ""
		if out.IsTruncated {
			marker = aws.ToString(out.Marker)
		}
		if marker == "" || p.Query == "" || len(p.Roles) >= pageSize || time.Since(start) > searchBudget {
			break
		}
	}
	for i := range p.Roles {
		if out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(p.Roles[i].Name)}); err == nil && out.Role.RoleLastUsed != nil {
			p.Roles[i].LastUsed, p.Roles[i].LastRegion = aws.ToTime(out.Role.RoleLastUsed.LastUsedDate), aws.ToString(out.Role.RoleLastUsed.Region)
		}
	}
	p.Next = marker
	d.Page = p
	c.render(w, r, d.Error.status(), "roles.html", d)
}

type rolePage struct {
	roleRow
	Account                string
	Trust                  string
	Boundary               string
	Attached               []policyRef
	AttachedError          *apiError
	Inline                 []string
	InlineError            *apiError
	Profiles               []string
	ProfilesError          *apiError
	SwitchURL              string
	MaxSessionChoices      []int32
	ServiceLinked, Chained bool
}

// role shows one role.
func (c *Console) role(w http.ResponseWriter, r *http.Request, sess session) {
	c.showRole(w, r, sess, nil)
}

func (c *Console) showRole(w http.ResponseWriter, r *http.Request, sess session, actionErr *apiError) {
	client, ctx := c.api(r, sess)
	name := r.PathValue("name")
	d := c.page(sess, "Role "+name, "roles")
	out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		d.Error, d.Page = explain(err), rolePage{roleRow: roleRow{Name: name}}
		c.render(w, r, d.Error.status(), "role.html", d)
		return
	}
	x := out.Role
	p := rolePage{roleRow: roleRow{Name: aws.ToString(x.RoleName), Path: aws.ToString(x.Path), ARN: aws.ToString(x.Arn),
		Description: aws.ToString(x.Description), MaxSession: aws.ToInt32(x.MaxSessionDuration), Created: aws.ToTime(x.CreateDate)},
		Account: sess.account(), Trust: documentText(aws.ToString(x.AssumeRolePolicyDocument)),
		MaxSessionChoices: []int32{3600, 7200, 14400, 28800, 43200}, ServiceLinked: strings.HasPrefix(aws.ToString(x.Path), "/aws-service-role/")}
	if x.RoleLastUsed != nil {
		p.LastUsed, p.LastRegion = aws.ToTime(x.RoleLastUsed.LastUsedDate), aws.ToString(x.RoleLastUsed.Region)
	}
	if x.PermissionsBoundary != nil {
		p.Boundary = aws.ToString(x.PermissionsBoundary.PermissionsBoundaryArn)
	}
	rn := strings.TrimPrefix(p.Path, "/") + p.Name
	p.SwitchURL = c.baseURL(r) + Prefix + "/switchrole?account=" + url.QueryEscape(p.Account) + "&roleName=" + url.QueryEscape(rn) +
		"&displayName=" + url.QueryEscape(p.Name)
	if a, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)}); err != nil {
		p.AttachedError = explain(err)
	} else {
		for _, x := range a.AttachedPolicies {
			p.Attached = append(p.Attached, policyRef{Name: aws.ToString(x.PolicyName), ARN: aws.ToString(x.PolicyArn)})
		}
	}
	if in, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)}); err != nil {
		p.InlineError = explain(err)
	} else {
		p.Inline = in.PolicyNames
	}
	if ip, err := client.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String(name)}); err != nil {
		p.ProfilesError = explain(err)
	} else {
		for _, x := range ip.InstanceProfiles {
			p.Profiles = append(p.Profiles, aws.ToString(x.InstanceProfileName))
		}
	}
	d.Page, d.Error = p, actionErr
	c.render(w, r, actionErr.status(), "role.html", d)
}

// updateRole changes the role's description and MaxSessionDuration (UpdateRole).
func (c *Console) updateRole(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	in := &iam.UpdateRoleInput{RoleName: aws.String(r.PathValue("name")), Description: aws.String(r.PostFormValue("description"))}
	if s, err := strconv.Atoi(r.PostFormValue("maxSession")); err == nil {
		in.MaxSessionDuration = aws.Int32(int32(s))
	}
	_, err := client.UpdateRole(ctx, in)
	c.afterEntityAction("roles", w, r, sess, err)
}

// trustEditor opens the editor on the role's trust policy.
func (c *Console) trustEditor(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	name := r.PathValue("name")
	f := &editorForm{Action: entityURL("roles", name) + "/trust", Back: entityURL("roles", name)}
	out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err == nil {
		f.Document = documentText(aws.ToString(out.Role.AssumeRolePolicyDocument))
	}
	e := explain(err)
	c.showEditor(w, r, sess, "trust", f, e.status(), e)
}

// saveTrust is the trust editor's Save (UpdateAssumeRolePolicy).
func saveTrust(c *Console, r *http.Request, sess session, f *editorForm) (string, error) {
	client, ctx := c.api(r, sess)
	name := r.PathValue("name")
	_, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(f.Document)})
	return entityURL("roles", name), err
}

// deleteRole deletes a role as AWS's console does: removed from its instance profiles, its
// policies detached and deleted, then the role. The name, typed again, confirms it.
func (c *Console) deleteRole(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.PathValue("name")
	if r.PostFormValue("confirm") != name {
		c.showRole(w, r, sess, &apiError{Code: "ValidationError", Message: "Type the role's name to confirm the deletion."})
		return
	}
	client, ctx := c.api(r, sess)
	n := aws.String(name)
	err := func() error {
		ip, err := client.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: n})
		if err != nil {
			return err
		}
		for _, p := range ip.InstanceProfiles {
			if _, err := client.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{RoleName: n, InstanceProfileName: p.InstanceProfileName}); err != nil {
				return err
			}
		}
		att, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: n})
		if err != nil {
			return err
		}
		for _, a := range att.AttachedPolicies {
			if _, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: n, PolicyArn: a.PolicyArn}); err != nil {
				return err
			}
		}
		in, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: n})
		if err != nil {
			return err
		}
		for _, pn := range in.PolicyNames {
			if _, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: n, PolicyName: aws.String(pn)}); err != nil {
				return err
			}
		}
		_, err = client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: n})
		return err
	}()
	if err != nil {
		c.showRole(w, r, sess, explain(err))
		return
	}
	http.Redirect(w, r, Prefix+"/roles", http.StatusSeeOther)
}

// Creating a role: AWS's trusted entity templates, then the trust policy in the editor.

// trustTemplates are the kinds of trusted entity AWS's console offers.
var trustTemplates = []struct{ ID, Label string }{
	{"account", "This account: its users and roles whose policies allow it"},
	{"other-account", "Another AWS account"},
	{"web-identity", "Web identity: an OpenID Connect provider"},
	{"saml", "SAML 2.0 federation"},
	{"ec2", "AWS service: EC2 (an instance profile of the same name is made too)"},
}

type newRolePage struct {
	Templates                                    []struct{ ID, Label string }
	Template, OtherAccount, ExternalID, Audience string
	Provider, SAMLProvider                       string
	RequireMFA                                   bool
	OIDCProviders, SAMLProviders                 []string
	OIDCError, SAMLError                         *apiError
}

// newRoleForm shows the templates and their settings.
func (c *Console) newRoleForm(w http.ResponseWriter, r *http.Request, sess session) {
	c.showNewRole(w, r, sess, newRolePage{Template: "account"}, http.StatusOK, nil)
}

func (c *Console) showNewRole(w http.ResponseWriter, r *http.Request, sess session, p newRolePage, status int, e *apiError) {
	client, ctx := c.api(r, sess)
	p.Templates = trustTemplates
	if out, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}); err != nil {
		p.OIDCError = explain(err)
	} else {
		for _, x := range out.OpenIDConnectProviderList {
			p.OIDCProviders = append(p.OIDCProviders, aws.ToString(x.Arn))
		}
	}
	if out, err := client.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{}); err != nil {
		p.SAMLError = explain(err)
	} else {
		for _, x := range out.SAMLProviderList {
			p.SAMLProviders = append(p.SAMLProviders, aws.ToString(x.Arn))
		}
	}
	d := c.page(sess, "Create role", "roles")
	d.Page, d.Error = p, e
	c.render(w, r, status, "newrole.html", d)
}

// trustStatement is a statement of a generated trust policy, its members in AWS's order.
type trustStatement struct {
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal"`
	Action    string                       `json:"Action"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// trustDocument makes the trust policy of a template, as AWS's console writes it.
func trustDocument(account string, p newRolePage) (string, *apiError) {
	st := trustStatement{Effect: "Allow", Action: "sts:AssumeRole"}
	cond := map[string]map[string]string{}
	switch p.Template {
	case "account", "other-account":
		trusted := account
		if p.Template == "other-account" {
			trusted = strings.TrimSpace(p.OtherAccount)
			if len(trusted) != 12 || strings.Trim(trusted, "0123456789") != "" {
				return "", &apiError{Code: "ValidationError", Message: "Enter the other account's id: 12 digits."}
			}
		}
		st.Principal = map[string]string{"AWS": "arn:aws:iam::" + trusted + ":root"}
		if p.ExternalID != "" {
			cond["StringEquals"] = map[string]string{"sts:ExternalId": p.ExternalID}
		}
		if p.RequireMFA {
			cond["Bool"] = map[string]string{"aws:MultiFactorAuthPresent": "true"}
		}
	case "web-identity":
		if p.Provider == "" {
			return "", &apiError{Code: "ValidationError", Message: "Choose an OpenID Connect provider (Identity providers: add one first)."}
		}
		st.Principal, st.Action = map[string]string{"Federated": p.Provider}, "sts:AssumeRoleWithWebIdentity"
		host := p.Provider[strings.Index(p.Provider, ":oidc-provider/")+len(":oidc-provider/"):]
		if p.Audience != "" {
			cond["StringEquals"] = map[string]string{host + ":aud": p.Audience}
		}
	case "saml":
		if p.SAMLProvider == "" {
			return "", &apiError{Code: "ValidationError", Message: "Choose a SAML provider (Identity providers: add one first)."}
		}
		st.Principal, st.Action = map[string]string{"Federated": p.SAMLProvider}, "sts:AssumeRoleWithSAML"
		cond["StringEquals"] = map[string]string{"SAML:aud": "https://signin.aws.amazon.com/saml"}
	case "ec2":
		st.Principal = map[string]string{"Service": "ec2.amazonaws.com"}
	default:
		return "", &apiError{Code: "ValidationError", Message: "Choose a trusted entity."}
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	b, err := json.MarshalIndent(struct {
		Version   string           `json:"Version"`
		Statement []trustStatement `json:"Statement"`
	}{"2012-10-17", []trustStatement{st}}, "", "  ")
	if err != nil {
		return "", &apiError{Code: "InternalFailure", Message: err.Error()}
	}
	return string(b), nil
}

// newRoleTrust makes the template's trust policy and opens the editor on it with the new
// role's settings (POST /console/roles/~new).
func (c *Console) newRoleTrust(w http.ResponseWriter, r *http.Request, sess session) {
	p := newRolePage{Template: r.PostFormValue("template"), OtherAccount: r.PostFormValue("otherAccount"),
		ExternalID: strings.TrimSpace(r.PostFormValue("externalId")), RequireMFA: r.PostFormValue("requireMFA") != "",
		Provider: r.PostFormValue("provider"), Audience: strings.TrimSpace(r.PostFormValue("audience")), SAMLProvider: r.PostFormValue("samlProvider")}
	doc, e := trustDocument(sess.account(), p)
	if e != nil {
		c.showNewRole(w, r, sess, p, e.status(), e)
		return
	}
	f := &editorForm{Action: Prefix + "/roles/create", Back: Prefix + "/roles", Document: doc, MaxSession: "3600", Template: p.Template}
	c.showEditor(w, r, sess, "create-role", f, http.StatusOK, nil)
}

// createRole is the new role's Save: CreateRole with the trust policy, then the policy to
// attach, and for the EC2 template an instance profile of the same name with the role in it, as
// AWS's console makes one.
func createRole(c *Console, r *http.Request, sess session, f *editorForm) (string, error) {
	client, ctx := c.api(r, sess)
	in := &iam.CreateRoleInput{RoleName: aws.String(f.Name), AssumeRolePolicyDocument: aws.String(f.Document)}
	if f.Description != "" {
		in.Description = aws.String(f.Description)
	}
	if s, err := strconv.Atoi(f.MaxSession); err == nil {
		in.MaxSessionDuration = aws.Int32(int32(s))
	}
	out, err := client.CreateRole(ctx, in)
	if err != nil {
		return "", err
	}
	name := aws.ToString(out.Role.RoleName)
	if f.AttachPolicy != "" {
		arn, fallback := policyARN(sess, f.AttachPolicy)
		_, err = client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: out.Role.RoleName, PolicyArn: aws.String(arn)})
		if fallback != "" && isCode(err, "NoSuchEntity") {
			_, err = client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: out.Role.RoleName, PolicyArn: aws.String(fallback)})
		}
		if err != nil {
			// The role exists: its page says what failed.
			c.noteFailure(sess, "The role was created; attaching "+f.AttachPolicy+" failed", err)
			return entityURL("roles", name), nil
		}
	}
	if f.Template == "ec2" {
		_, err := client.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: out.Role.RoleName})
		if err == nil {
			_, err = client.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: out.Role.RoleName, RoleName: out.Role.RoleName})
		}
		if err != nil {
			c.noteFailure(sess, "The role was created; its instance profile was not", err)
		}
	}
	return entityURL("roles", name), nil
}

// noteFailure leaves a notice for the next page: a step after a creation failed.
func (c *Console) noteFailure(sess session, what string, err error) {
	e := explain(err)
	c.sessions.update(sess.key, func(s *session) { s.notice = what + ": " + e.Code + ": " + e.Message })
}
