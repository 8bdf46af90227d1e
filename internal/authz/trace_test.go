package authz

import (
	"context"
	"testing"

	"github.com/iamd/iamd/policy"
)

type ctxKey struct{}

// A trace keeps the evaluations it is given: Denial is the first denial, Logged that denial or
// else the last decision, whatever context wraps the request's.
func TestTraceRecords(t *testing.T) {
	for _, tc := range []struct {
		name       string
		decisions  []policy.Decision
		wantDenial int // index into decisions, -1 for none
		wantLogged int
		wrapped    bool
	}{
		{"none", nil, -1, -1, false},
		{"one allow", []policy.Decision{policy.Allowed}, -1, 0, false},
		{"one deny", []policy.Decision{policy.ExplicitDeny}, 0, 0, false},
		{"allow then implicit deny", []policy.Decision{policy.Allowed, policy.ImplicitDeny}, 1, 1, true},
		{"deny, deny, allow", []policy.Decision{policy.ImplicitDeny, policy.ExplicitDeny, policy.Allowed}, 0, 0, true},
		{"allow, allow", []policy.Decision{policy.Allowed, policy.Allowed}, -1, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, tr := NewRequestContext(context.Background(), Origin{})
			if tc.wrapped {
				ctx = context.WithValue(ctx, ctxKey{}, "x") // as authn.NewContext wraps it
			}
			if traceOf(ctx) != tr {
				t.Fatal("traceOf does not find the request's trace")
			}
			var evs []*Evaluation
			for _, d := range tc.decisions {
				ev := take()
				if ev.Request == nil || cap(ev.Result.Matched) == 0 {
					t.Fatal("take gives no Request or no room for matches")
				}
				ev.Result.Decision = d
				traceOf(ctx).add(ev)
				evs = append(evs, ev)
			}
			pick := func(i int) *Evaluation {
				if i < 0 {
					return nil
				}
				return evs[i]
			}
			if got := tr.Denial(); got != pick(tc.wantDenial) {
				t.Errorf("Denial = %p, want %p", got, pick(tc.wantDenial))
			}
			if got := tr.Logged(); got != pick(tc.wantLogged) {
				t.Errorf("Logged = %p, want %p", got, pick(tc.wantLogged))
			}
		})
	}
	// Without a request context there is no trace, and recording into none is a no-op.
	if tr := traceOf(context.Background()); tr != nil {
		t.Errorf("traceOf(Background) = %p", tr)
	}
	traceOf(context.Background()).add(take())
}

// A request context made in place carries the same facts as one NewRequestContext allocates.
func TestRequestContextInit(t *testing.T) {
	meta := Origin{SourceIP: "192.0.2.1", Secure: true, UserAgent: "test"}
	for _, tc := range []struct {
		name string
		make func() (context.Context, *Trace)
	}{
		{"NewRequestContext", func() (context.Context, *Trace) { return NewRequestContext(context.Background(), meta) }},
		{"RequestContext.Init", func() (context.Context, *Trace) { return new(RequestContext).Init(context.Background(), meta) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, tr := tc.make()
			if got := OriginFromContext(ctx); got != meta {
				t.Errorf("OriginFromContext = %+v, want %+v", got, meta)
			}
			if traceOf(ctx) != tr || tr.Logged() != nil {
				t.Errorf("trace %p, traceOf %p, Logged %p", tr, traceOf(ctx), tr.Logged())
			}
		})
	}
}
