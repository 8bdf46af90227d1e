package trail

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Events of calls with secrets in their parameters and answers carry CloudTrail's placeholder
// instead, with keys as CloudTrail writes them.
func TestEventHidesSecrets(t *testing.T) {
	tr := &Trail{cfg: Config{}}
	params := map[string]string{"Action": "CreateLoginProfile", "Version": "2010-05-08", "UserName": "bob", "Password": "hunter2-Secret"}
	resp := struct {
		AccessKey   struct{ AccessKeyId, SecretAccessKey string }
		Credentials struct{ SessionToken string }
	}{}
	resp.AccessKey.AccessKeyId, resp.AccessKey.SecretAccessKey = "AKIAEXAMPLE", "s3cr3t"
	resp.Credentials.SessionToken = "tok"
	e, err := tr.event(Call{Time: time.Unix(1700000000, 0), RequestID: "r1", Service: "iam", Action: "CreateLoginProfile",
		Params: func(yield func(string, string)) {
			for k, v := range params {
				yield(k, v)
			}
		}, Response: &resp, Resource: "arn:aws:iam::123456789012:user/team/bob"})
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(e.Data, &r); err != nil {
		t.Fatal(err)
	}
	rp := r["requestParameters"].(map[string]any)
	if rp["password"] != Hidden || rp["userName"] != "bob" || rp["action"] != nil {
		t.Errorf("requestParameters = %v", rp)
	}
	re := r["responseElements"].(map[string]any)
	ak := re["accessKey"].(map[string]any)
	if ak["secretAccessKey"] != Hidden || ak["accessKeyId"] != "AKIAEXAMPLE" || re["credentials"].(map[string]any)["sessionToken"] != Hidden {
		t.Errorf("responseElements = %v", re)
	}
	for _, s := range []string{"hunter2", "s3cr3t", `"tok"`} {
		if strings.Contains(string(e.Data), s) {
			t.Errorf("the event holds %s: %s", s, e.Data)
		}
	}
	if e.ResourceType != "AWS::IAM::User" || e.ResourceName != "bob" || e.ReadOnly || e.Source != "iam.amazonaws.com" {
		t.Errorf("event = %+v", e)
	}
	if r["eventTime"] != "2023-11-14T22:13:20Z" || r["userIdentity"].(map[string]any)["type"] != "Unknown" {
		t.Errorf("event = %s", e.Data)
	}
}

// The file rotates when full, keeping MaxFiles rotated files.
func TestFileRotation(t *testing.T) {
	dir := t.TempDir()
	tr, err := New(Config{Dir: dir, MaxFileBytes: 2000, MaxFiles: 2, FlushEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		tr.Record(Call{Time: time.Now(), RequestID: "r", Service: "sts", Action: "GetCallerIdentity"})
		if i%10 == 9 {
			tr.Flush()
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "trail.jsonl*"))
	if len(names) != 3 {
		t.Fatalf("files %v, want trail.jsonl and two rotated", names)
	}
	for _, n := range names {
		fi, err := os.Stat(n)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 2000+1000 || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %d bytes, mode %v", n, fi.Size(), fi.Mode().Perm())
		}
		b, _ := os.ReadFile(n)
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var r map[string]any
			if err := json.Unmarshal([]byte(line), &r); err != nil || r["eventName"] != "GetCallerIdentity" || r["readOnly"] != true {
				t.Errorf("%s: line %q: %v", n, line, err)
			}
		}
	}
	tr.Record(Call{}) // after Close: dropped silently, never a panic
}
