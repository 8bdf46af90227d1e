package upstream

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BenchmarkThroughput64MiB measures 64 MiB PUTs and GETs through the proxy (iamd) and straight
// to versitygw (direct) in the same run, alternating the two each iteration so that both see
// the same machine. It reports each side's MB/s and iamd's share of direct in per cent (the
// issue asks for at least 90). Both clients send UNSIGNED-PAYLOAD bodies of known length.
func BenchmarkThroughput64MiB(b *testing.B) {
	v := versityGW(b)
	p := proxy(b, v.url)
	clients := map[string]*s3.Client{"direct": directClient(v), "iamd": proxyClient(p.URL)}
	ctx := context.Background()
	bucket := newBucket(b, clients["direct"])
	const size = 64 << 20
	data := randomBytes(size)
	if _, err := clients["direct"].PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("get"), Body: bytes.NewReader(data)}); err != nil {
		b.Fatal(err)
	}

	readBuf := make([]byte, 1<<20) // as a client writing to a file would read, not io.Discard's 8 KiB
	ops := map[string]func(c *s3.Client, key string) error{
		"put": func(c *s3.Client, key string) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data)})
			return err
		},
		"get": func(c *s3.Client, _ string) error {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("get")})
			if err != nil {
				return err
			}
			defer out.Body.Close()
			n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, out.Body, readBuf)
			if err == nil && n != size {
				err = io.ErrUnexpectedEOF
			}
			return err
		},
	}
	for _, op := range []string{"put", "get"} {
		b.Run(op, func(b *testing.B) {
			took := map[string]time.Duration{}
			order := []string{"direct", "iamd"}
			n := 0
			for b.Loop() {
				n++
				for _, side := range order {
					start := time.Now()
					if err := ops[op](clients[side], side); err != nil {
						b.Fatalf("%s %s: %v", op, side, err)
					}
					took[side] += time.Since(start)
				}
				order[0], order[1] = order[1], order[0]
			}
			mbps := func(side string) float64 { return float64(n) * size / 1e6 / took[side].Seconds() }
			b.ReportMetric(mbps("direct"), "direct-MB/s")
			b.ReportMetric(mbps("iamd"), "iamd-MB/s")
			b.ReportMetric(100*mbps("iamd")/mbps("direct"), "iamd/direct-%")
		})
	}
}
