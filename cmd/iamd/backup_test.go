package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
)

func mustMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
	}
}

// A backup taken while the server answers writes, restored into a new directory with the master
// key, serves the same users; the old access key still signs, and session credentials issued
// before the backup still work (they are sealed with the keyring, which is in the database).
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	h := iamtest.Serve(t, iamtest.OpenNode(t, iamtest.NodeConfig(dir)), nil)
	root := iamtest.IAM(h.Root())

	if _, err := root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("demo"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	aliceKey := h.Config(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	assumed, err := iamtest.STS(aliceKey).AssumeRole(ctx, &stssdk.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/demo"), RoleSessionName: aws.String("before-backup")})
	if err != nil {
		t.Fatal(err)
	}
	c := assumed.Credentials

	// Writes in flight during the backup: at most 200 users, at most 30 s.
	var created atomic.Int64
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		deadline := time.Now().Add(30 * time.Second)
		for i := 0; i < 200 && time.Now().Before(deadline); i++ {
			if i == 10 {
				close(started)
			}
			if _, err := root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(fmt.Sprintf("load-%03d", i))}); err != nil {
				done <- err
				return
			}
			created.Add(1)
		}
		done <- nil
	}()
	<-started
	before := created.Load()
	out := filepath.Join(t.TempDir(), "iamd.backup")
	msg, err := run(t, "", "backup", "--data", dir, "--out", out, "--store", "sqlite")
	during := created.Load()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, msg)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("backup taken with %d..%d load users created (of %d)", before, during, created.Load())
	for _, want := range []string{"NOT in the backup", filepath.Join(dir, "master.key")} {
		if !strings.Contains(msg, want) {
			t.Errorf("backup output lacks %q:\n%s", want, msg)
		}
	}
	mustMode(t, out, 0o600)
	if msg, err := run(t, "", "backup", "--data", dir, "--out", out); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("backup over an existing file: %v\n%s", err, msg)
	}

	newDir := filepath.Join(t.TempDir(), "restored")
	msg, err = run(t, "", "restore", "--data", newDir, "--master-key-file", filepath.Join(dir, "master.key"), out)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, msg)
	}
	mustMode(t, filepath.Join(newDir, "master.key"), 0o600)
	mustMode(t, filepath.Join(newDir, "iamd.db"), 0o600)

	h2 := iamtest.Serve(t, iamtest.OpenNode(t, iamtest.NodeConfig(newDir)), nil)
	root2 := iamtest.IAM(h2.Root())
	if _, err := root2.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("alice")}); err != nil {
		t.Errorf("alice after restore: %v", err)
	}
	var load int64
	pages := iamsdk.NewListUsersPaginator(root2, &iamsdk.ListUsersInput{})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Users {
			if strings.HasPrefix(*u.UserName, "load-") {
				load++
			}
		}
	}
	// The copy is one committed state between the backup's start and end.
	if load < before || load > during {
		t.Errorf("restored %d load users; the backup ran while %d..%d existed", load, before, during)
	}
	aliceKey2 := h2.Config(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	if id, err := iamtest.STS(aliceKey2).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
		t.Errorf("alice's access key after restore: %v", err)
	} else if !strings.HasSuffix(*id.Arn, ":user/alice") {
		t.Errorf("alice's key is %s", *id.Arn)
	}
	session := h2.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	if id, err := iamtest.STS(session).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
		t.Errorf("session issued before the backup, after restore: %v", err)
	} else if !strings.HasSuffix(*id.Arn, ":assumed-role/demo/before-backup") {
		t.Errorf("session is %s", *id.Arn)
	}

	// Without a key, restore says how to give one, and serve refuses to start until it is given;
	// IAMD_MASTER_KEY (here Config.MasterKey) is the other way to give it.
	bare := filepath.Join(t.TempDir(), "bare")
	msg, err = run(t, "", "restore", "--data", bare, out)
	if err != nil {
		t.Fatalf("restore without a key: %v\n%s", err, msg)
	}
	if !strings.Contains(msg, "IAMD_MASTER_KEY") || !strings.Contains(msg, filepath.Join(bare, "master.key")) {
		t.Errorf("restore without a key does not say how to give one:\n%s", msg)
	}
	if n, err := node.Open(ctx, iamtest.NodeConfig(bare)); err == nil {
		n.Close()
		t.Error("a restored directory without a master key started")
	} else if !strings.Contains(err.Error(), "master key") || !strings.Contains(err.Error(), "missing") {
		t.Errorf("start without a master key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(bare, "master.key")); err == nil {
		t.Error("the refused start made a master key")
	}
	keyText, err := os.ReadFile(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := iamtest.NodeConfig(bare)
	cfg.MasterKey = string(keyText)
	h3 := iamtest.Serve(t, iamtest.OpenNode(t, cfg), nil)
	if _, err := iamtest.STS(h3.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
		t.Errorf("session on a restore started with IAMD_MASTER_KEY: %v", err)
	}
}

// --with-master-key copies the key beside the backup (0600) and warns; restore names it.
func TestBackupWithMasterKey(t *testing.T) {
	dir := t.TempDir()
	iamtest.OpenNode(t, iamtest.NodeConfig(dir))
	out := filepath.Join(t.TempDir(), "b.db")
	msg, err := run(t, "", "backup", "--data", dir, "--out", out, "--with-master-key")
	if err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	mustMode(t, out+".master.key", 0o600)
	want, _ := os.ReadFile(filepath.Join(dir, "master.key"))
	if got, _ := os.ReadFile(out + ".master.key"); string(got) != string(want) {
		t.Error("the copied master key differs from the data directory's")
	}
	if !strings.Contains(msg, "WARNING") {
		t.Errorf("no warning:\n%s", msg)
	}
	msg, err = run(t, "", "restore", "--data", filepath.Join(t.TempDir(), "r"), out)
	if err != nil || !strings.Contains(msg, "--master-key-file "+out+".master.key") {
		t.Errorf("restore does not point at the key beside the backup: %v\n%s", err, msg)
	}
}

// Restore refuses a non-empty directory, a file that is not an iamd database and a truncated
// backup, and leaves the directory as it found it.
func TestRestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	iamtest.OpenNode(t, iamtest.NodeConfig(dir))
	backups := t.TempDir()
	good := filepath.Join(backups, "good.db")
	if msg, err := run(t, "", "backup", "--data", dir, "--out", good); err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(backups, "truncated.db")
	notDB := filepath.Join(backups, "notes.txt")
	os.WriteFile(truncated, b[:len(b)/2], 0o600)
	os.WriteFile(notDB, []byte("not a database\n"), 0o600)

	nonEmpty := t.TempDir()
	os.WriteFile(filepath.Join(nonEmpty, "keep"), []byte("x"), 0o600)
	if msg, err := run(t, "", "restore", "--data", nonEmpty, good); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty directory: %v\n%s", err, msg)
	}
	if entries, _ := os.ReadDir(nonEmpty); len(entries) != 1 {
		t.Errorf("the non-empty directory now holds %d entries", len(entries))
	}
	for _, bad := range []string{truncated, notDB} {
		target := filepath.Join(t.TempDir(), "new")
		msg, err := run(t, "", "restore", "--data", target, "--master-key-file", filepath.Join(dir, "master.key"), bad)
		if err == nil || !strings.Contains(err.Error(), "not an intact iamd database") {
			t.Errorf("%s: %v\n%s", filepath.Base(bad), err, msg)
		}
		if _, err := os.Stat(target); err == nil {
			t.Errorf("%s: the refused restore left %s", filepath.Base(bad), target)
		}
		empty := t.TempDir()
		if _, err := run(t, "", "restore", "--data", empty, bad); err == nil {
			t.Errorf("%s: restored into an empty directory", filepath.Base(bad))
		}
		if entries, _ := os.ReadDir(empty); len(entries) != 0 {
			t.Errorf("%s: the refused restore left %d entries in the empty directory", filepath.Base(bad), len(entries))
		}
	}
}

// With PostgreSQL, backup gives the pg_dump advice and fails rather than copy part of the state.
func TestBackupPostgresAdvice(t *testing.T) {
	msg, err := run(t, "", "backup", "--store", "postgres", "--out", filepath.Join(t.TempDir(), "x"))
	if code, ok := err.(exitCode); !ok || code == 0 {
		t.Errorf("exit %v, want a non-zero exit status", err)
	}
	for _, want := range []string{"pg_dump", "pg_restore", "IAMD_MASTER_KEY"} {
		if !strings.Contains(msg, want) {
			t.Errorf("advice lacks %q:\n%s", want, msg)
		}
	}
}

// `iamd account create` beside a running server on the same SQLite data directory: the server's
// S3 backend owns DATA/s3, and the command does not need it.
func TestAccountCreateBesideServer(t *testing.T) {
	dir := t.TempDir()
	iamtest.OpenNode(t, iamtest.NodeConfig(dir))
	if msg, err := run(t, "", "account", "create", "--data", dir); err != nil {
		t.Fatalf("%v\n%s", err, msg)
	}
}
