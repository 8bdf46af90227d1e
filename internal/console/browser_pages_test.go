package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/chromedp/chromedp"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestBrowserS3SettingsDenied: in chromium, root makes a bucket, uploads a file from the file
// picker, downloads it, opens the bucket policy editor; sets the account alias; asks why a user
// was denied; and passes through the providers, instance profiles and organization pages, each
// screenshotted (at phone width too for the bucket).
func TestBrowserS3SettingsDenied(t *testing.T) {
	h := newHarness(t)
	consoleUser(t, h, "bob", "Bob-Passw0rd!!", false)
	policy(t, h, "bob", `{"Version":"2012-10-17","Statement":[{"Sid":"NoUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)
	c := newChrome(t, h)
	c.acceptDialogs()
	c.signIn(iamtest.Account, "", rootPassword)

	c.open("/console/s3")
	c.shot("buckets-empty")
	c.fill("#bucket-name", "team-docs")
	c.click("#create-bucket")
	if c.path() != "/console/s3/team-docs" {
		t.Fatalf("after create bucket: %s %q", c.path(), c.text("#main"))
	}
	file := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(file, []byte("meeting at noon\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.do(chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{file}))
	c.click("#upload-submit")
	if !strings.Contains(c.text("#objects"), "notes.txt") {
		t.Fatalf("after upload: %s %q", c.path(), c.text("#main"))
	}
	c.shot("bucket")
	if got := c.download(`#objects a[href*="key=notes.txt"]`, "notes.txt"); got != "meeting at noon\n" {
		t.Errorf("downloaded %q", got)
	}
	c.phone(true)
	c.open("/console/s3/team-docs")
	c.shot("bucket-phone")
	c.phone(false)
	c.click("#edit-bucket-policy")
	if !c.has("#document") || !strings.Contains(c.text("h1"), "Bucket policy of team-docs") {
		t.Errorf("bucket policy editor: %s", c.path())
	}
	c.shot("bucket-policy-editor")

	c.open("/console/settings")
	c.fill("#alias-input", "team-corp")
	c.click("#alias-submit")
	if got := c.text("#alias"); got != "team-corp" {
		t.Errorf("alias shown as %q (%q)", got, c.text("#main"))
	}
	c.shot("settings")

	c.open("/console/denied")
	c.fill("#denied-message", "User: arn:aws:iam::"+iamtest.Account+":user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+
		iamtest.Account+":user/eve with an explicit deny in an identity-based policy")
	c.click("#denied-submit")
	if got := squash(c.text("#sim-results")); !strings.Contains(got, "explicitDeny") || !strings.Contains(got, "Decided by inline") {
		t.Errorf("why denied: %q", got)
	}
	c.shot("why-denied")

	if _, err := iamtest.IAM(h.Root()).CreateInstanceProfile(context.Background(), &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"providers", "instance-profiles", "instance-profiles/web", "organization"} {
		c.open("/console/" + p)
		c.shot(strings.ReplaceAll(p, "/", "-"))
	}
}
