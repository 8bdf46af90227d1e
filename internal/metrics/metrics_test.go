package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/metrics"
)

// Real SDK calls through a node, then /metrics read as Prometheus reads it: each call is
// counted once, under its operation, status and decision; the bad signature under its reason;
// the AssumeRole as a session; and the store, caches, Go runtime and process are there.
func TestMetricsAfterSDKCalls(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	const allow = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","iam:GetUser"],"Resource":"*"},{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`
	if _, err := root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allow)}); err != nil {
		t.Fatal(err)
	}
	role, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	alice := h.Config(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	aliceIAM := iamtest.IAM(alice)

	// Allowed: alice reads herself.
	if _, err := aliceIAM.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	// Explicitly denied, and implicitly denied (nothing allows ListRoles).
	wantCode(t, "ListUsers", "AccessDenied", func() error {
		_, err := aliceIAM.ListUsers(ctx, &iamsdk.ListUsersInput{})
		return err
	})
	wantCode(t, "ListRoles", "AccessDenied", func() error {
		_, err := aliceIAM.ListRoles(ctx, &iamsdk.ListRolesInput{})
		return err
	})
	// A bad signature: alice's key with another secret.
	wantCode(t, "GetCallerIdentity", "SignatureDoesNotMatch", func() error {
		_, err := iamtest.STS(h.Config(*key.AccessKey.AccessKeyId, "not-the-secret", "")).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
		return err
	})
	if _, err := iamtest.STS(alice).AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("s1")}); err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}

	families := scrape(t, h)
	for _, c := range []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"service": "iam", "operation": "GetUser", "status": "200", "decision": metrics.Allowed}, 1},
		{map[string]string{"service": "iam", "operation": "ListUsers", "status": "403", "decision": metrics.ExplicitDeny}, 1},
		{map[string]string{"service": "iam", "operation": "ListRoles", "status": "403", "decision": metrics.ImplicitDeny}, 1},
		{map[string]string{"service": "iam", "operation": "CreateUser", "status": "200", "decision": metrics.Allowed}, 1},
		{map[string]string{"service": "sts", "operation": "GetCallerIdentity", "status": "403", "decision": metrics.NotEvaluated}, 1},
		{map[string]string{"service": "sts", "operation": "AssumeRole", "status": "200", "decision": metrics.Allowed}, 1},
	} {
		if got := value(families, "iamd_requests_total", c.labels); got != c.want {
			t.Errorf("iamd_requests_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	if n := count(families, "iamd_request_duration_seconds", map[string]string{"service": "sts", "operation": "AssumeRole"}); n != 1 {
		t.Errorf("AssumeRole's latency histogram counts %d calls, want 1", n)
	}
	if got := value(families, "iamd_authentication_failures_total", map[string]string{"reason": "SignatureDoesNotMatch"}); got != 1 {
		t.Errorf("SignatureDoesNotMatch failures = %v, want 1", got)
	}
	if got := value(families, "iamd_sessions_issued_total", map[string]string{"kind": "AssumeRole"}); got != 1 {
		t.Errorf("AssumeRole sessions = %v, want 1", got)
	}
	if got := value(families, "iamd_sessions_issued_total", map[string]string{"kind": "GetSessionToken"}); got != 0 {
		t.Errorf("GetSessionToken sessions = %v, want 0", got)
	}
	if n := count(families, "iamd_store_duration_seconds", map[string]string{"call": "write"}); n < 5 {
		t.Errorf("the store's writes were timed %d times, want at least the test's 5", n)
	}
	if got := value(families, "iamd_cache_hits_total", map[string]string{"cache": "authn/*authn.keyEntry"}); got < 1 {
		t.Errorf("access key cache hits = %v, want some", got)
	}
	if f := families["iamd_audit_events_dropped_total"]; f == nil || len(f.Metric) != 1 || f.Metric[0].GetCounter().GetValue() != 0 {
		t.Errorf("iamd_audit_events_dropped_total = %v, want one series at 0", f)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total"} {
		if families[name] == nil {
			t.Errorf("no %s", name)
		}
	}
}

// An action no model has is counted under one label, whatever it is called.
func TestUnknownActionIsOther(t *testing.T) {
	h := iamtest.New(t)
	for _, action := range []string{"MadeUp1", "MadeUp2"} {
		resp, err := h.Client().Get(h.URL + "/?Action=" + action + "&Version=2010-05-08")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	families := scrape(t, h)
	if got := value(families, "iamd_requests_total", map[string]string{"service": "iam", "operation": metrics.Other, "status": "400", "decision": metrics.NotEvaluated}); got != 2 {
		t.Errorf("unknown actions counted %v times under %q, want 2", got, metrics.Other)
	}
	for _, m := range families["iamd_requests_total"].GetMetric() {
		if op := label(m, "operation"); op == "MadeUp1" || op == "MadeUp2" {
			t.Errorf("an unknown action got its own series: %v", m)
		}
	}
}

// Counting a call of a kind already seen allocates nothing.
func TestCallAllocs(t *testing.T) {
	m := metrics.New()
	m.Call("sts", "AssumeRole", 200, metrics.Allowed, time.Millisecond)
	m.AuthFailure("SignatureDoesNotMatch")
	if n := testing.AllocsPerRun(100, func() {
		m.Call("sts", "AssumeRole", 200, metrics.Allowed, time.Millisecond)
		m.AuthFailure("SignatureDoesNotMatch")
	}); n != 0 {
		t.Errorf("Call and AuthFailure allocate %v times", n)
	}
}

func wantCode(t *testing.T, op, code string, call func() error) {
	t.Helper()
	var ae smithy.APIError
	if err := call(); !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("%s: %v, want %s", op, err, code)
	}
}

func scrape(t *testing.T, h *iamtest.Harness) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := h.Client().Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: status %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not in Prometheus's text format: %v", err)
	}
	return families
}

// find is the series of family name with exactly the given labels, nil when there is none.
func find(families map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	for _, m := range families[name].GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for k, v := range labels {
			if label(m, k) != v {
				match = false
			}
		}
		if match {
			return m
		}
	}
	return nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	return find(families, name, labels).GetCounter().GetValue()
}

func count(families map[string]*dto.MetricFamily, name string, labels map[string]string) uint64 {
	return find(families, name, labels).GetHistogram().GetSampleCount()
}

// The pipeline's cost per call: one lookup, a counter and a histogram.
func BenchmarkCall(b *testing.B) {
	m := metrics.New()
	b.ReportAllocs()
	for b.Loop() {
		m.Call("sts", "AssumeRole", 200, metrics.Allowed, time.Millisecond)
	}
}
