package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Groups: the list, creation, a group's page (members, permissions), deletion.

type groupRow struct {
	Name, Path, ARN string
	Created         time.Time
}

type groupsPage struct {
	Marker, Next string
	Groups       []groupRow
}

// groups lists the account's groups (ListGroups), a page at a time.
func (c *Console) groups(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "Groups", "groups")
	p := groupsPage{Marker: r.URL.Query().Get("marker")}
	out, err := client.ListGroups(ctx, &iam.ListGroupsInput{MaxItems: aws.Int32(pageSize), Marker: optional(p.Marker)})
	if err != nil {
		d.Error = explain(err)
	} else {
		for _, g := range out.Groups {
			p.Groups = append(p.Groups, groupRow{Name: aws.ToString(g.GroupName), Path: aws.ToString(g.Path), ARN: aws.ToString(g.Arn), Created: aws.ToTime(g.CreateDate)})
		}
		if out.IsTruncated {
			p.Next = aws.ToString(out.Marker)
		}
	}
	d.Page = p
	c.render(w, r, d.Error.status(), "groups.html", d)
}

type newGroupPage struct{ Name, Path string }

func (c *Console) newGroupForm(w http.ResponseWriter, r *http.Request, sess session) {
	d := c.page(sess, "Create group", "groups")
	d.Page = newGroupPage{Path: "/"}
	c.render(w, r, http.StatusOK, "newgroup.html", d)
}

// createGroup creates a group (CreateGroup).
func (c *Console) createGroup(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	p := newGroupPage{Name: strings.TrimSpace(r.PostFormValue("name")), Path: strings.TrimSpace(r.PostFormValue("path"))}
	in := &iam.CreateGroupInput{GroupName: aws.String(p.Name)}
	if p.Path != "" && p.Path != "/" {
		in.Path = aws.String(p.Path)
	}
	out, err := client.CreateGroup(ctx, in)
	if err != nil {
		d := c.page(sess, "Create group", "groups")
		d.Page, d.Error = p, explain(err)
		c.render(w, r, d.Error.status(), "newgroup.html", d)
		return
	}
	http.Redirect(w, r, entityURL("groups", aws.ToString(out.Group.GroupName)), http.StatusSeeOther)
}

type groupPage struct {
	groupRow
	Users         []string
	Attached      []policyRef
	AttachedError *apiError
	Inline        []string
	InlineError   *apiError
}

// group shows a group: its members (GetGroup) and its policies.
func (c *Console) group(w http.ResponseWriter, r *http.Request, sess session) {
	c.showGroup(w, r, sess, nil)
}

func (c *Console) showGroup(w http.ResponseWriter, r *http.Request, sess session, actionErr *apiError) {
	client, ctx := c.api(r, sess)
	name := r.PathValue("name")
	d := c.page(sess, "Group "+name, "groups")
	out, err := client.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(name), MaxItems: aws.Int32(1000)})
	if err != nil {
		d.Error, d.Page = explain(err), groupPage{groupRow: groupRow{Name: name}}
		c.render(w, r, d.Error.status(), "group.html", d)
		return
	}
	g := out.Group
	p := groupPage{groupRow: groupRow{Name: aws.ToString(g.GroupName), Path: aws.ToString(g.Path), ARN: aws.ToString(g.Arn), Created: aws.ToTime(g.CreateDate)}}
	for _, u := range out.Users {
		p.Users = append(p.Users, aws.ToString(u.UserName))
	}
	if a, err := client.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(name)}); err != nil {
		p.AttachedError = explain(err)
	} else {
		for _, x := range a.AttachedPolicies {
			p.Attached = append(p.Attached, policyRef{Name: aws.ToString(x.PolicyName), ARN: aws.ToString(x.PolicyArn)})
		}
	}
	if in, err := client.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String(name)}); err != nil {
		p.InlineError = explain(err)
	} else {
		p.Inline = in.PolicyNames
	}
	d.Page, d.Error = p, actionErr
	c.render(w, r, actionErr.status(), "group.html", d)
}

// addGroupUser adds a user to the group (AddUserToGroup).
func (c *Console) addGroupUser(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(r.PathValue("name")),
		UserName: aws.String(strings.TrimSpace(r.PostFormValue("user")))})
	c.afterEntityAction("groups", w, r, sess, err)
}

// removeGroupUser removes a user from the group (RemoveUserFromGroup).
func (c *Console) removeGroupUser(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String(r.PathValue("name")),
		UserName: aws.String(r.PostFormValue("user"))})
	c.afterEntityAction("groups", w, r, sess, err)
}

// deleteGroup deletes a group as AWS's console does: its members removed, its policies
// detached and deleted, then the group. The name, typed again, confirms it.
func (c *Console) deleteGroup(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.PathValue("name")
	if r.PostFormValue("confirm") != name {
		c.showGroup(w, r, sess, &apiError{Code: "ValidationError", Message: "Type the group's name to confirm the deletion."})
		return
	}
	client, ctx := c.api(r, sess)
	n := aws.String(name)
	err := func() error {
		g, err := client.GetGroup(ctx, &iam.GetGroupInput{GroupName: n, MaxItems: aws.Int32(1000)})
		if err != nil {
			return err
		}
		for _, u := range g.Users {
			if _, err := client.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: n, UserName: u.UserName}); err != nil {
				return err
			}
		}
		att, err := client.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: n})
		if err != nil {
			return err
		}
		for _, a := range att.AttachedPolicies {
			if _, err := client.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: n, PolicyArn: a.PolicyArn}); err != nil {
				return err
			}
		}
		in, err := client.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: n})
		if err != nil {
			return err
		}
		for _, pn := range in.PolicyNames {
			if _, err := client.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: n, PolicyName: aws.String(pn)}); err != nil {
				return err
			}
		}
		_, err = client.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: n})
		return err
	}()
	if err != nil {
		c.showGroup(w, r, sess, explain(err))
		return
	}
	http.Redirect(w, r, Prefix+"/groups", http.StatusSeeOther)
}
