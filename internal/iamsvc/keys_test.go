package iamsvc_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
)

func TestAccessKeys(t *testing.T) {
	h, c := newClient(t)
	name := aws.String("bob")
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: name}))(t)
	k1 := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: name}))(t).AccessKey
	id := aws.ToString(k1.AccessKeyId)
	if !strings.HasPrefix(id, "AKIA") || len(id) != 20 || len(aws.ToString(k1.SecretAccessKey)) != 40 ||
		k1.Status != "Active" || aws.ToString(k1.UserName) != "bob" {
		t.Fatalf("CreateAccessKey = %+v", k1)
	}
	if acct, err := iam.AccountFromAccessKeyID(id); err != nil || acct != iamtest.Account {
		t.Errorf("key id encodes account %q (%v)", acct, err)
	}
	k2 := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: name}))(t).AccessKey

	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"third key", func() error {
			_, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: name})
			return err
		}, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"},
		{"key for missing user", func() error {
			_, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity", "The user with name nobody cannot be found."},
		{"update missing key", func() error {
			_, err := c.UpdateAccessKey(ctx, &iamsdk.UpdateAccessKeyInput{UserName: name, AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA"), Status: "Inactive"})
			return err
		}, "NoSuchEntity", "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found."},
		{"update another user's key", func() error {
			// Without UserName the root caller means its own keys, and bob's key is not one.
			_, err := c.UpdateAccessKey(ctx, &iamsdk.UpdateAccessKeyInput{AccessKeyId: k1.AccessKeyId, Status: "Inactive"})
			return err
		}, "NoSuchEntity", "The Access Key with id " + id + " cannot be found."},
		{"bad status", func() error {
			_, err := c.UpdateAccessKey(ctx, &iamsdk.UpdateAccessKeyInput{UserName: name, AccessKeyId: k1.AccessKeyId, Status: "Paused"})
			return err
		}, "ValidationError", ""},
		{"delete missing key", func() error {
			_, err := c.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: name, AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA")})
			return err
		}, "NoSuchEntity", "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), tc.code, tc.msg) })
	}

	list := must(c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: name}))(t).AccessKeyMetadata
	if len(list) != 2 {
		t.Fatalf("ListAccessKeys = %+v", list)
	}
	page := must(c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: name, MaxItems: aws.Int32(1)}))(t)
	if !page.IsTruncated || len(page.AccessKeyMetadata) != 1 {
		t.Errorf("first page = %+v", page)
	}

	last := must(c.GetAccessKeyLastUsed(ctx, &iamsdk.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKeyId}))(t)
	if aws.ToString(last.UserName) != "bob" || aws.ToString(last.AccessKeyLastUsed.ServiceName) != "N/A" || aws.ToString(last.AccessKeyLastUsed.Region) != "N/A" {
		t.Errorf("GetAccessKeyLastUsed = %+v %+v", last, last.AccessKeyLastUsed)
	}

	// An inactive key stops authenticating with the next request; reactivated, it works again.
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: name, PolicyArn: createPolicy(t, c, "all", allowAll)}))(t)
	bob := iamtest.IAM(h.Config(id, aws.ToString(k1.SecretAccessKey), ""))
	must(bob.GetUser(ctx, &iamsdk.GetUserInput{}))(t)
	must(c.UpdateAccessKey(ctx, &iamsdk.UpdateAccessKeyInput{UserName: name, AccessKeyId: k1.AccessKeyId, Status: "Inactive"}))(t)
	_, err := bob.GetUser(ctx, &iamsdk.GetUserInput{})
	wantErr(t, err, "InvalidClientTokenId", "")
	if st := must(c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: name}))(t).AccessKeyMetadata; st[0].Status != "Inactive" && st[1].Status != "Inactive" {
		t.Errorf("no key listed Inactive: %+v", st)
	}
	must(c.UpdateAccessKey(ctx, &iamsdk.UpdateAccessKeyInput{UserName: name, AccessKeyId: k1.AccessKeyId, Status: "Active"}))(t)
	must(bob.GetUser(ctx, &iamsdk.GetUserInput{}))(t)

	// A user manages its own keys without naming itself.
	own := must(bob.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{}))(t).AccessKeyMetadata
	if len(own) != 2 {
		t.Errorf("bob's own keys = %+v", own)
	}
	must(bob.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{AccessKeyId: k2.AccessKeyId}))(t)
	must(c.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: name, AccessKeyId: k1.AccessKeyId}))(t)
	_, err = bob.GetUser(ctx, &iamsdk.GetUserInput{})
	wantErr(t, err, "InvalidClientTokenId", "")
}

func TestRootAccessKeys(t *testing.T) {
	h, c := newClient(t)
	keys := must(c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{}))(t).AccessKeyMetadata
	if len(keys) != 1 || aws.ToString(keys[0].AccessKeyId) != iamtest.RootKeyID {
		t.Fatalf("root keys = %+v", keys)
	}
	k := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{}))(t).AccessKey
	root2 := iamtest.IAM(h.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	if u := must(root2.GetUser(ctx, &iamsdk.GetUserInput{}))(t).User; aws.ToString(u.Arn) != "arn:aws:iam::"+iamtest.Account+":root" {
		t.Errorf("new root key signs as %s", aws.ToString(u.Arn))
	}
	_, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{})
	wantErr(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
}

// TestSecretsSealedAtRest creates keys and then looks for their secrets in every file of the
// data directory (the database, its WAL and journal).
func TestSecretsSealedAtRest(t *testing.T) {
	dir := t.TempDir()
	n, err := node.Open(context.Background(), node.Config{DataDir: dir, AccountID: iamtest.Account,
		RootAccessKeyID: iamtest.RootKeyID, RootSecretAccessKey: iamtest.RootSecret, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(n)
	defer srv.Close()
	defer n.Close()
	c := iamsdk.NewFromConfig(aws.Config{Region: iamtest.Region, BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(iamtest.RootKeyID, iamtest.RootSecret, "")})
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	secrets := []string{iamtest.RootSecret}
	var ids []string
	for range 2 {
		k := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bob")}))(t).AccessKey
		secrets = append(secrets, aws.ToString(k.SecretAccessKey))
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	var all []byte
	files, _ := filepath.Glob(filepath.Join(dir, "iamd.db*"))
	if len(files) == 0 {
		t.Fatal("no database files in the data directory")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret in plaintext", filepath.Base(f))
			}
		}
		all = append(all, b...)
	}
	// The key ids are stored in plaintext: finding them shows the files were read where the
	// keys are.
	for _, id := range ids {
		if !bytes.Contains(all, []byte(id)) {
			t.Errorf("key id %s not found in the data files; the scan proves nothing", id)
		}
	}
}
