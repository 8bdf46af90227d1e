package policyengines

import "github.com/iamd/iamd/policy"

// Decider decides one prepared request. Preparing (compiling the policy, building the engine's
// request value) happens before; calling a Decider is what the benchmarks time.
type Decider func() (policy.Decision, error)

// Engine is one policy engine with the workload's policy compiled into it.
type Engine interface {
	Name() string
	Prepare(Request) (Decider, error)
}

// Iamd is iamd's own engine, used as the server uses it: compiled policy sets and a reused Result.
type Iamd struct {
	sets *policy.Sets
}

// NewIamd parses, validates and compiles Identity.
func NewIamd() (*Iamd, error) {
	p, err := policy.Parse([]byte(Identity), policy.KindIdentity)
	if err != nil {
		return nil, err
	}
	return &Iamd{sets: &policy.Sets{Identity: []*policy.Policy{p}}}, nil
}

func (*Iamd) Name() string { return "iamd" }

func (e *Iamd) Prepare(r Request) (Decider, error) {
	req := &policy.Request{
		Action:    r.Action,
		Resource:  r.Resource,
		Principal: policy.Principal{ARN: CallerARN, Account: CallerAccount},
	}
	if r.SourceIP != "" {
		req.Context.Set("aws:SourceIp", r.SourceIP)
	}
	if r.Prefix != "" {
		req.Context.Set("s3:prefix", r.Prefix)
	}
	var res policy.Result
	return func() (policy.Decision, error) {
		policy.EvaluateInto(&res, e.sets, req)
		return res.Decision, nil
	}, nil
}
