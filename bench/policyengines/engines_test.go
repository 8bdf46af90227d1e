package policyengines

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/iamd/iamd/policy"
)

func engines(tb testing.TB) []Engine {
	tb.Helper()
	i, err := NewIamd()
	if err != nil {
		tb.Fatal(err)
	}
	c, err := NewCedar()
	if err != nil {
		tb.Fatal(err)
	}
	m, err := NewMinio()
	if err != nil {
		tb.Fatal(err)
	}
	o, err := NewOPA(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	or, err := NewOPARules(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return []Engine{i, c, m, o, or}
}

func decide(tb testing.TB, e Engine, r Request) policy.Decision {
	tb.Helper()
	d, err := e.Prepare(r)
	if err != nil {
		tb.Fatalf("%s: prepare %s: %v", e.Name(), r.Name, err)
	}
	got, err := d()
	if err != nil {
		tb.Fatalf("%s: %s: %v", e.Name(), r.Name, err)
	}
	return got
}

// TestDecisionsAgree is the proof that the benchmarks compare like with like: every engine
// gives IAM's decision for every request of the mix and the further requests.
func TestDecisionsAgree(t *testing.T) {
	es := engines(t)
	for _, r := range append(Mix(), More()...) {
		t.Run(r.Name, func(t *testing.T) {
			for _, e := range es {
				if got := decide(t, e, r); got != r.Want {
					t.Errorf("%s: got %v, want %v", e.Name(), got, r.Want)
				}
			}
		})
	}
}

// TestMinioAllowedMatches checks that the yes/no the minio/pkg benchmark times is the allow
// half of the three-way decision.
func TestMinioAllowedMatches(t *testing.T) {
	m, err := NewMinio()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range append(Mix(), More()...) {
		if got, want := m.PrepareAllowed(r)(), r.Want == policy.Allowed; got != want {
			t.Errorf("%s: IsAllowed = %v, want %v", r.Name, got, want)
		}
	}
}

// TestDivergences records where a peer's language cannot say what the IAM policy says, so that
// a change in either is noticed. IAM compares actions without regard to case; Cedar's `like`
// and minio's wildcard match compare bytes. An IPv4-mapped IPv6 source address is inside an
// IPv4 range for iamd, minio (net.IPNet) and OPA, but not for Cedar, whose ipaddr values keep
// the two families apart. minio asks its policy about "bucket/object" and, for a bucket alone,
// "bucket/", so a bucket ARN matches object patterns such as "arn:aws:s3:::data-*/*" (found by
// FuzzAgree).
func TestDivergences(t *testing.T) {
	es := engines(t)
	cases := []struct {
		req  Request
		want map[string]policy.Decision // by engine name
	}{
		{
			req: Request{Name: "actionCase", Action: "S3:getobject", Resource: "arn:aws:s3:::data-lake/a"},
			want: map[string]policy.Decision{
				"iamd": policy.Allowed, "opa": policy.Allowed, "opa-rules": policy.Allowed,
				"cedar-go": policy.ImplicitDeny, "minio/pkg": policy.ImplicitDeny,
			},
		},
		{
			req: Request{Name: "actionCaseDeny", Action: "S3:GETOBJECT", Resource: "arn:aws:s3:::data-lake/secret/a"},
			want: map[string]policy.Decision{
				"iamd": policy.ExplicitDeny, "opa": policy.ExplicitDeny, "opa-rules": policy.ExplicitDeny,
				"cedar-go": policy.ImplicitDeny, "minio/pkg": policy.ImplicitDeny,
			},
		},
		{
			req: Request{Name: "ipv4MappedSourceIp", Action: "s3:PutObject", Resource: "arn:aws:s3:::data-lake/uploads/x", SourceIP: "::ffff:10.1.2.3"},
			want: map[string]policy.Decision{
				"iamd": policy.Allowed, "opa": policy.Allowed, "opa-rules": policy.Allowed, "minio/pkg": policy.Allowed,
				"cedar-go": policy.ImplicitDeny,
			},
		},
		{
			req: Request{Name: "bucketAgainstObjectPattern", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data-lake", Prefix: "home/alice/x"},
			want: map[string]policy.Decision{
				"iamd": policy.ImplicitDeny, "opa": policy.ImplicitDeny, "opa-rules": policy.ImplicitDeny, "cedar-go": policy.ImplicitDeny,
				"minio/pkg": policy.Allowed,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.req.Name, func(t *testing.T) {
			for _, e := range es {
				if got := decide(t, e, c.req); got != c.want[e.Name()] {
					t.Errorf("%s: got %v, want %v", e.Name(), got, c.want[e.Name()])
				}
			}
		})
	}
}

// BenchmarkDecision times one decision of the four-way mix per engine, each request prepared in
// the engine's own form beforehand (policies compiled, inputs converted), so the loop does no
// parsing. "minio/pkg" derives the three-way decision (a second, deny-only pass when the first
// says no); "minio/pkg-IsAllowed" is minio's native yes/no alone.
func BenchmarkDecision(b *testing.B) {
	mix := Mix()
	for _, e := range engines(b) {
		ds := make([]Decider, len(mix))
		for i, r := range mix {
			if got := decide(b, e, r); got != r.Want {
				b.Fatalf("%s: %s: got %v, want %v", e.Name(), r.Name, got, r.Want)
			}
			d, err := e.Prepare(r)
			if err != nil {
				b.Fatal(err)
			}
			ds[i] = d
		}
		b.Run(e.Name(), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU()
			i := 0
			for b.Loop() {
				if _, err := ds[i&3](); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportCPU(b, cpu0)
		})
	}
	m, err := NewMinio()
	if err != nil {
		b.Fatal(err)
	}
	var fs []func() bool
	for _, r := range mix {
		fs = append(fs, m.PrepareAllowed(r))
	}
	b.Run("minio/pkg-IsAllowed", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := processCPU()
		i := 0
		for b.Loop() {
			fs[i&3]()
			i++
		}
		reportCPU(b, cpu0)
	})
}

// processCPU is the CPU time this process has used (all threads, so the garbage collector's
// work counts too).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-ns/op: wall time per op is inflated when other processes share the cores;
// CPU time is much less so.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := processCPU() - cpu0; cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
}
