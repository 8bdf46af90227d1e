package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/policy"
)

// Managed policies: the list (AWS managed and customer managed, paged by the API's markers,
// searched by name), a policy's page (versions, the document of one, usage, set-default,
// delete), a diff between two versions, and the editor (policyeditor.go).

// policyURL is a policy's page.
func policyURL(arn string) string { return Prefix + "/policy?arn=" + url.QueryEscape(arn) }

// policyRow is a policy as the list shows it.
type policyRow struct {
	Name, ARN, Path, Description string
	Attachments                  int32
	Updated                      time.Time
	AWSManaged                   bool
}

type policiesPage struct {
	Scope, Query, Marker, Next string
	Policies                   []policyRow
	Scanned                    int
}

// policies lists managed policies (ListPolicies): the customer managed ones by default, AWS's,
// or all; a search filters names by substring, scanning pages within the search's time.
func (c *Console) policies(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "Policies", "policies")
	q := r.URL.Query()
	scope := types.PolicyScopeTypeLocal
	switch q.Get("scope") {
	case "AWS":
		scope = types.PolicyScopeTypeAws
	case "All":
		scope = types.PolicyScopeTypeAll
	}
	p := policiesPage{Scope: string(scope), Query: strings.TrimSpace(q.Get("q")), Marker: q.Get("marker")}
	marker := p.Marker
	start := time.Now()
	for page := 0; page < maxScanPages; page++ {
		in := &iam.ListPoliciesInput{Scope: scope, MaxItems: aws.Int32(pageSize), Marker: optional(marker)}
		if p.Query != "" {
			in.MaxItems = aws.Int32(100)
		}
		out, err := client.ListPolicies(ctx, in)
		if err != nil {
			d.Error = explain(err)
			break
		}
		p.Scanned += len(out.Policies)
		for _, x := range out.Policies {
			if p.Query == "" || contains(aws.ToString(x.PolicyName), p.Query) {
				p.Policies = append(p.Policies, policyRow{Name: aws.ToString(x.PolicyName), ARN: aws.ToString(x.Arn),
					Path: aws.ToString(x.Path), Attachments: aws.ToInt32(x.AttachmentCount), Updated: aws.ToTime(x.UpdateDate),
					AWSManaged: strings.HasPrefix(aws.ToString(x.Arn), "arn:aws:iam::aws:")})
			}
		}
		marker = ""
		if out.IsTruncated {
			marker = aws.ToString(out.Marker)
		}
		if marker == "" || p.Query == "" || len(p.Policies) >= pageSize || time.Since(start) > searchBudget {
			break
		}
	}
	p.Next = marker
	d.Page = p
	c.render(w, r, d.Error.status(), "policies.html", d)
}

// versionRow is a version of a policy.
type versionRow struct {
	ID      string
	Default bool
	Created time.Time
}

// entityRow is a user, group or role a policy is attached to.
type entityRow struct{ Kind, Name, URL string }

type policyPage struct {
	Name, ARN, Path, Description, DefaultVersion string
	Attachments                                  int32
	Created, Updated                             time.Time
	AWSManaged                                   bool
	Versions                                     []versionRow
	VersionsError                                *apiError
	// VersionsMarker and VersionsNext page the versions (AWS managed policies have up to
	// hundreds).
	VersionsMarker, VersionsNext string
	// Version is the version shown, Document its document.
	Version, Document string
	DocumentError     *apiError
	Entities          []entityRow
	EntitiesError     *apiError
}

// policyPageOf reads what a policy's page shows.
func (c *Console) policyPageOf(r *http.Request, sess session, arn, version string) (policyPage, *apiError) {
	client, ctx := c.api(r, sess)
	out, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return policyPage{ARN: arn}, explain(err)
	}
	x := out.Policy
	p := policyPage{Name: aws.ToString(x.PolicyName), ARN: aws.ToString(x.Arn), Path: aws.ToString(x.Path),
		Description: aws.ToString(x.Description), DefaultVersion: aws.ToString(x.DefaultVersionId),
		Attachments: aws.ToInt32(x.AttachmentCount), Created: aws.ToTime(x.CreateDate), Updated: aws.ToTime(x.UpdateDate),
		AWSManaged: strings.HasPrefix(arn, "arn:aws:iam::aws:")}
	p.VersionsMarker = r.URL.Query().Get("vmarker")
	if vs, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(versionsPage),
		Marker: optional(p.VersionsMarker)}); err != nil {
		p.VersionsError = explain(err)
	} else {
		for _, v := range vs.Versions {
			p.Versions = append(p.Versions, versionRow{ID: aws.ToString(v.VersionId), Default: v.IsDefaultVersion, Created: aws.ToTime(v.CreateDate)})
		}
		if vs.IsTruncated {
			p.VersionsNext = aws.ToString(vs.Marker)
		}
	}
	p.Version = version
	if p.Version == "" {
		p.Version = p.DefaultVersion
	}
	if v, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(p.Version)}); err != nil {
		p.DocumentError = explain(err)
	} else {
		p.Document = documentText(aws.ToString(v.PolicyVersion.Document))
	}
	if e, err := client.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(100)}); err != nil {
		p.EntitiesError = explain(err)
	} else {
		for _, u := range e.PolicyUsers {
			p.Entities = append(p.Entities, entityRow{"User", aws.ToString(u.UserName), Prefix + "/users/" + url.PathEscape(aws.ToString(u.UserName))})
		}
		for _, g := range e.PolicyGroups {
			p.Entities = append(p.Entities, entityRow{"Group", aws.ToString(g.GroupName), Prefix + "/groups/" + url.PathEscape(aws.ToString(g.GroupName))})
		}
		for _, ro := range e.PolicyRoles {
			p.Entities = append(p.Entities, entityRow{"Role", aws.ToString(ro.RoleName), Prefix + "/roles/" + url.PathEscape(aws.ToString(ro.RoleName))})
		}
	}
	return p, nil
}

