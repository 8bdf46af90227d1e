package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

// allowAll is a session policy that takes nothing away: the refusals below come from the kind
// of credentials alone, never from a policy.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// GetFederationToken credentials may call no IAM operation (nor iamd's own) and, of STS, only
// GetCallerIdentity, whatever their policies allow; GetSessionToken credentials without MFA may
// call no IAM operation and, of STS, AssumeRole and GetCallerIdentity. Every operation of both
// services is tried with credentials whose policies allow everything.
func TestTemporaryCredentialsTable(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	sts := iamtest.STS(h.Root())
	fed, err := sts.GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String(allowAll)})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := sts.GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		name  string
		creds aws.Credentials
		// sts lists the STS operations these credentials may call.
		sts map[string]bool
	}{
		{"GetFederationToken", aws.Credentials{AccessKeyID: *fed.Credentials.AccessKeyId, SecretAccessKey: *fed.Credentials.SecretAccessKey, SessionToken: *fed.Credentials.SessionToken},
			map[string]bool{"GetCallerIdentity": true}},
		{"GetSessionToken", aws.Credentials{AccessKeyID: *sess.Credentials.AccessKeyId, SecretAccessKey: *sess.Credentials.SecretAccessKey, SessionToken: *sess.Credentials.SessionToken},
			map[string]bool{"GetCallerIdentity": true, "AssumeRole": true}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			for _, o := range allOperations() {
				status, body := sendAs(t, h, k.creds, o.service, "Action="+o.name+"&Version="+o.version, nil)
				switch {
				case o.unsigned:
					// Unsigned operations take no credentials: a signature is ignored, and the
					// call fails or succeeds on its parameters alone.
					if status == http.StatusForbidden {
						t.Errorf("%s: %d %s", o.name, status, body)
					}
				case o.service == "iam":
					if e := parseError(t, body); status != http.StatusForbidden || e.Code != "InvalidClientTokenId" {
						t.Errorf("iam %s: %d %s, want 403 InvalidClientTokenId", o.name, status, e.Code)
					}
				case k.sts[o.name]:
					if status == http.StatusForbidden {
						t.Errorf("sts %s refused: %s", o.name, body)
					}
				default:
					e := parseError(t, body)
					if status != http.StatusForbidden || e.Code != "AccessDenied" || !strings.Contains(e.Message, "Cannot call "+o.name+" with session credentials") {
						t.Errorf("sts %s: %d %s %q, want 403 AccessDenied", o.name, status, e.Code, e.Message)
					}
				}
			}
		})
	}
}
