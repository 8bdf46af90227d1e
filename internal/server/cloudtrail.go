package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

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

// lookupDecl authorizes cloudtrail:LookupEvents, which has no resource type (Resource "*").
var lookupDecl = authz.On(func(*authz.Resolver, *trail.LookupInput) {})

// newCloudTrailFront is CloudTrail's JSON protocol for the audit trail's LookupEvents: X-Amz-Target
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>"; errors as
// {"__type": code, "message": …}.
func newCloudTrailFront(ct CloudTrail) *jsonFront {
	f := &jsonFront{service: "cloudtrail", target: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.", messageKey: "message",
		codes:   map[string]string{"AccessDenied": "AccessDeniedException"},
		unknown: func(name string) string { return "iamd answers CloudTrail's LookupEvents only, not " + name + "." }}
	if ct == nil {
		f.off = "The audit trail is not enabled on this server."
		return f
	}
	f.op = func(name string, body []byte) (operation, bool) {
		if name != "LookupEvents" {
			return operation{}, false
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
				return ct.LookupEvents(ctx, p.Account(), in.(*trail.LookupInput))
			},
		}, true
	}
	return f
}
