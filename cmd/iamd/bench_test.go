package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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

func TestBenchByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{in: "1024", want: 1024}, {in: "1KiB", want: 1024}, {in: "64MiB", want: 64 << 20}, {in: "2G", want: 2 << 30},
		{in: "5MB", want: 5e6}, {in: "3kB", want: 3000}, {in: "7B", want: 7}, {in: "0", want: 0},
		{in: "", err: true}, {in: "MiB", err: true}, {in: "-1", err: true}, {in: "1 MiB", err: true}, {in: "1TiB", err: true},
		{in: "99999999999G", err: true},
	}
	for _, tt := range tests {
		var b byteSize
		err := b.Set(tt.in)
		if (err != nil) != tt.err || err == nil && int64(b) != tt.want {
			t.Errorf("Set(%q) = %d, %v; want %d (error %v)", tt.in, b, err, tt.want, tt.err)
		}
	}
	for v, want := range map[byteSize]string{1024: "1KiB", 64 << 20: "64MiB", 1000: "1000", 3 << 30: "3GiB"} {
		if got := v.String(); got != want {
			t.Errorf("String(%d) = %q, want %q", int64(v), got, want)
		}
	}
}

// TestBenchS3Output runs an S3 op through the command against a stand-in that accepts every
// request (the S3 workloads themselves are tested in internal/loadgen): the table has MB/s, the
// JSON the bytes.
func TestBenchS3Output(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodGet {
			w.Write(make([]byte, 2048))
		}
	}))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--op", "s3-get", "--object-size", "2KiB"}, []string{"op=s3-get", "MB/s", "all"}},
		{[]string{"--op", "s3-put-large", "--large-object-size", "1MiB", "--json"}, []string{`"bytes": 10485760`, `"megabytesPerSecond"`}},
	} {
		root := newRoot()
		var out, errb bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&errb)
		root.SetArgs(append([]string{"bench", "--endpoint", srv.URL, "-n", "10", "--warmup", "0", "--progress=false"}, tt.args...))
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v\n%s", tt.args, err, errb.String())
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, w, out.String())
			}
		}
	}
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"bench", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"s3-get", "s3-put-large", "--object-size", "--large-object-size", "--bucket", "--unsigned-payload", "UNSIGNED-PAYLOAD"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("help lacks %q", w)
		}
	}
}
