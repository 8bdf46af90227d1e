package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// "Why was I denied?": a pasted AccessDenied is explained. An encoded authorization message is
// opened with STS's DecodeAuthorizationMessage (so only a principal allowed to decode it reads
// it); a plain one is parsed for its principal, action and resource, which the policy simulator
// (SimulatePrincipalPolicy) evaluates again to name the deciding statement.

func (c *Console) deniedRoutes(handle func(string, http.HandlerFunc)) {
	handle("GET /console/denied", c.signedIn(c.deniedForm))
	handle("POST /console/denied", c.signedIn(c.explainDenial))
}

// deniedRE reads AWS's AccessDenied wording: "User: ARN is not authorized to perform: ACTION
// [on resource: RESOURCE] [because …|with an explicit deny in …]". Actions and the reasons have
// no dots; a resource ending a sentence loses its full stop.
var deniedRE = regexp.MustCompile(`(?:User: (\S+)|Anonymous user) is not authorized to perform: ([\w-]+:[\w*]+)(?: on resource: (\S+))?(?: (because [^.]*|with an explicit deny in [^.]*))?`)

// encodedRE finds an encoded authorization message, with or without its label.
var (
	encodedLabelRE = regexp.MustCompile(`Encoded authorization failure message:\s*(\S+)`)
	encodedBareRE  = regexp.MustCompile(`^[A-Za-z0-9_\-+/=.]{40,}$`)
)

type deniedPage struct {
	Message string
	// What was read from a plain message.
	Parsed                      bool
	Principal, Action, Resource string
	Reason                      string
	// PolicySource is the ARN simulated (a session's role), Results the simulator's verdict.
	PolicySource string
	Results      []simRow
	SimError     *apiError
	// Decoded is an encoded message opened: its summary and its JSON.
	Decoded      bool
	Allowed      bool
	ExplicitDeny bool
	Statements   []string
	DecodedJSON  string
	// SessionRefused: STS refused the console's own session credentials.
	SessionRefused bool
	// Unreadable: the text is neither shape.
	Unreadable bool
}

func (c *Console) deniedForm(w http.ResponseWriter, r *http.Request, sess session) {
	d := c.page(sess, "Why was I denied?", "denied")
	d.Page = deniedPage{}
	c.render(w, r, http.StatusOK, "denied.html", d)
}

func (c *Console) explainDenial(w http.ResponseWriter, r *http.Request, sess session) {
	d := c.page(sess, "Why was I denied?", "denied")
	msg := strings.TrimSpace(r.PostFormValue("message"))
	p := deniedPage{Message: msg}
	flat := strings.Join(strings.Fields(msg), " ")
	encoded := ""
	if m := encodedLabelRE.FindStringSubmatch(flat); m != nil {
		encoded = m[1]
	} else if encodedBareRE.MatchString(flat) {
		encoded = flat
	}
	switch {
	case encoded != "":
		d.Error = c.decode(r, sess, encoded, &p)
		// STS refuses DecodeAuthorizationMessage to an IAM user's session credentials, which
		// the console's are (AWS's rule for GetSessionToken credentials): a role can decode.
		p.SessionRefused = d.Error != nil && sess.role == nil && strings.Contains(d.Error.Message, "session credentials")
	case deniedRE.MatchString(flat):
		m := deniedRE.FindStringSubmatch(flat)
		p.Parsed, p.Principal, p.Action, p.Resource, p.Reason = true, m[1], m[2], strings.TrimSuffix(m[3], "."), m[4]
		c.simulateDenial(r, sess, &p)
	default:
		p.Unreadable = msg != ""
	}
	d.Page = p
	c.render(w, r, d.Error.status(), "denied.html", d)
}

// decode opens an encoded message (sts:DecodeAuthorizationMessage).
func (c *Console) decode(r *http.Request, sess session, encoded string, p *deniedPage) *apiError {
	client, ctx := c.stsWith(r, sess.actingCreds())
	out, err := client.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded)})
	if err != nil {
		return explain(err)
	}
	raw := aws.ToString(out.DecodedMessage)
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(raw), "", "  ") == nil {
		p.DecodedJSON = buf.String()
	} else {
		p.DecodedJSON = raw
	}
	var m struct {
		Allowed, ExplicitDeny bool
		MatchedStatements     struct {
			Items []struct {
				StatementID, Effect string
			}
		}
		Context struct {
			Principal        struct{ ARN string }
			Action, Resource string
		}
	}
	if json.Unmarshal([]byte(raw), &m) == nil {
		p.Decoded, p.Allowed, p.ExplicitDeny = true, m.Allowed, m.ExplicitDeny
		p.Principal, p.Action, p.Resource = m.Context.Principal.ARN, m.Context.Action, m.Context.Resource
		for _, s := range m.MatchedStatements.Items {
			w := s.Effect + " statement"
			if s.StatementID != "" {
				w += " " + s.StatementID
			}
			p.Statements = append(p.Statements, w)
		}
	}
	return nil
}

// assumedRoleRE reads an assumed-role session's ARN: the simulator takes the role's.
var assumedRoleRE = regexp.MustCompile(`^arn:([\w-]+):sts::(\d{12}):assumed-role/([\w+=,.@-]+)/`)

// simulateDenial evaluates the denied request again with the simulator, for the principal the
// message names (a session's role for an assumed-role ARN).
func (c *Console) simulateDenial(r *http.Request, sess session, p *deniedPage) {
	client, ctx := c.api(r, sess)
	source := p.Principal
	switch {
	case source == "":
		p.SimError = &apiError{Code: "ValidationError", Message: "An anonymous request has no policies of its own to simulate; the resource's policy decided it."}
		return
	case strings.HasSuffix(source, ":root"):
		p.SimError = &apiError{Code: "ValidationError", Message: "The simulator does not evaluate the root user: only service control and resource control policies can deny it."}
		return
	}
	if m := assumedRoleRE.FindStringSubmatch(source); m != nil {
		// The role's ARN has its path, which the session's ARN leaves out: GetRole gives it.
		source = "arn:" + m[1] + ":iam::" + m[2] + ":role/" + m[3]
		if out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(m[3])}); err == nil {
			source = aws.ToString(out.Role.Arn)
		}
	}
	p.PolicySource = source
	in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(source), ActionNames: []string{p.Action}}
	if p.Resource != "" {
		in.ResourceArns = []string{p.Resource}
	}
	out, err := client.SimulatePrincipalPolicy(ctx, in)
	if err != nil {
		p.SimError = explain(err)
		return
	}
	for _, x := range out.EvaluationResults {
		if len(x.ResourceSpecificResults) == 0 {
			p.Results = append(p.Results, simRowOf(aws.ToString(x.EvalActionName), aws.ToString(x.EvalResourceName), x.EvalDecision, x.MatchedStatements, x.MissingContextValues))
			continue
		}
		for _, rr := range x.ResourceSpecificResults {
			p.Results = append(p.Results, simRowOf(aws.ToString(x.EvalActionName), aws.ToString(rr.EvalResourceName), rr.EvalResourceDecision, rr.MatchedStatements, rr.MissingContextValues))
		}
	}
}
