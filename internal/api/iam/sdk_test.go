package iam_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/awsquery"
)

// serve answers every request with the encoded result (or error) of action.
func serve(t *testing.T, action string, res awsquery.Result, e *awserr.Error) *awsiam.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		w.Header().Set("Content-Type", "text/xml")
		if e != nil {
			awsquery.WriteError(&b, iam.Namespace, e, "req-1")
			w.WriteHeader(e.Status)
		} else {
			awsquery.WriteResponse(&b, iam.Namespace, action, res, "req-1")
		}
		w.Write(b.Bytes())
	}))
	t.Cleanup(srv.Close)
	return awsiam.New(awsiam.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

func TestSDKParsesGetUser(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	c := serve(t, "GetUser", &iam.GetUserOutput{User: &iam.User{
		Path: "/", UserName: "bob", UserId: "AIDAEXAMPLEEXAMPLE123", Arn: "arn:aws:iam::123456789012:user/bob",
		CreateDate: created, Tags: []iam.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "<2>"}},
	}}, nil)
	got, err := c.GetUser(context.Background(), &awsiam.GetUserInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	u := got.User
	if aws.ToString(u.UserName) != "bob" || !u.CreateDate.Equal(created) || len(u.Tags) != 2 || aws.ToString(u.Tags[1].Value) != "<2>" || u.PasswordLastUsed != nil {
		t.Errorf("SDK parsed %+v", u)
	}
}

func TestSDKParsesNoOutputAndError(t *testing.T) {
	c := serve(t, "DeleteUser", nil, nil)
	if _, err := c.DeleteUser(context.Background(), &awsiam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
		t.Errorf("DeleteUser: %v", err)
	}
	c = serve(t, "", nil, awserr.NoSuchEntity("The user with name bob cannot be found."))
	_, err := c.GetUser(context.Background(), &awsiam.GetUserInput{UserName: aws.String("bob")})
	var ae smithy.APIError
	if !errorsAs(err, &ae) || ae.ErrorCode() != "NoSuchEntity" || ae.ErrorMessage() != "The user with name bob cannot be found." {
		t.Errorf("GetUser error = %v", err)
	}
}

func errorsAs(err error, target *smithy.APIError) bool { return errors.As(err, target) }
