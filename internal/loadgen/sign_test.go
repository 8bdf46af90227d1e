package loadgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestSignerMatchesSDK checks the lean signer against aws-sdk-go-v2's, header for header.
func TestSignerMatchesSDK(t *testing.T) {
	at := time.Date(2026, 11, 27, 23, 59, 58, 0, time.UTC)
	tests := []struct {
		name    string
		creds   Credentials
		service string
		host    string
		body    string
	}{
		{"long-term sts", Credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}, "sts", "127.0.0.1:8777",
			"Action=GetCallerIdentity&Version=2011-06-15"},
		{"session iam", Credentials{"ASIAIOSFODNN7EXAMPLE", "secret", "FwoGZXIvYXdzEJr//////////wEaDA+token=="}, "iam", "iam.example.test",
			"Action=CreateUser&UserName=a%2Bb&Version=2010-05-08"},
		{"empty body", Credentials{"AKIDEXAMPLE", "s", ""}, "sts", "localhost:1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSigner(tt.creds, "eu-west-3", tt.service, tt.host)
			// Sign twice: the second call uses the cached key and the reused buffer.
			s.sign([]byte("other"), at)
			date, auth := s.sign([]byte(tt.body), at)

			req, _ := http.NewRequest(http.MethodPost, "http://"+tt.host+"/", bytes.NewReader([]byte(tt.body)))
			req.Header.Set("Content-Type", formContentType)
			ph := hexSHA256([]byte(tt.body))
			err := v4.NewSigner().SignHTTP(context.Background(),
				aws.Credentials{AccessKeyID: tt.creds.AccessKeyID, SecretAccessKey: tt.creds.SecretAccessKey, SessionToken: tt.creds.SessionToken},
				req, ph, tt.service, "eu-west-3", at)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := date, req.Header.Get("X-Amz-Date"); got != want {
				t.Errorf("X-Amz-Date = %q, SDK %q", got, want)
			}
			if want := req.Header.Get("Authorization"); auth != want {
				t.Errorf("Authorization:\n got %s\nwant %s", auth, want)
			}
		})
	}
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestSignerReuse: a signature is reused only for the same body within the same second, and
// a reused one is what signing afresh gives.
func TestSignerReuse(t *testing.T) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 100, time.UTC)
	s := newSigner(Credentials{"AKIDEXAMPLE", "secret", ""}, "us-east-1", "sts", "h")
	fresh := newSigner(Credentials{"AKIDEXAMPLE", "secret", ""}, "us-east-1", "sts", "h")
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	tests := []struct {
		name string
		body []byte
		at   time.Time
	}{
		{"first", body, at},
		{"same second", body, at.Add(800 * time.Millisecond)},
		{"next second", body, at.Add(time.Second)},
		{"other body", []byte("Action=AssumeRole"), at.Add(time.Second)},
		{"first body again", body, at.Add(time.Second)},
	}
	var prev string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			date, auth := s.sign(tt.body, tt.at)
			wantDate, wantAuth := fresh.signNow(tt.body, tt.at)
			if date != wantDate || auth != wantAuth {
				t.Errorf("sign = %s %s, signing afresh gives %s %s", date, auth, wantDate, wantAuth)
			}
			if tt.name == "next second" && auth == prev {
				t.Error("a new second kept the old signature")
			}
			prev = auth
		})
	}
}