// versionsPage is how many versions a policy's page lists at a time; the diff's choices are
// the newest hundred.
const versionsPage = 20

// policyDetail shows a policy (GET /console/policy?arn=…&version=…).
func (c *Console) policyDetail(w http.ResponseWriter, r *http.Request, sess session) {
	c.showPolicy(w, r, sess, r.URL.Query().Get("arn"), r.URL.Query().Get("version"), nil)
}

func (c *Console) showPolicy(w http.ResponseWriter, r *http.Request, sess session, arn, version string, actionErr *apiError) {
	p, e := c.policyPageOf(r, sess, arn, version)
	title := "Policy " + p.Name
	if p.Name == "" {
		title = "Policy"
	}
	d := c.page(sess, title, "policies")
	d.Page, d.Error = p, e
	if actionErr != nil {
		d.Error = actionErr
	}
	c.render(w, r, d.Error.status(), "policy.html", d)
}

// afterPolicyAction goes back to the policy's page, showing a failed call's error there.
func (c *Console) afterPolicyAction(w http.ResponseWriter, r *http.Request, sess session, arn string, err error) {
	if err != nil {
		c.showPolicy(w, r, sess, arn, "", explain(err))
		return
	}
	http.Redirect(w, r, policyURL(arn), http.StatusSeeOther)
}

// setDefaultVersion makes a version the default (SetDefaultPolicyVersion).
func (c *Console) setDefaultVersion(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	arn := r.PostFormValue("arn")
	_, err := client.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(r.PostFormValue("version"))})
	c.afterPolicyAction(w, r, sess, arn, err)
}

// deleteVersion deletes a version that is not the default (DeletePolicyVersion).
func (c *Console) deleteVersion(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	arn := r.PostFormValue("arn")
	_, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(r.PostFormValue("version"))})
	c.afterPolicyAction(w, r, sess, arn, err)
}

// deletePolicy deletes a customer managed policy as AWS's console does: detached from every
// user, group and role, its other versions deleted, then the policy; each a call the principal
// must be allowed. The policy's name, typed again, confirms it.
func (c *Console) deletePolicy(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	arn := r.PostFormValue("arn")
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	if r.PostFormValue("confirm") != name {
		c.showPolicy(w, r, sess, arn, "", &apiError{Code: "ValidationError", Message: "Type the policy's name to confirm the deletion."})
		return
	}
	a := aws.String(arn)
	err := func() error {
		for {
			e, err := client.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: a})
			if err != nil {
				return err
			}
			for _, u := range e.PolicyUsers {
				if _, err := client.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: u.UserName, PolicyArn: a}); err != nil {
					return err
				}
			}
			for _, g := range e.PolicyGroups {
				if _, err := client.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: g.GroupName, PolicyArn: a}); err != nil {
					return err
				}
			}
			for _, ro := range e.PolicyRoles {
				if _, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: ro.RoleName, PolicyArn: a}); err != nil {
					return err
				}
			}
			if !e.IsTruncated {
				break
			}
		}
		vs, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: a})
		if err != nil {
			return err
		}
		for _, v := range vs.Versions {
			if !v.IsDefaultVersion {
				if _, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: a, VersionId: v.VersionId}); err != nil {
					return err
				}
			}
		}
		_, err = client.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: a})
		return err
	}()
	if err != nil {
		c.showPolicy(w, r, sess, arn, "", explain(err))
		return
	}
	http.Redirect(w, r, Prefix+"/policies", http.StatusSeeOther)
}

// diffLine is a line of a diff: ' ' in both, '-' only in the first, '+' only in the second.
type diffLine struct {
	Op   string
	Text string
	// A and B are the line's numbers in the first and second document (0 where absent).
	A, B int
}

