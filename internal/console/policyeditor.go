package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The policy editor: one page for every document the console edits (a new managed policy, a
// new version of one, a user's, group's or role's inline policy, a role's trust policy). It is a
// form with a textarea, and three buttons: Validate (the repository's validator, run by the
// console), Simulate (the API's simulator: SimulateCustomPolicy, or SimulatePrincipalPolicy for
// a principal with the document added) and Save (the API's call for the document). Every button
// works without JavaScript; editor.js turns the textarea into a CodeMirror editor that validates
// as one types.

// editorMode is what an editor page saves.
type editorMode struct {
	// Kind is the validator's kind of the document (managed, inline, trust).
	Kind string
	// Heading, SaveLabel and NameLabel word the page.
	Heading, SaveLabel, NameLabel string
	// Named: the document gets a name on the form (a new policy, an inline policy);
	// Described: and a description (a new policy).
	Named, Described, DefaultBox bool
	// Simulate: the simulator applies (identity documents; not trust policies).
	Simulate bool
	// RoleFields: a new role's settings (maximum session, a policy to attach) are on the form.
	RoleFields bool
	// save makes the call for the form's document.
	save func(c *Console, r *http.Request, sess session, f *editorForm) (redirect string, err error)
}

// editorForm is what the editor's form holds.
type editorForm struct {
	Action, Back              string // the form's URL, and where Cancel goes
	Name, Description         string
	Document                  string
	SetDefault                bool
	SimActions, SimResources  string
	SimPrincipal, SimResource string
	// A new role's settings: MaxSessionDuration in seconds, a policy to attach, the trust
	// template it was made from (ec2 also makes its instance profile).
	MaxSession, AttachPolicy, Template string
}

// simRow is one result of a simulation.
type simRow struct {
	Action, Resource, Decision, Words string
	Statements                        []string
	MissingContext                    []string
}

type editorPage struct {
	editorMode
	editorForm
	Validation *validation
	Results    []simRow
	SimError   *apiError
}

const newPolicyDocument = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        ""
      ],
      "Resource": "*"
    }
  ]
}`

// editorModes are the documents the editor edits.
var editorModes = map[string]editorMode{
	"create": {Kind: "managed", Heading: "Create policy", SaveLabel: "Create policy", NameLabel: "Policy name", Named: true, Described: true, Simulate: true,
		save: func(c *Console, r *http.Request, sess session, f *editorForm) (string, error) {
			client, ctx := c.api(r, sess)
			in := &iam.CreatePolicyInput{PolicyName: aws.String(f.Name), PolicyDocument: aws.String(f.Document)}
			if f.Description != "" {
				in.Description = aws.String(f.Description)
			}
			out, err := client.CreatePolicy(ctx, in)
			if err != nil {
				return "", err
			}
			return policyURL(aws.ToString(out.Policy.Arn)), nil
		}},
	"version": {Kind: "managed", Heading: "Edit policy", SaveLabel: "Save as a new version", DefaultBox: true, Simulate: true,
		save: func(c *Console, r *http.Request, sess session, f *editorForm) (string, error) {
			client, ctx := c.api(r, sess)
			arn := r.URL.Query().Get("arn")
			_, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn),
				PolicyDocument: aws.String(f.Document), SetAsDefault: f.SetDefault})
			return policyURL(arn), err
		}},
	"user-inline":  {Kind: "inline", Heading: "Inline policy of user", SaveLabel: "Save inline policy", NameLabel: "Inline policy name", Named: true, Simulate: true, save: saveInline("users")},
	"group-inline": {Kind: "inline", Heading: "Inline policy of group", SaveLabel: "Save inline policy", NameLabel: "Inline policy name", Named: true, Simulate: true, save: saveInline("groups")},
	"role-inline":  {Kind: "inline", Heading: "Inline policy of role", SaveLabel: "Save inline policy", NameLabel: "Inline policy name", Named: true, Simulate: true, save: saveInline("roles")},
	"trust":        {Kind: "trust", Heading: "Trust policy of role", SaveLabel: "Update trust policy", save: saveTrust},
	"create-role":  {Kind: "trust", Heading: "Create role", SaveLabel: "Create role", NameLabel: "Role name", Named: true, Described: true, RoleFields: true, save: createRole},
}

// policyEditorNew opens the editor of a new managed policy.
func (c *Console) policyEditorNew(w http.ResponseWriter, r *http.Request, sess session) {
	f := &editorForm{Action: Prefix + "/policies/new", Back: Prefix + "/policies", Document: newPolicyDocument, SimResources: "*"}
	c.showEditor(w, r, sess, "create", f, http.StatusOK, nil)
}

// policyEditorVersion opens the editor on a managed policy's default version, to save a new one.
func (c *Console) policyEditorVersion(w http.ResponseWriter, r *http.Request, sess session) {
	arn := r.URL.Query().Get("arn")
	f := &editorForm{Action: Prefix + "/policy/edit?arn=" + url.QueryEscape(arn), Back: policyURL(arn), SetDefault: true, SimResources: "*"}
	client, ctx := c.api(r, sess)
	p, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err == nil {
		f.Name = aws.ToString(p.Policy.PolicyName)
		var v *iam.GetPolicyVersionOutput
		v, err = client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.Policy.DefaultVersionId})
		if err == nil {
			f.Document = documentText(aws.ToString(v.PolicyVersion.Document))
		}
	}
	e := explain(err)
	c.showEditor(w, r, sess, "version", f, e.status(), e)
}

// editorPost handles an editor's buttons: validate, simulate, save (the mode is the route's).
func (c *Console) editorPost(mode string) func(http.ResponseWriter, *http.Request, session) {
	return func(w http.ResponseWriter, r *http.Request, sess session) {
		m := editorModes[mode]
		f := &editorForm{Action: r.URL.RequestURI(), Back: r.PostFormValue("back"), Name: strings.TrimSpace(r.PostFormValue("name")),
			Description: strings.TrimSpace(r.PostFormValue("description")), Document: r.PostFormValue("document"),
			SetDefault: r.PostFormValue("setDefault") != "", SimActions: r.PostFormValue("simActions"),
			SimResources: r.PostFormValue("simResources"), SimPrincipal: strings.TrimSpace(r.PostFormValue("simPrincipal")),
			MaxSession: r.PostFormValue("maxSession"), AttachPolicy: strings.TrimSpace(r.PostFormValue("attachPolicy")),
			Template: r.PostFormValue("template")}
		if !strings.HasPrefix(f.Back, Prefix) {
			f.Back = Prefix
		}
		switch r.PostFormValue("do") {
		case "simulate":
			c.showEditor(w, r, sess, mode, f, http.StatusOK, nil)
		case "save":
			to, err := m.save(c, r, sess, f)
			if err != nil {
				e := explain(err)
				c.showEditor(w, r, sess, mode, f, e.status(), e)
				return
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
		default: // validate
			c.showEditor(w, r, sess, mode, f, http.StatusOK, nil)
		}
	}
}

// showEditor renders an editor: the validator's verdict on the document always, the simulation
// when asked for.
func (c *Console) showEditor(w http.ResponseWriter, r *http.Request, sess session, mode string, f *editorForm, status int, e *apiError) {
	m := editorModes[mode]
	p := editorPage{editorMode: m, editorForm: *f}
	if r.Method == http.MethodPost {
		v := validateDocument(f.Document, m.Kind)
		p.Validation = &v
		if r.PostFormValue("do") == "simulate" && m.Simulate {
			p.Results, p.SimError = c.simulate(r, sess, f)
		}
	}
	heading := m.Heading
	if f.Name != "" && !m.Named {
		heading += " " + f.Name
	}
	if strings.HasSuffix(mode, "-inline") || mode == "trust" {
		heading += " " + r.PathValue("name")
	}
	nav := "policies"
	switch {
	case strings.HasPrefix(mode, "user"):
		nav = "users"
	case strings.HasPrefix(mode, "group"):
		nav = "groups"
	case strings.HasPrefix(mode, "role"), mode == "trust", mode == "create-role":
		nav = "roles"
	case mode == "bucket-policy":
		nav = "s3"
	}
	d := c.page(sess, heading, nav)
	d.Page, d.Error, d.Editor = p, e, true
	c.render(w, r, status, "editor.html", d)
}

// simulate runs the simulator on the editor's document (SimulateCustomPolicy; with a principal,
// SimulatePrincipalPolicy with the document added to the principal's policies).
func (c *Console) simulate(r *http.Request, sess session, f *editorForm) ([]simRow, *apiError) {
	actions := splitList(f.SimActions)
	if len(actions) == 0 {
		return nil, &apiError{Code: "ValidationError", Message: "Enter one or more actions to simulate, such as s3:GetObject."}
	}
	resources := splitList(f.SimResources)
	client, ctx := c.api(r, sess)
	var results []types.EvaluationResult
	if f.SimPrincipal != "" {
		out, err := client.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(f.SimPrincipal),
			PolicyInputList: []string{f.Document}, ActionNames: actions, ResourceArns: resources})
		if err != nil {
			return nil, explain(err)
		}
		results = out.EvaluationResults
	} else {
		out, err := client.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{f.Document},
			ActionNames: actions, ResourceArns: resources})
		if err != nil {
			return nil, explain(err)
		}
		results = out.EvaluationResults
	}
	var rows []simRow
	for _, x := range results {
		if len(x.ResourceSpecificResults) == 0 {
			rows = append(rows, simRowOf(aws.ToString(x.EvalActionName), aws.ToString(x.EvalResourceName), x.EvalDecision, x.MatchedStatements, x.MissingContextValues))
			continue
		}
		// Several resources: one row for each, as the simulator decided each.
		for _, rr := range x.ResourceSpecificResults {
			rows = append(rows, simRowOf(aws.ToString(x.EvalActionName), aws.ToString(rr.EvalResourceName), rr.EvalResourceDecision, rr.MatchedStatements, rr.MissingContextValues))
		}
	}
	return rows, nil
}

// simRowOf words one decision of the simulator, with the statements that decided it.
func simRowOf(action, resource string, decision types.PolicyEvaluationDecisionType, matched []types.Statement, missing []string) simRow {
	row := simRow{Action: action, Resource: resource, Decision: string(decision), MissingContext: missing}
	switch decision {
	case types.PolicyEvaluationDecisionTypeAllowed:
		row.Words = "Allowed"
	case types.PolicyEvaluationDecisionTypeExplicitDeny:
		row.Words = "Denied by an explicit Deny"
	default:
		row.Words = "Denied: no statement allows it (implicit deny)"
	}
	for _, st := range matched {
		s := aws.ToString(st.SourcePolicyId)
		if s == "PolicyInputList.1" {
			s = "this document"
		}
		if t := string(st.SourcePolicyType); t != "" && s != "this document" {
			s += " (" + t + ")"
		}
		if p := st.StartPosition; p != nil {
			s += fmt.Sprintf(", the statement at line %d, column %d", p.Line, p.Column)
		}
		row.Statements = append(row.Statements, s)
	}
	return row
}
