package loadgen

import (
	"context"
	"github.com/aws/aws-sdk-go-v2/aws"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/iamtest"
)

var root = Credentials{iamtest.RootKeyID, iamtest.RootSecret, ""}

// TestRun runs short loads against an in-process iamd and checks that every request is
// accounted for, as a success or as an error under its AWS code.
func TestRun(t *testing.T) {
	h := iamtest.New(t)
	tests := []struct {
		name       string
		cfg        Config
		wantN      uint64
		wantErrors map[string]uint64
		actions    []string // ByAction keys, when more than one action
	}{
		{name: "get-caller-identity", cfg: Config{Op: GetCallerIdentity, N: 120, Concurrency: 4, Credentials: root}, wantN: 120},
		{name: "assume-role creates its role", cfg: Config{Op: AssumeRole, N: 40, Concurrency: 3, Credentials: root}, wantN: 40},
		{name: "create and delete users", cfg: Config{Op: CreateDeleteUser, N: 20, Concurrency: 2, Credentials: root}, wantN: 20,
			actions: []string{"CreateUser", "DeleteUser"}},
		{name: "wrong secret counted by code", cfg: Config{Op: GetCallerIdentity, N: 30, Concurrency: 2,
			Credentials: Credentials{iamtest.RootKeyID, "not-the-secret", ""}},
			wantN: 30, wantErrors: map[string]uint64{"SignatureDoesNotMatch": 30}},
		{name: "unknown key counted by code", cfg: Config{Op: GetCallerIdentity, N: 10, Concurrency: 1,
			Credentials: Credentials{"AKIAUNKNOWNUNKNOWN00", "s", ""}},
			wantN: 10, wantErrors: map[string]uint64{"InvalidClientTokenId": 10}},
		{name: "role that does not exist", cfg: Config{Op: AssumeRole, N: 8, Concurrency: 2, Credentials: root,
			RoleARN: "arn:aws:iam::" + iamtest.Account + ":role/nope"},
			wantN: 8, wantErrors: map[string]uint64{"AccessDenied": 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Endpoint = h.URL
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != tt.wantN {
				t.Errorf("Requests = %d, want %d", res.Requests, tt.wantN)
			}
			if len(res.Errors) != len(tt.wantErrors) {
				t.Errorf("Errors = %v, want %v", res.Errors, tt.wantErrors)
			}
			for code, n := range tt.wantErrors {
				if res.Errors[code] != n {
					t.Errorf("Errors[%s] = %d, want %d (all: %v)", code, res.Errors[code], n, res.Errors)
				}
			}
			var sum uint64
			for a, s := range res.ByAction {
				sum += s.Requests
				if s.ErrorCount() > s.Requests {
					t.Errorf("%s: %d errors of %d requests", a, s.ErrorCount(), s.Requests)
				}
			}
			if len(res.ByAction) != len(tt.actions) || (len(tt.actions) > 0 && sum != res.Requests) {
				t.Errorf("ByAction = %v, want %v summing to %d", res.ByAction, tt.actions, res.Requests)
			}
			if !(res.P50 <= res.P90 && res.P90 <= res.P99 && res.P99 <= res.Max && res.Max > 0) {
				t.Errorf("quantiles not ordered: p50 %v p90 %v p99 %v max %v", res.P50, res.P90, res.P99, res.Max)
			}
			if res.RPS <= 0 || res.Seconds <= 0 {
				t.Errorf("RPS %v over %v s", res.RPS, res.Seconds)
			}
		})
	}
	// The run cleans up after itself: the role it made and the users it created are gone.
	cfg := h.Root()
	out, err := iamtest.IAM(cfg).ListRoles(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Roles) != 0 {
		t.Errorf("roles left behind: %d", len(out.Roles))
	}
	users, err := iamtest.IAM(cfg).ListUsers(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(users.Users) != 0 {
		t.Errorf("users left behind: %d (%v)", len(users.Users), func() (n []string) {
			for _, u := range users.Users {
				n = append(n, aws.ToString(u.UserName))
			}
			return n
		}())
	}
}

// TestRunDurationMixProgress bounds a mixed run by time, with warm-up, and watches progress.
func TestRunDurationMixProgress(t *testing.T) {
	h := iamtest.New(t)
	var ticks atomic.Int32
	res, err := Run(context.Background(), Config{
		Endpoint: h.URL, Credentials: root, Op: Mix, Concurrency: 4,
		Duration: 1200 * time.Millisecond, Warmup: 200 * time.Millisecond,
		Progress: func(p Progress) { ticks.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Seconds < 1.2 {
		t.Fatalf("%d requests in %.2f s", res.Requests, res.Seconds)
	}
	if ticks.Load() < 1 {
		t.Error("no progress reported")
	}
	var sum uint64
	for _, s := range res.ByAction {
		sum += s.Requests
	}
	if sum != res.Requests || res.ByAction["GetCallerIdentity"].Requests == 0 || res.ByAction["AssumeRole"].Requests == 0 {
		t.Errorf("ByAction %v does not add up to %d", res.ByAction, res.Requests)
	}
	// SimulateCustomPolicy may not be implemented by the server; whatever it answers is counted.
	for code, n := range res.Errors {
		t.Logf("error %s: %d", code, n)
	}
}

func TestConfigRefused(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"aws endpoint", Config{Endpoint: "https://sts.amazonaws.com", N: 1, Op: GetCallerIdentity, Credentials: root}, "AWS itself"},
		{"aws china", Config{Endpoint: "https://iam.cn-north-1.amazonaws.com.cn.", N: 1, Op: GetCallerIdentity, Credentials: root}, "AWS itself"},
		{"no scheme", Config{Endpoint: "127.0.0.1:8777", N: 1, Op: GetCallerIdentity, Credentials: root}, "want http"},
		{"unbounded", Config{Endpoint: "http://127.0.0.1:1", Op: GetCallerIdentity, Credentials: root}, "bound the run"},
		{"negative", Config{Endpoint: "http://127.0.0.1:1", N: -1, Op: GetCallerIdentity, Credentials: root}, "negative"},
		{"unknown op", Config{Endpoint: "http://127.0.0.1:1", N: 1, Op: "list-everything", Credentials: root}, "unknown op"},
		{"no credentials", Config{Endpoint: "http://127.0.0.1:1", N: 1, Op: GetCallerIdentity}, "no credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
