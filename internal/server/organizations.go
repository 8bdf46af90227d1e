package server

import (
	"context"
	"net/http"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
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

// newOrganizationsFront is Organizations' JSON protocol: X-Amz-Target
// "AWSOrganizationsV20161128.<Operation>", signed for the organizations service (AWS's
// endpoint is us-east-1's); errors as {"__type": code, "Message": …, "Reason": …}.
func newOrganizationsFront(orgs Organizations) *jsonFront {
	f := &jsonFront{service: "organizations", target: "AWSOrganizationsV20161128.", messageKey: "Message",
		codes:   map[string]string{"AccessDenied": "AccessDeniedException"},
		unknown: func(name string) string { return "iamd does not answer the Organizations operation " + name + "." }}
	if orgs == nil {
		f.off = "AWS Organizations is not enabled on this server."
		return f
	}
	f.op = func(name string, body []byte) (operation, bool) {
		decl, ok := orgs.Decl(name)
		if !ok {
			return operation{}, false
		}
		return operation{scope: "organizations", decl: decl,
			decode: func(context.Context, *http.Request, *authn.Principal, awsquery.Params) (any, error) {
				return orgs.Decode(name, body)
			},
			invoke: func(ctx context.Context, in any) (any, error) {
				return orgs.Invoke(ctx, name, in)
			},
		}, true
	}
	return f
}
