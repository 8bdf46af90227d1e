package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestPresignedAgeBounded: IAM and STS take a presigned request for 15 minutes after its
// X-Amz-Date, whatever X-Amz-Expires says, as AWS does; a presigned identity proof or write
// that leaked is not replayable for a week.
func TestPresignedAgeBounded(t *testing.T) {
	h := iamtest.New(t)
	get := func(service, query string, at time.Time) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, h.URL+"/?"+query, nil)
		creds := aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret}
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, v4EmptyHash, service, iamtest.Region, at)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := h.Client().Get(signed)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	const gci = "Action=GetCallerIdentity&Version=2011-06-15"
	tests := []struct {
		name, service, query string
		age                  time.Duration
		ok                   bool
	}{
		{"GetCallerIdentity, a week's expiry, six days old", "sts", gci + "&X-Amz-Expires=604800", 6 * 24 * time.Hour, false},
		{"GetCallerIdentity, a week's expiry, 16 minutes old", "sts", gci + "&X-Amz-Expires=604800", 16 * time.Minute, false},
		{"GetCallerIdentity, a week's expiry, 14 minutes old", "sts", gci + "&X-Amz-Expires=604800", 14 * time.Minute, true},
		{"GetCallerIdentity, 60 seconds' expiry, 10 minutes old", "sts", gci + "&X-Amz-Expires=60", 10 * time.Minute, true},
		{"CreateUser, an hour's expiry, 16 minutes old", "iam", "Action=CreateUser&Version=2010-05-08&UserName=late&X-Amz-Expires=3600", 16 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(tt.service, tt.query, time.Now().Add(-tt.age))
			if tt.ok {
				if status != http.StatusOK {
					t.Fatalf("%d %s", status, body)
				}
				return
			}
			e := parseError(t, body)
			if status != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" || !strings.HasPrefix(e.Message, "Signature expired: ") ||
				!strings.HasSuffix(e.Message, " - 15 min.)") {
				t.Fatalf("%d %+v", status, e)
			}
		})
	}
	if status, body := send(t, h, "iam", "Action=GetUser&Version=2010-05-08&UserName=late", nil); status != http.StatusNotFound {
		t.Fatalf("the refused CreateUser created the user: %d %s", status, body)
	}
}
