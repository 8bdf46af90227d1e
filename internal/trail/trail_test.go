package trail

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Events of calls with secrets in their parameters and answers carry CloudTrail's placeholder
// instead, with keys as CloudTrail writes them.
func TestEventHidesSecrets(t *testing.T) {
	tr := &Trail{cfg: Config{}, secrets: map[string]bool{}}
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

// LookupEvents over the files: newest first, one account's events, filtered, paged, across
// a rotation.
func TestLookupFiles(t *testing.T) {
	dir := t.TempDir()
	tr, err := New(Config{Dir: dir, MaxFileBytes: 3000, MaxFiles: 5, FlushEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		action := "ListUsers"
		if i%2 == 1 {
			action = "CreateUser"
		}
		tr.Record(Call{Time: t0.Add(time.Duration(i) * time.Second), RequestID: fmt.Sprint(i), Service: "iam", Action: action,
			Resource: "arn:aws:iam::123456789012:user/u" + fmt.Sprint(i)})
	}
	tr.Flush()
	if names, _ := filepath.Glob(filepath.Join(dir, "trail.jsonl.*")); len(names) == 0 {
		t.Fatal("no rotation happened: the test needs one")
	}
	// Anonymous calls belong to no account: events of account "" are the ones recorded above.
	lookup := func(in *LookupInput) *LookupOutput {
		t.Helper()
		out, err := tr.LookupEvents(context.Background(), "", in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	max := 3
	var got []string
	in := &LookupInput{MaxResults: &max, LookupAttributes: []LookupAttribute{{"EventName", "CreateUser"}}}
	for pages := 0; ; pages++ {
		out := lookup(in)
		for _, e := range out.Events {
			got = append(got, e.EventTime.Format("05"))
			if e.EventName != "CreateUser" || len(e.Resources) != 1 || e.Resources[0].ResourceType != "AWS::IAM::User" {
				t.Errorf("event %+v", e)
			}
		}
		if out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if want := "19 17 15 13 11 09 07 05 03 01"; strings.Join(got, " ") != want {
		t.Errorf("CreateUser events, newest first: %v, want %s", got, want)
	}
	start, end := EpochTime{t0.Add(4 * time.Second)}, EpochTime{t0.Add(6 * time.Second)}
	if out := lookup(&LookupInput{StartTime: &start, EndTime: &end}); len(out.Events) != 3 {
		t.Errorf("time range: %d events, want 3", len(out.Events))
	}
	if out, err := tr.LookupEvents(context.Background(), "210987654321", &LookupInput{}); err != nil || len(out.Events) != 0 {
		t.Errorf("another account sees %d events (%v)", len(out.Events), err)
	}
	if _, err := tr.LookupEvents(context.Background(), "", &LookupInput{NextToken: "no-such-event"}); err == nil {
		t.Error("an unknown NextToken was accepted")
	}
}
