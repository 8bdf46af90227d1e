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
	// The operations of each service, made once: a call copies its operation and adds its
	// parameters, so that dispatching allocates nothing.
	iam, sts map[string]operation
}

func newQueryFront(iam iamapi.Service, sts stsapi.Service) *queryFront {
	f := &queryFront{iam: map[string]operation{}, sts: map[string]operation{}}
	for name, o := range iamapi.Operations {
		decl, _ := authz.DeclOf("iam", name) // every operation of the models has one (authz's tests)
		f.iam[name] = operation{scope: "iam", decl: decl,
			decode: func(_ context.Context, _ *http.Request, _ *authn.Principal, p awsquery.Params) (any, error) {
				return o.Decode(p)
			},
			invoke: func(ctx context.Context, in any) (any, error) { return o.Invoke(ctx, iam, in) },
		}
	}
	for name, o := range stsapi.Operations {
		decl, _ := authz.DeclOf("sts", name)
		f.sts[name] = operation{scope: "sts", decl: decl,
			decode: func(_ context.Context, _ *http.Request, _ *authn.Principal, p awsquery.Params) (any, error) {
				return o.Decode(p)
			},
			invoke: func(ctx context.Context, in any) (any, error) { return o.Invoke(ctx, sts, in) },
		}
	}
	return f
}

// awsFaultNamespace is the XML namespace of the errors AWS's Query front ends answer before any
// service is found (InvalidAction).
const awsFaultNamespace = "http://webservices.amazon.com/AWSFault/2005-15-09"

// textXML is the Content-Type header value of every Query answer; net/http only reads it.
var textXML = []string{"text/xml"}

func (*queryFront) contentType() []string { return textXML }

func (f *queryFront) parse(r *http.Request, body []byte, c *call) (operation, error) {
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
	var ok bool
	switch version {
	case iamapi.Version:
		op, ok = f.iam[action]
	case stsapi.Version:
		c.service, c.namespace = "sts", stsapi.Namespace
		op, ok = f.sts[action]
	case "":
		return op, awserr.New(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter Version.")
	}
	if !ok {
		// AWS answers an operation it does not know in its common fault namespace, not the
		// service's (recorded answers of IAM's, SES's and SNS's Query front ends).
		c.namespace = awsFaultNamespace
		return op, awserr.Newf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
	}
	op.params = params
	return op, nil
}

func (*queryFront) encode(buf *bytes.Buffer, c *call, res any) error {
	r, _ := res.(awsquery.Result) // nil for operations without output
	awsquery.WriteResponse(buf, c.namespace, c.action, r, c.id)
	return nil
}

func (*queryFront) encodeError(buf *bytes.Buffer, c *call, e *awserr.Error) {
	awsquery.WriteError(buf, c.namespace, e, c.id)
}
