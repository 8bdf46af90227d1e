package leanhttp

import "testing"

// sdkHead is the head aws-sdk-go-v2 sends for an STS call.
const sdkHead = "POST / HTTP/1.1\r\nHost: 127.0.0.1:8777\r\nUser-Agent: aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/sts#1.33.19 m/E\r\nContent-Length: 43\r\n" +
	"Amz-Sdk-Invocation-Id: 6e7a1c3e-8f1f-4d7e-9d55-0a4c3a9c1b2e\r\nAmz-Sdk-Request: attempt=1; max=3\r\n" +
	"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261127/us-east-1/sts/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n" +
	"Content-Type: application/x-www-form-urlencoded\r\nX-Amz-Date: 20261127T120000Z\r\nAccept-Encoding: gzip\r\n\r\n"

func BenchmarkParseHead(b *testing.B) {
	raw := []byte(sdkHead)
	names := map[string]string{}
	var h head
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		end := headEnd(raw, 0)
		if !parseHead(raw[:end], names, &h) {
			b.Fatal("refused")
		}
	}
}
