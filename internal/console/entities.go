package console

import (
	"context"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// What users, groups and roles share: managed policies attached and detached, inline policies
// shown, edited and deleted. kind is "users", "groups" or "roles", as in the pages' paths.

// entityURL is an entity's page.
func entityURL(kind, name string) string { return Prefix + "/" + kind + "/" + url.PathEscape(name) }

// afterEntityAction goes back to the entity's page: by redirect when the call succeeded (so a
// reload does not repeat it), else showing the error on it.
func (c *Console) afterEntityAction(kind string, w http.ResponseWriter, r *http.Request, sess session, err error) {
	if err == nil {
		http.Redirect(w, r, entityURL(kind, r.PathValue("name")), http.StatusSeeOther)
		return
	}
	e := explain(err)
	switch kind {
	case "groups":
		c.showGroup(w, r, sess, e)
	case "roles":
		c.showRole(w, r, sess, e)
	default:
		c.showUser(w, r, sess, e)
	}
}

// afterUserAction is afterEntityAction for a user's page.
func (c *Console) afterUserAction(w http.ResponseWriter, r *http.Request, sess session, err error) {
	c.afterEntityAction("users", w, r, sess, err)
}

// attachPolicy attaches a managed policy named by name or ARN (Attach{User,Group,Role}Policy).
func (c *Console) attachPolicy(kind string) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		client, ctx := c.api(r, sess)
		name := aws.String(r.PathValue("name"))
		attach := func(arn string) error {
			a := aws.String(arn)
			var err error
			switch kind {
			case "groups":
				_, err = client.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: name, PolicyArn: a})
			case "roles":
				_, err = client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: a})
			default:
				_, err = client.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: a})
			}
			return err
		}
		arn, fallback := policyARN(sess, r.PostFormValue("policy"))
		err := attach(arn)
		if fallback != "" && isCode(err, "NoSuchEntity") {
			err = attach(fallback)
		}
		c.afterEntityAction(kind, w, r, sess, err)
	}
}

// detachPolicy detaches a managed policy (Detach{User,Group,Role}Policy).
func (c *Console) detachPolicy(kind string) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		client, ctx := c.api(r, sess)
		name, a := aws.String(r.PathValue("name")), aws.String(r.PostFormValue("policy"))
		var err error
		switch kind {
		case "groups":
			_, err = client.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: name, PolicyArn: a})
		case "roles":
			_, err = client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: name, PolicyArn: a})
		default:
			_, err = client.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: name, PolicyArn: a})
		}
		c.afterEntityAction(kind, w, r, sess, err)
	}
}

// getInline reads an inline policy's document (Get{User,Group,Role}Policy).
func getInline(ctx context.Context, client *iam.Client, kind, owner, policy string) (string, error) {
	o, p := aws.String(owner), aws.String(policy)
	switch kind {
	case "groups":
		out, err := client.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: o, PolicyName: p})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.PolicyDocument), nil
	case "roles":
		out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: o, PolicyName: p})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.PolicyDocument), nil
	}
	out, err := client.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: o, PolicyName: p})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.PolicyDocument), nil
}

// putInline writes an inline policy (Put{User,Group,Role}Policy).
func putInline(ctx context.Context, client *iam.Client, kind, owner, policy, doc string) error {
	o, p, d := aws.String(owner), aws.String(policy), aws.String(doc)
	var err error
	switch kind {
	case "groups":
		_, err = client.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: o, PolicyName: p, PolicyDocument: d})
	case "roles":
		_, err = client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: o, PolicyName: p, PolicyDocument: d})
	default:
		_, err = client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: o, PolicyName: p, PolicyDocument: d})
	}
	return err
}

// inlinePolicyPage shows an inline policy's document.
type inlinePolicyPage struct {
	Kind, Owner, Name, Document string
	Back, Edit                  string
}

// inlinePolicy shows one inline policy of a user, group or role.
func (c *Console) inlinePolicy(kind string) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		client, ctx := c.api(r, sess)
		owner, name := r.PathValue("name"), r.PathValue("policy")
		d := c.page(sess, "Inline policy "+name, kind)
		p := inlinePolicyPage{Kind: kind[:len(kind)-1], Owner: owner, Name: name, Back: entityURL(kind, owner),
			Edit: entityURL(kind, owner) + "/inline-edit?policy=" + url.QueryEscape(name)}
		doc, err := getInline(ctx, client, kind, owner, name)
		if err != nil {
			d.Error = explain(err)
		} else {
			p.Document = documentText(doc)
		}
		d.Page = p
		c.render(w, r, d.Error.status(), "inline.html", d)
	}
}

// deleteInlinePolicy deletes an inline policy (Delete{User,Group,Role}Policy).
func (c *Console) deleteInlinePolicy(kind string) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		client, ctx := c.api(r, sess)
		o, p := aws.String(r.PathValue("name")), aws.String(r.PathValue("policy"))
		var err error
		switch kind {
		case "groups":
			_, err = client.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: o, PolicyName: p})
		case "roles":
			_, err = client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: o, PolicyName: p})
		default:
			_, err = client.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: o, PolicyName: p})
		}
		c.afterEntityAction(kind, w, r, sess, err)
	}
}

// inlineEditor opens the editor on an inline policy (?policy=NAME), or a new one.
func (c *Console) inlineEditor(kind string) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		owner, name := r.PathValue("name"), r.URL.Query().Get("policy")
		f := &editorForm{Action: entityURL(kind, owner) + "/inline-edit", Back: entityURL(kind, owner),
			Name: name, Document: newPolicyDocument, SimResources: "*"}
		var e *apiError
		if name != "" {
			client, ctx := c.api(r, sess)
			doc, err := getInline(ctx, client, kind, owner, name)
			if e = explain(err); e == nil {
				f.Document = documentText(doc)
			}
		}
		c.showEditor(w, r, sess, kind[:len(kind)-1]+"-inline", f, e.status(), e)
	}
}

// saveInline is the inline editors' Save.
func saveInline(kind string) func(c *Console, r *http.Request, sess session, f *editorForm) (string, error) {
	return func(c *Console, r *http.Request, sess session, f *editorForm) (string, error) {
		client, ctx := c.api(r, sess)
		owner := r.PathValue("name")
		return entityURL(kind, owner), putInline(ctx, client, kind, owner, f.Name, f.Document)
	}
}
