package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/loadgen"
)

// TestBenchCommand runs `iamd bench` against an in-process iamd with credentials from the
// environment, as a user would, in both output forms.
func TestBenchCommand(t *testing.T) {
	h := iamtest.New(t)
	t.Setenv("AWS_ACCESS_KEY_ID", iamtest.RootKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", iamtest.RootSecret)
	t.Setenv("AWS_REGION", iamtest.Region)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	tests := []struct {
		name string
		args []string
		want []string // substrings of stdout
		json bool
	}{
		{name: "table", args: []string{"-n", "20", "-c", "2", "--warmup", "0", "--progress=false"},
			want: []string{"op=get-caller-identity", "requests", "p99", "all"}},
		{name: "json", args: []string{"-n", "10", "--warmup", "0", "--json", "--progress=false"}, json: true},
		{name: "errors by code", args: []string{"-n", "5", "--warmup", "0", "--progress=false", "--op", "assume-role",
			"--role-arn", "arn:aws:iam::" + iamtest.Account + ":role/none"},
			want: []string{"errors by code:", "AccessDenied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := newRoot()
			var out, errb bytes.Buffer
			root.SetOut(&out)
			root.SetErr(&errb)
			root.SetArgs(append([]string{"bench", "--endpoint", h.URL}, tt.args...))
			if err := root.Execute(); err != nil {
				t.Fatalf("bench: %v\n%s", err, errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if tt.json {
				var res loadgen.Result
				if err := json.Unmarshal(out.Bytes(), &res); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, out.String())
				}
				if res.Requests != 10 || res.ErrorCount() != 0 {
					t.Errorf("requests %d, errors %v", res.Requests, res.Errors)
				}
			}
		})
	}
}

func TestBenchRefusesAWS(t *testing.T) {
	root := newRoot()
	root.SetOut(new(bytes.Buffer))
	root.SetErr(new(bytes.Buffer))
	root.SetArgs([]string{"bench", "--endpoint", "https://sts.us-east-1.amazonaws.com", "-n", "1"})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "AWS itself") {
		t.Errorf("err = %v, want a refusal", err)
	}
}
