package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/awsquery"
)

// iamd's own operations, outside the AWS API — the enrolment of instances — live under /iamd/v1/
// and answer JSON, through the same pipeline as the AWS API:
//
//   - POST /iamd/v1/ with a form body (Action=EnrollInstance&…), signed with SigV4 for the iam
//     service like any IAM call and authorized as the action "iamd:"+Action, as the operation
//     declares (package instance's declarations);
//   - POST /iamd/v1/instance-credentials with "Authorization: Bearer <instance credential>",
//     the agent's credential fetch, authenticated by the instance credential alone.

// InstanceOps are the instance operations the node plugs in (package instance implements them).
type InstanceOps interface {
	// Decode turns action's form parameters into its input; account is the caller's.
	Decode(ctx context.Context, account, action string, form url.Values) (any, error)
	// Invoke runs a decoded, authorized input for the principal in ctx.
	Invoke(ctx context.Context, action string, in any) (any, error)
	// Fetch returns an enrolled instance's role credentials for its instance credential.
	Fetch(ctx context.Context, credential string) (any, error)
	// Decl declares how action is authorized.
	Decl(action string) (authz.Decl, bool)
}

const (
	instancesPrefix   = "/iamd/v1/"
	instanceCredsPath = instancesPrefix + "instance-credentials"
)

// instancesFront is the JSON protocol of iamd's own operations.
type instancesFront struct {
	ops   InstanceOps
	fetch operation // the credential fetch
}

func newInstancesFront(ops InstanceOps) *instancesFront {
	f := &instancesFront{ops: ops}
	// Authenticated and authorized by the service, with the instance credential.
	f.fetch = operation{scope: "iam", decl: authz.Decl{Auth: authz.Bearer, Mode: authz.ByService},
		decode: func(_ context.Context, r *http.Request, _ *authn.Principal, _ awsquery.Params) (any, error) {
			cred, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || cred == "" {
				return nil, awserr.New(http.StatusUnauthorized, "MissingAuthenticationToken", "Request is missing the instance credential (Authorization: Bearer).")
			}
			return cred, nil
		},
		invoke: func(ctx context.Context, in any) (any, error) { return ops.Fetch(ctx, in.(string)) },
	}
	return f
}

var jsonType = []string{"application/json"}

func (*instancesFront) contentType() []string { return jsonType }

func (f *instancesFront) parse(r *http.Request, body []byte, c *call) (operation, error) {
	c.service = "iamd"
	if f.ops == nil {
		return operation{}, awserr.New(http.StatusNotFound, "InvalidAction", "iamd's own operations are not enabled on this server.")
	}
	if r.Method != http.MethodPost {
		return operation{}, awserr.New(http.StatusMethodNotAllowed, "InvalidAction", "The HTTP method "+r.Method+" is not supported by this endpoint.")
	}
	switch r.URL.Path {
	case instanceCredsPath:
		c.action = "GetInstanceCredentials"
		return f.fetch, nil
	case instancesPrefix:
	default:
		return operation{}, awserr.New(http.StatusNotFound, "InvalidAction", "No iamd operation at "+r.URL.Path)
	}
	// The Query protocol's parameter rules (no name twice, valid escapes), as SigV4 relies on.
	params, err := awsquery.ParseParams("", body, r.Header.Get("Content-Type"))
	if err != nil {
		return operation{}, err
	}
	action, _ := params.Get("Action")
	if action == "" {
		return operation{}, awserr.New(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	c.action = action
	decl, ok := f.ops.Decl(action)
	if !ok {
		return operation{}, awserr.InvalidAction(action)
	}
	return operation{scope: "iam", decl: decl, params: params,
		decode: func(ctx context.Context, _ *http.Request, p *authn.Principal, params awsquery.Params) (any, error) {
			form := url.Values{}
			params.Each(func(name, value string) {
				if name != "Action" {
					form.Set(name, value)
				}
			})
			return f.ops.Decode(ctx, p.Account(), action, form)
		},
		invoke: func(ctx context.Context, in any) (any, error) { return f.ops.Invoke(ctx, action, in) },
	}, nil
}

func (*instancesFront) encode(buf *bytes.Buffer, _ *call, res any) error {
	return json.NewEncoder(buf).Encode(res)
}

func (*instancesFront) encodeError(buf *bytes.Buffer, c *call, e *awserr.Error) {
	json.NewEncoder(buf).Encode(map[string]any{
		"Error":     map[string]string{"Type": e.Type(), "Code": e.Code, "Message": e.Message},
		"RequestId": c.id,
	})
}