type diffPage struct {
	Name, ARN, From, To string
	Versions            []versionRow
	Lines               []diffLine
	Same                bool
}

// policyDiff compares two versions of a policy (GET /console/policy/diff?arn=…&from=…&to=…),
// line by line, each document indented as the pages show it.
func (c *Console) policyDiff(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	q := r.URL.Query()
	arn := q.Get("arn")
	p, e := c.policyPageOf(r, sess, arn, "")
	d := c.page(sess, "Compare versions of "+p.Name, "policies")
	if vs, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(100)}); err == nil {
		p.Versions = p.Versions[:0]
		for _, v := range vs.Versions {
			p.Versions = append(p.Versions, versionRow{ID: aws.ToString(v.VersionId), Default: v.IsDefaultVersion, Created: aws.ToTime(v.CreateDate)})
		}
	}
	dp := diffPage{Name: p.Name, ARN: arn, Versions: p.Versions, From: q.Get("from"), To: q.Get("to")}
	if dp.To == "" {
		dp.To = p.DefaultVersion
	}
	if dp.From == "" {
		for _, v := range p.Versions {
			if v.ID != dp.To {
				dp.From = v.ID
				break
			}
		}
	}
	if e == nil && dp.From != "" && dp.To != "" {
		var docs [2]string
		for i, v := range []string{dp.From, dp.To} {
			out, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)})
			if err != nil {
				e = explain(err)
				break
			}
			docs[i] = indented(aws.ToString(out.PolicyVersion.Document))
		}
		if e == nil {
			dp.Lines = diffLines(strings.Split(docs[0], "\n"), strings.Split(docs[1], "\n"))
			dp.Same = docs[0] == docs[1]
		}
	}
	d.Page, d.Error = dp, e
	c.render(w, r, d.Error.status(), "diff.html", d)
}

// documentText is a policy document as IAM returns it (URL-encoded), decoded; a document
// written on one line is indented, one that has lines keeps them (the editor's positions are
// the document's own).
func documentText(doc string) string {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	if strings.Contains(strings.TrimSpace(doc), "\n") {
		return doc
	}
	return indented(doc)
}

// indented is a document indented by two spaces, its members in their order.
func indented(doc string) string {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var compact, out bytes.Buffer
	if json.Compact(&compact, []byte(doc)) != nil || json.Indent(&out, compact.Bytes(), "", "  ") != nil {
		return doc
	}
	return out.String()
}

// diffLines is the shortest line diff of a and b (longest common subsequence; policies are a
// few hundred lines at most).
func diffLines(a, b []string) []diffLine {
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []diffLine
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			out = append(out, diffLine{" ", a[i], i + 1, j + 1})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, diffLine{"-", a[i], i + 1, 0})
			i++
		default:
			out = append(out, diffLine{"+", b[j], 0, j + 1})
			j++
		}
	}
	return out
}

// validation is the policy validator's verdict on a document, as the editor shows it.
type validation struct {
	Valid   bool   `json:"valid"`
	Message string `json:"message,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Kind    string `json:"kind"`
}

// validateDocument runs the repository's policy validator (package policy: the grammar and
// IAM's checks, with IAM's messages and the position of the fault) on a document of a kind.
// It needs no authority, so the console runs it itself; whether a principal a trust policy
// names exists is the API's to say when the document is saved.
func validateDocument(doc, kind string) validation {
	k, ok := policy.ParseKind(kind)
	if !ok {
		k, kind = policy.KindManaged, "managed"
	}
	v := validation{Kind: kind}
	_, err := policy.Parse([]byte(doc), k)
	if err == nil {
		v.Valid = true
		return v
	}
	v.Message = err.Error()
	var se *policy.SyntaxError
	if errors.As(err, &se) {
		v.Message, v.Line, v.Column = se.Reason, se.Line, se.Column
	}
	return v
}

// maxValidateBody bounds a validation request: a policy is at most 10,240 characters
// (a role's trust policy can be raised to that); the rest is JSON's quoting.
const maxValidateBody = 64 << 10

// validateAPI is the editor's live validation (POST /console/api/validate, JSON
// {"document": …, "kind": …}, the session's CSRF token in X-CSRF-Token): the validator's
// verdict as JSON. It changes nothing and calls no API.
func (c *Console) validateAPI(w http.ResponseWriter, r *http.Request) {
	sess, ok := c.current(r)
	if !ok || sess.stage != stageSignedIn || !tokenEqual(r.Header.Get("X-CSRF-Token"), sess.csrf) {
		http.Error(w, `{"error":"not signed in"}`, http.StatusForbidden)
		return
	}
	var in struct{ Document, Kind string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxValidateBody)).Decode(&in); err != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(validateDocument(in.Document, in.Kind))
}

// splitList splits a form's list field on commas and white space.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}
