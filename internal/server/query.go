package server

import (
	"bytes"
	"context"
	"net/http"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/awsquery"
)

// queryFront is the AWS Query protocol of IAM and STS: form parameters (body or query string)
// in, XML out, dispatched on Action and Version to the generated operation tables.
type queryFront struct {
	iam iamapi.Service
	sts stsapi.Service
}

// textXML is the Content-Type header value of every Query answer; net/http only reads it.
var textXML = []string{"text/xml"}

func (queryFront) contentType() []string { return textXML }

func (f queryFront) parse(r *http.Request, body []byte, c *call) (operation, error) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return operation{}, awserr.New(http.StatusMethodNotAllowed, "InvalidAction", "The HTTP method "+r.Method+" is not supported by this endpoint.")
	}
	params, err := awsquery.ParseParams(r.URL.RawQuery, body, r.Header.Get("Content-Type"))
	if err != nil {
		return operation{}, err
	}
	action, _ := params.Get("Action")
	version, _ := params.Get("Version")
	c.action = action
	if action == "" {
		return operation{}, awserr.New(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	var op operation
	switch version {
	case iamapi.Version:
		o, ok := iamapi.Operations[action]
		if !ok {
			return op, invalidAction(action, version)
		}
		op.invoke = func(ctx context.Context, in any) (any, error) { return o.Invoke(ctx, f.iam, in) }
		op.decode = func(context.Context, *authn.Principal) (any, error) { return o.Decode(params) }
	case stsapi.Version:
		c.service, c.namespace = "sts", stsapi.Namespace
		o, ok := stsapi.Operations[action]
		if !ok {
			return op, invalidAction(action, version)
		}
		op.invoke = func(ctx context.Context, in any) (any, error) { return o.Invoke(ctx, f.sts, in) }
		op.decode = func(context.Context, *authn.Principal) (any, error) { return o.Decode(params) }
	case "":
		return op, awserr.New(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter Version.")
	default:
		return op, invalidAction(action, version)
	}
	op.scope = c.service
	op.decl, _ = authz.DeclOf(c.service, action) // every operation of the models has one (authz's tests)
	return op, nil
}

func (queryFront) encode(buf *bytes.Buffer, c *call, res any) error {
	r, _ := res.(awsquery.Result) // nil for operations without output
	awsquery.WriteResponse(buf, c.namespace, c.action, r, c.id)
	return nil
}

func (queryFront) encodeError(buf *bytes.Buffer, c *call, e *awserr.Error) {
	awsquery.WriteError(buf, c.namespace, e, c.id)
}

func invalidAction(action, version string) error {
	return awserr.Newf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
}
