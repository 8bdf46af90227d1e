package orgs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/vgw"
)

// A versitygw gateway of a member account asks iamd for identity-based decisions: the
// member's SCPs are part of them, as a deny no bucket policy overrides.
func TestVersitygwDecisionsIncludeSCPs(t *testing.T) {
	w := newWorld(t)
	w.enable(orgtypes.PolicyTypeServiceControlPolicy)
	const member, key, secret = "210987654321", "AKIAGATEWAYGATEWAY01", "gatewaySecretgatewaySecretgatewaySecret0"
	memberRoot := w.invite(member, key, secret)
	handler, err := w.h.Node.Versitygw(ctx, member, "iamd test", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A user of the member allowed all of S3.
	c := iamtest.IAM(memberRoot)
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("app"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	decide := func() []string {
		t.Helper()
		body, _ := json.Marshal(vgw.EvaluateRequest{AccessKeyID: *k.AccessKey.AccessKeyId, Actions: []string{"s3:GetObject", "s3:DeleteObject"},
			Resources: []string{"arn:aws:s3:::b/k"}, Region: "us-east-1", Service: "s3"})
		req := httptest.NewRequest(http.MethodPost, "http://unix"+vgw.PathEvaluatePolicy, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(vgw.ProtocolHeader, "1")
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		req.Header.Set("X-Amz-Content-Sha256", hash)
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req, hash, "iam", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		var ev vgw.EvaluateResponse
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &ev) != nil {
			t.Fatalf("evaluate-policy: %d %s", rec.Code, rec.Body)
		}
		return ev.Decisions[0]
	}
	if got := decide(); got[0] != "allow" || got[1] != "allow" {
		t.Fatalf("before the SCP: %v", got)
	}
	w.attach(w.policy("no-deletes", orgtypes.PolicyTypeServiceControlPolicy,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`), member)
	if got := decide(); got[0] != "allow" || got[1] != "deny" {
		t.Errorf("under an SCP denying s3:DeleteObject: %v", got)
	}
}
