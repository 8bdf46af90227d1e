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
	"github.com/iamd/iamd/internal/trail"
)

// CloudTrail is the part of AWS CloudTrail iamd answers (internal/trail implements it).
type CloudTrail interface {
	LookupEvents(ctx context.Context, account string, in *trail.LookupInput) (*trail.LookupOutput, error)
}

// The AWS JSON 1.1 protocol of CloudTrail: POST / with X-Amz-Target naming the operation, a JSON
// body, JSON answers; errors as {"__type": code, "message": …}.
const cloudTrailTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."

// isCloudTrail reports whether r is a CloudTrail call.
func isCloudTrail(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), cloudTrailTarget)
}

// cloudTrailFront is the JSON protocol of the audit trail's LookupEvents.
type cloudTrailFront struct{ ct CloudTrail }

var amzJSON = []string{"application/x-amz-json-1.1"}

func (*cloudTrailFront) contentType() []string { return amzJSON }

// lookupDecl authorizes cloudtrail:LookupEvents, which has no resource type (Resource "*").
var lookupDecl = authz.On(func(*authz.Resolver, *trail.LookupInput) {})

func (f *cloudTrailFront) parse(r *http.Request, body []byte, c *call) (operation, error) {
	c.service = "cloudtrail"
	c.action = strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cloudTrailTarget)
	if f.ct == nil {
		return operation{}, awserr.New(http.StatusBadRequest, "UnknownOperationException", "The audit trail is not enabled on this server.")
	}
	if r.Method != http.MethodPost {
		return operation{}, awserr.New(http.StatusMethodNotAllowed, "UnknownOperationException", "The HTTP method "+r.Method+" is not supported by this endpoint.")
	}
	if c.action != "LookupEvents" {
		return operation{}, awserr.New(http.StatusBadRequest, "UnknownOperationException", "iamd answers CloudTrail's LookupEvents only, not "+c.action+".")
	}
	return operation{scope: "cloudtrail", decl: lookupDecl,
		decode: func(context.Context, *http.Request, *authn.Principal, awsquery.Params) (any, error) {
			in := new(trail.LookupInput)
			if len(bytes.TrimSpace(body)) > 0 {
				d := json.NewDecoder(bytes.NewReader(body))
				d.DisallowUnknownFields()
				if err := d.Decode(in); err != nil {
					return nil, awserr.New(http.StatusBadRequest, "SerializationException", "The request body is not a valid LookupEvents request: "+err.Error())
				}
			}
			return in, in.Validate()
		},
		invoke: func(ctx context.Context, in any) (any, error) {
			p, _ := authn.FromContext(ctx)
			return f.ct.LookupEvents(ctx, p.Account(), in.(*trail.LookupInput))
		},
	}, nil
}

func (*cloudTrailFront) encode(buf *bytes.Buffer, _ *call, res any) error {
	return json.NewEncoder(buf).Encode(res)
}

// cloudTrailCodes are CloudTrail's names for errors the pipeline words as IAM does.
var cloudTrailCodes = map[string]string{"AccessDenied": "AccessDeniedException"}

func (*cloudTrailFront) encodeError(buf *bytes.Buffer, _ *call, e *awserr.Error) {
	code := e.Code
	if c, ok := cloudTrailCodes[code]; ok {
		code = c
	}
	json.NewEncoder(buf).Encode(map[string]string{"__type": code, "message": e.Message})
}
