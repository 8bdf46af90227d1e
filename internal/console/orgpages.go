package console

import (
	"context"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// The organization's tree as its management account sees it: roots, OUs and accounts, each
// with the service and resource control policies attached to it, through the Organizations API
// with the session's credentials (a member account's principals get Organizations' own
// refusal).

// maxOrgNodes bounds the tree a page walks (each node costs three calls); a larger
// organization is shown cut, saying so.
const maxOrgNodes = 300

func (c *Console) orgRoutes(handle func(string, http.HandlerFunc)) {
	handle("GET /console/organization", c.signedIn(c.organization))
}

// orgsWith returns an Organizations client acting with creds, in process as the IAM client.
func (c *Console) orgsWith(r *http.Request, creds Credentials) (*organizations.Client, context.Context) {
	return organizations.NewFromConfig(c.sdkConfig(creds, inProcess{c.cfg.API}),
		func(o *organizations.Options) { o.HTTPSignerV4 = c.signer() }), c.callContext(r)
}

// orgNode is a root, an OU or an account in the tree.
type orgNode struct {
	Kind, ID, Name, ARN string
	// Email and Status are an account's.
	Email, Status string
	Policies      []orgPolicy
	PoliciesError *apiError
	Children      []*orgNode
	ChildrenError *apiError
}

type orgPolicy struct{ Type, Name, ID string }

type orgPage struct {
	ID, ManagementAccount, FeatureSet string
	Management                        bool
	NotInUse                          bool
	Roots                             []*orgNode
	Cut                               bool
}

// organization shows the organization and its tree.
func (c *Console) organization(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.orgsWith(r, sess.actingCreds())
	d := c.page(sess, "Organization", "organization")
	p := orgPage{}
	out, err := client.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if e := explain(err); e != nil {
		// Not being in an organization is an answer, not a fault.
		status := http.StatusOK
		if e.Code == "AWSOrganizationsNotInUseException" {
			p.NotInUse = true
		} else {
			d.Error, status = e, e.status()
		}
		d.Page = p
		c.render(w, r, status, "organization.html", d)
		return
	}
	o := out.Organization
	p.ID, p.ManagementAccount, p.FeatureSet = aws.ToString(o.Id), aws.ToString(o.MasterAccountId), string(o.FeatureSet)
	p.Management = p.ManagementAccount == sess.account()
	roots, err := client.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		d.Error = explain(err)
	} else {
		budget := maxOrgNodes
		for _, rt := range roots.Roots {
			n := &orgNode{Kind: "Root", ID: aws.ToString(rt.Id), Name: aws.ToString(rt.Name), ARN: aws.ToString(rt.Arn)}
			c.walkOrg(ctx, client, n, &budget)
			p.Roots = append(p.Roots, n)
		}
		p.Cut = budget <= 0
	}
	d.Page = p
	status := http.StatusOK
	if d.Error != nil {
		status = d.Error.status()
	}
	c.render(w, r, status, "organization.html", d)
}

// walkOrg fills a node's policies and, under a root or an OU, its OUs and accounts.
func (c *Console) walkOrg(ctx context.Context, client *organizations.Client, n *orgNode, budget *int) {
	*budget--
	for _, t := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		pol, err := listAll(func(token *string) ([]orgtypes.PolicySummary, *string, error) {
			out, err := client.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(n.ID), Filter: t, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.Policies, out.NextToken, nil
		})
		if e := explain(err); e != nil {
			// A policy type the organization has not enabled lists nothing.
			if e.Code != "PolicyTypeNotEnabledException" && n.PoliciesError == nil {
				n.PoliciesError = e
			}
			continue
		}
		words := "SCP"
		if t == orgtypes.PolicyTypeResourceControlPolicy {
			words = "RCP"
		}
		for _, x := range pol {
			n.Policies = append(n.Policies, orgPolicy{Type: words, Name: aws.ToString(x.Name), ID: aws.ToString(x.Id)})
		}
	}
	if n.Kind == "Account" {
		return
	}
	ous, err := listAll(func(token *string) ([]orgtypes.OrganizationalUnit, *string, error) {
		out, err := client.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(n.ID), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.OrganizationalUnits, out.NextToken, nil
	})
	if err != nil {
		n.ChildrenError = explain(err)
		return
	}
	accounts, err := listAll(func(token *string) ([]orgtypes.Account, *string, error) {
		out, err := client.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(n.ID), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Accounts, out.NextToken, nil
	})
	if err != nil {
		n.ChildrenError = explain(err)
		return
	}
	for _, a := range accounts {
		if *budget <= 0 {
			return
		}
		child := &orgNode{Kind: "Account", ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), ARN: aws.ToString(a.Arn),
			Email: aws.ToString(a.Email), Status: string(a.State)}
		if child.Status == "" {
			child.Status = string(a.Status) // the older field, when State is not given
		}
		c.walkOrg(ctx, client, child, budget)
		n.Children = append(n.Children, child)
	}
	for _, ou := range ous {
		if *budget <= 0 {
			return
		}
		child := &orgNode{Kind: "OU", ID: aws.ToString(ou.Id), Name: aws.ToString(ou.Name), ARN: aws.ToString(ou.Arn)}
		c.walkOrg(ctx, client, child, budget)
		n.Children = append(n.Children, child)
	}
}

// listAll follows NextToken to the end of a list.
func listAll[T any](page func(token *string) ([]T, *string, error)) ([]T, error) {
	var all []T
	var token *string
	for {
		items, next, err := page(token)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if aws.ToString(next) == "" {
			return all, nil
		}
		token = next
	}
}
