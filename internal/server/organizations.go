package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/awsquery"
)

// Organizations is AWS Organizations' operations (package orgs implements them).
type Organizations interface {
	// Decl declares how operation name is authorized; false for one iamd does not answer.
	Decl(name string) (authz.Decl, bool)
	// Decode reads operation name's JSON body into its input.
	Decode(name string, body []byte) (any, error)
	// Invoke runs a decoded, authorized input for the principal in ctx.
	Invoke(ctx context.Context, name string, in any) (any, error)
}

// The AWS JSON 1.1 protocol of Organizations: POST / with X-Amz-Target
// "AWSOrganizationsV20161128.<Operation>", signed for the organizations service (AWS's endpoint
// is us-east-1's), JSON answers; errors as {"__type": code, "Message": …, "Reason": …}.
const organizationsTarget = "AWSOrganizationsV20161128."

func isOrganizations(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), organizationsTarget)
}

// organizationsFront is the JSON protocol of Organizations.
type organizationsFront struct{ orgs Organizations }

func (*organizationsFront) contentType() []string { return amzJSON }

func (f *organizationsFront) parse(r *http.Request, body []byte, c *call) (operation, error) {
	c.service = "organizations"
	c.action = strings.TrimPrefix(r.Header.Get("X-Amz-Target"), organizationsTarget)
	if f.orgs == nil {
		return operation{}, awserr.New(http.StatusBadRequest, "UnknownOperationException", "AWS Organizations is not enabled on this server.")
	}
	if r.Method != http.MethodPost {
		return operation{}, awserr.New(http.StatusMethodNotAllowed, "UnknownOperationException", "The HTTP method "+r.Method+" is not supported by this endpoint.")
	}
	decl, ok := f.orgs.Decl(c.action)
	if !ok {
		return operation{}, awserr.New(http.StatusBadRequest, "UnknownOperationException", "iamd does not answer the Organizations operation "+c.action+".")
	}
	action := c.action
	return operation{scope: "organizations", decl: decl,
		decode: func(context.Context, *http.Request, *authn.Principal, awsquery.Params) (any, error) {
			return f.orgs.Decode(action, body)
		},
		invoke: func(ctx context.Context, in any) (any, error) {
			return f.orgs.Invoke(ctx, action, in)
		},
	}, nil
}

func (*organizationsFront) encode(buf *bytes.Buffer, _ *call, res any) error {
	return json.NewEncoder(buf).Encode(res)
}

// organizationsCodes are Organizations' names for errors the pipeline words as IAM does.
var organizationsCodes = map[string]string{"AccessDenied": "AccessDeniedException"}

func (*organizationsFront) encodeError(buf *bytes.Buffer, _ *call, e *awserr.Error) {
	code := e.Code
	if c, ok := organizationsCodes[code]; ok {
		code = c
	}
	body := map[string]string{"__type": code, "Message": e.Message}
	if e.Reason != "" {
		body["Reason"] = e.Reason
	}
	json.NewEncoder(buf).Encode(body)
}
