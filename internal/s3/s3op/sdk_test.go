package s3op

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// sdkLeftOut are the SDK's operations Classify does not name as the SDK does, and what it
// answers instead.
var sdkLeftOut = map[string]string{
	"CreateSession":          "NotImplemented",
	"RenameObject":           "NotImplemented",
	"GetObjectAnnotation":    "NotImplemented",
	"ListObjectAnnotations":  "NotImplemented",
	"PutObjectAnnotation":    "NotImplemented",
	"DeleteObjectAnnotation": "NotImplemented",
	"UpdateBucketMetadataAnnotationTableConfiguration": "NotImplemented",
	// Not sent here: ListDirectoryBuckets needs S3 Express's session auth (on this endpoint its
	// GET / would be ListBuckets), WriteGetObjectResponse a host prefix of S3 Object Lambda.
	"ListDirectoryBuckets":   "",
	"WriteGetObjectResponse": "",
}

// TestSDKOperations sends every operation of the AWS SDK for Go v2's S3 client to a server
// that records the request, path-style and virtual-hosted, and classifies what arrived.
func TestSDKOperations(t *testing.T) {
	const domain = "iamd.test"
	var (
		mu   sync.Mutex
		last *http.Request
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		last = r.Clone(context.Background())
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	dialer := &net.Dialer{}
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}

	ct := reflect.TypeFor[*s3.Client]()
	var names []string
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() == 4 && m.Type.In(2).Kind() == reflect.Pointer && m.Type.In(2).Elem().Name() == m.Name+"Input" {
			names = append(names, m.Name)
		}
	}
	if len(names) < 100 {
		t.Fatalf("found %d SDK operations", len(names))
	}
	classified := map[string]bool{}
	for _, pathStyle := range []bool{true, false} {
		client := s3.New(s3.Options{
			Region:           "us-east-1",
			BaseEndpoint:     aws.String("http://" + domain + ":" + port),
			UsePathStyle:     pathStyle,
			Credentials:      aws.AnonymousCredentials{},
			HTTPClient:       hc,
			RetryMaxAttempts: 1,
		})
		cv := reflect.ValueOf(client)
		for _, name := range names {
			want, leftOut := sdkLeftOut[name]
			if leftOut && want == "" {
				continue
			}
			if !leftOut {
				want = name
			}
			m := cv.MethodByName(name)
			in := reflect.New(m.Type().In(1).Elem())
			fill(in.Elem())
			mu.Lock()
			last = nil
			mu.Unlock()
			noValidation := func(o *s3.Options) {
				o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
					s.Initialize.Remove("OperationInputValidation")
					return nil
				})
			}
			out := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), in, reflect.ValueOf(noValidation)})
			mu.Lock()
			r := last
			mu.Unlock()
			if r == nil {
				t.Errorf("%s (path-style %v): no request arrived: %v", name, pathStyle, out[1].Interface())
				continue
			}
			op, err := Classify(r, domain)
			switch {
			case want == "NotImplemented":
				if err == nil || err.Code != "NotImplemented" {
					t.Errorf("%s %s: got %+v, %v; want NotImplemented", r.Method, r.URL, op, err)
				}
				continue
			case err != nil:
				t.Errorf("%s %s (host %s): %v", r.Method, r.URL, r.Host, err)
				continue
			case op.Name != want:
				t.Errorf("%s %s: classified %s, want %s", r.Method, r.URL, op.Name, want)
			}
			classified[op.Name] = true
			if wantStyle := map[bool]Style{true: PathStyle, false: VirtualHosted}[pathStyle]; op.Bucket != "" && op.Style != wantStyle {
				t.Errorf("%s: style %v, want %v", name, op.Style, wantStyle)
			}
			if in.Elem().FieldByName("Bucket").IsValid() && op.Bucket != "bucket-1" {
				t.Errorf("%s: bucket %q", name, op.Bucket)
			}
			if in.Elem().FieldByName("Key").IsValid() && name != "DeleteObjects" && op.Key != sdkKey {
				t.Errorf("%s: key %q, want %q", name, op.Key, sdkKey)
			}
			checkAccess(t, op)
		}
	}
	// Every row of the table but the two no SDK sends is an SDK operation.
	for name := range table {
		if !classified[name] && name != "PostObject" && name != "PreflightRequest" {
			t.Errorf("table row %s is no SDK operation", name)
		}
	}
}

const sdkKey = "dir/a b+c%d/ü~é//./x"

// fill sets the fields naming the resource of an SDK input.
func fill(v reflect.Value) {
	set := func(field string, x any) {
		f := v.FieldByName(field)
		if f.IsValid() && f.Type() == reflect.TypeOf(x) {
			f.Set(reflect.ValueOf(x))
		}
	}
	set("Bucket", aws.String("bucket-1"))
	set("Key", aws.String(sdkKey))
	set("UploadId", aws.String("upload-1"))
	set("PartNumber", aws.Int32(1))
	set("CopySource", aws.String("src-bucket/src%20key"))
	set("Id", aws.String("config-1"))
	set("AnnotationName", aws.String("note"))
}

// checkAccess checks what every classified call must have.
func checkAccess(t *testing.T, op *Op) {
	t.Helper()
	if op.Name != "PreflightRequest" && len(op.Access) == 0 {
		t.Errorf("%s: no access", op.Name)
	}
	for _, a := range op.Access {
		if !strings.HasPrefix(a.Action, "s3:") || len(a.Action) < 4 {
			t.Errorf("%s: action %q", op.Name, a.Action)
		}
		if a.Resource != "*" && !strings.HasPrefix(a.Resource, "arn:aws:s3:::") {
			t.Errorf("%s: resource %q", op.Name, a.Resource)
		}
		if (a.Resource == "*") != (a.Bucket == "") {
			t.Errorf("%s: bucket %q with resource %q", op.Name, a.Bucket, a.Resource)
		}
	}
}
