package instance

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/store"
)

// The server dispatches iamd's own operations through Decode and Invoke (form parameters in,
// JSON out); it authenticates and authorizes the call between the two.

// Decode turns the form parameters of action into its typed input. account is the caller's:
// RevokeInstance's resource ARN names the instance's region, read from its enrolment.
func (s *Service) Decode(ctx context.Context, account, action string, form url.Values) (any, error) {
	get := func(name string) (string, error) {
		v := form[name]
		if len(v) > 1 {
			return "", awserr.InvalidInput("The parameter " + name + " is given more than once.")
		}
		if len(v) == 0 {
			return "", nil
		}
		return v[0], nil
	}
	for name := range form {
		if _, err := get(name); err != nil {
			return nil, err
		}
	}
	str := func(name string) string { v, _ := get(name); return v }
	switch action {
	case "EnrollInstance":
		in := &EnrollInput{InstanceId: str("InstanceId"), InstanceProfileName: str("InstanceProfileName"),
			Region: str("Region"), AvailabilityZone: str("AvailabilityZone")}
		if in.InstanceProfileName == "" {
			return nil, awserr.MissingParameter("The request must contain the parameter InstanceProfileName.")
		}
		return in, nil
	case "RevokeInstance":
		in := &RevokeInput{InstanceId: str("InstanceId")}
		if in.InstanceId == "" {
			return nil, awserr.MissingParameter("The request must contain the parameter InstanceId.")
		}
		if !ValidID(in.InstanceId) {
			return nil, noSuchInstance(in.InstanceId)
		}
		region := DefaultRegion
		err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
			rec, err := readRecord(ctx, tx, account, in.InstanceId)
			if err == nil {
				region = rec.Region
			}
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		in.InstanceArn = ARN(region, account, in.InstanceId)
		return in, nil
	case "ListInstances":
		in := &ListInput{Marker: str("Marker")}
		if v := str("MaxItems"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, awserr.Validation("1 validation error detected: Value '" + v + "' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
			}
			in.MaxItems = n
		}
		return in, nil
	}
	return nil, awserr.InvalidAction(action)
}

// Invoke runs a decoded operation for the principal in ctx.
func (s *Service) Invoke(ctx context.Context, action string, in any) (any, error) {
	switch in := in.(type) {
	case *EnrollInput:
		return s.Enroll(ctx, in)
	case *RevokeInput:
		return s.Revoke(ctx, in)
	case *ListInput:
		return s.List(ctx, in)
	}
	return nil, awserr.InvalidAction(action)
}

// Fetch is InstanceCredentials with an untyped result, for the server's interface.
func (s *Service) Fetch(ctx context.Context, credential string) (any, error) {
	return s.InstanceCredentials(ctx, credential)
}

// decls declares how iamd's own operations are authorized: with the actions iamd:EnrollInstance
// (on the instance profile; enrolling hands the profile's role to the machine, as associating
// an instance profile does on EC2, so it needs iam:PassRole on the role too), iamd:RevokeInstance
// (on the instance's ARN) and iamd:ListInstances.
var decls = map[string]authz.Decl{
	"EnrollInstance": authz.On(func(r *authz.Resolver, in *EnrollInput) {
		role := r.Profile(in.InstanceProfileName)
		r.PassRole(role, "ec2.amazonaws.com")
	}),
	"RevokeInstance": authz.On(func(r *authz.Resolver, in *RevokeInput) {
		r.Resource(in.InstanceArn)
	}),
	"ListInstances": {},
}

// Decl returns how action is authorized.
func (s *Service) Decl(action string) (authz.Decl, bool) {
	d, ok := decls[action]
	return d, ok
}
