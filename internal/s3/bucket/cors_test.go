package bucket

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestCORS(t *testing.T) {
	e := newEnv(t, "")
	a := e.client(acctA, "us-east-1")
	_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("web")})
	must(t, "CreateBucket", err)
	_, err = a.GetBucketCors(bg, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	wantMessage(t, "no CORS", err, "NoSuchCORSConfiguration", "The CORS configuration does not exist")

	preflight := func(origin, method, headers string) *http.Response {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		if method != "" {
			h.Set("Access-Control-Request-Method", method)
		}
		if headers != "" {
			h.Set("Access-Control-Request-Headers", headers)
		}
		return e.raw(http.MethodOptions, "/web/some/key", h, "")
	}
	if res := preflight("https://app.example.com", "GET", ""); res.StatusCode != 403 {
		t.Errorf("preflight without CORS: %d", res.StatusCode)
	}

	rules := []types.CORSRule{
		{ID: aws.String("writers"), AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"PUT", "POST", "DELETE"},
			AllowedHeaders: []string{"x-amz-*", "Content-Type"}, ExposeHeaders: []string{"ETag", "x-amz-request-id"}, MaxAgeSeconds: aws.Int32(3000)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}},
	}
	_, err = a.PutBucketCors(bg, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
	must(t, "PutBucketCors", err)
	// A Content-MD5 is checked, as on every request that has one.
	for md5, code := range map[string]string{"not-an-md5": "InvalidDigest", "1B2M2Y8AsgTpgAmY7PhCfg==": "BadDigest"} {
		_, err = a.PutBucketCors(bg, &s3.PutBucketCorsInput{Bucket: aws.String("web"), ContentMD5: aws.String(md5),
			CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
		wantCode(t, "Content-MD5 "+md5, err, code, 400)
	}
	got, err := a.GetBucketCors(bg, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	must(t, "GetBucketCors", err)
	if len(got.CORSRules) != 2 || aws.ToString(got.CORSRules[0].ID) != "writers" || aws.ToInt32(got.CORSRules[0].MaxAgeSeconds) != 3000 ||
		strings.Join(got.CORSRules[0].AllowedHeaders, ",") != "x-amz-*,Content-Type" || got.CORSRules[1].MaxAgeSeconds != nil {
		t.Errorf("GetBucketCors = %+v", got.CORSRules)
	}

	// The first rule matching origin, method and every requested header answers.
	res := preflight("https://app.example.com", "PUT", "X-Amz-Date, content-type")
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://app.example.com",
		"Access-Control-Allow-Methods":     "PUT, POST, DELETE",
		"Access-Control-Allow-Headers":     "X-Amz-Date, content-type",
		"Access-Control-Expose-Headers":    "ETag, x-amz-request-id",
		"Access-Control-Max-Age":           "3000",
		"Access-Control-Allow-Credentials": "true",
		"Vary":                             "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
	}
	if res.StatusCode != 200 {
		t.Errorf("preflight PUT: %d", res.StatusCode)
	}
	for k, v := range want {
		if res.Header.Get(k) != v {
			t.Errorf("preflight %s = %q, want %q", k, res.Header.Get(k), v)
		}
	}
	res = preflight("http://other.org", "GET", "")
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Access-Control-Allow-Credentials") != "" ||
		res.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" {
		t.Errorf("preflight GET from anywhere: %d %v", res.StatusCode, res.Header)
	}
	for _, tc := range []struct {
		origin, method, headers string
		status                  int
		code                    string
	}{
		{"http://other.org", "PUT", "", 403, "AccessForbidden"},                     // no rule admits PUT from there
		{"https://app.example.com", "PUT", "Authorization", 403, "AccessForbidden"}, // a header no rule allows
		{"https://example.com", "DELETE", "", 403, "AccessForbidden"},               // the wildcard needs its dot
		{"", "GET", "", 400, "BadRequest"},                                          // no Origin
		{"https://app.example.com", "", "", 400, "BadRequest"},                      // no method
		{"https://app.example.com", "PATCH", "", 400, "BadRequest"},                 // not a CORS method
		{"https://app.example.com", "GET", "x-amz-meta-a", 403, "AccessForbidden"},  // rule 2 allows no headers
		{"https://app.example.com", "POST", "x-amz-meta-a,x-amz-date", 200, ""},     // rule 1
	} {
		res := preflight(tc.origin, tc.method, tc.headers)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != tc.status || tc.code != "" && !strings.Contains(string(body), "<Code>"+tc.code+"</Code>") {
			t.Errorf("preflight %+v: %d %s", tc, res.StatusCode, body)
		}
	}
	res = preflight("http://other.org", "DELETE", "")
	body, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(body), "<Message>CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource&#39;s CORS spec.</Message>") {
		t.Errorf("refused preflight body %s", body)
	}

	// Actual requests with an Origin get the matching rule's headers.
	res = e.raw(http.MethodGet, "/web?location", http.Header{"Origin": {"https://app.example.com"}}, "")
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" {
		t.Errorf("GET with Origin: %d %v", res.StatusCode, res.Header)
	}
	res = e.raw(http.MethodDelete, "/web?tagging", http.Header{"Origin": {"https://app.example.com"}}, "")
	if res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || res.Header.Get("Access-Control-Expose-Headers") != "ETag, x-amz-request-id" {
		t.Errorf("DELETE with Origin: %d %v", res.StatusCode, res.Header)
	}
	res = e.raw(http.MethodDelete, "/web?tagging", http.Header{"Origin": {"http://other.org"}}, "")
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("DELETE from an origin no rule admits: %v", res.Header)
	}

	putCORS := func(rules ...types.CORSRule) error {
		_, err := a.PutBucketCors(bg, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
		return err
	}
	var many []types.CORSRule
	for range 101 {
		many = append(many, types.CORSRule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}})
	}
	wantMessage(t, "101 rules", putCORS(many...), "InvalidRequest", "The number of CORS rules should not exceed allowed limit of 100 rules.")
	wantMessage(t, "PATCH", putCORS(types.CORSRule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}}),
		"InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is PATCH")
	wantMessage(t, "two wildcards", putCORS(types.CORSRule{AllowedOrigins: []string{"https://*.*.com"}, AllowedMethods: []string{"GET"}}),
		"InvalidRequest", `AllowedOrigin "https://*.*.com" can not have more than one wildcard.`)
	// The SDK refuses these itself; S3's answer is MalformedXML.
	for _, doc := range []string{
		`<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
		`<CORSConfiguration></CORSConfiguration>`,
		`<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin><MaxAgeSeconds>x</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
		`<Other/>`,
	} {
		res := e.raw(http.MethodPut, "/web?cors", nil, doc)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 400 || !strings.Contains(string(body), "<Code>MalformedXML</Code>") {
			t.Errorf("PutBucketCors %s: %d %s", doc, res.StatusCode, body)
		}
	}

	_, err = a.DeleteBucketCors(bg, &s3.DeleteBucketCorsInput{Bucket: aws.String("web")})
	must(t, "DeleteBucketCors", err)
	_, err = a.GetBucketCors(bg, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	wantCode(t, "deleted", err, "NoSuchCORSConfiguration", 404)
}
