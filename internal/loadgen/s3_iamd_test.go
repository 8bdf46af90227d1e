package loadgen

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestS3AgainstIamd runs the small S3 workloads against an in-process iamd serving S3 on its
// local backend: every call succeeds, and the run leaves no bucket behind.
func TestS3AgainstIamd(t *testing.T) {
	h := iamtest.New(t)
	for _, cfg := range []Config{
		{Op: S3Put, N: 40, Concurrency: 2},
		{Op: S3Get, N: 40, Concurrency: 2},
		{Op: S3Put, N: 20, Concurrency: 2, UnsignedPayload: true, ObjectSize: 100 << 10},
	} {
		t.Run(string(cfg.Op), func(t *testing.T) {
			cfg.Endpoint, cfg.Credentials, cfg.Region = h.URL, root, iamtest.Region
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != uint64(cfg.N) || res.ErrorCount() != 0 || len(res.Leftovers) != 0 {
				t.Fatalf("%d requests, errors %v, leftovers %v", res.Requests, res.Errors, res.Leftovers)
			}
			size := cfg.ObjectSize
			if size == 0 {
				size = DefaultObjectSize
			}
			if res.Bytes != uint64(cfg.N)*uint64(size) {
				t.Errorf("Bytes = %d, want %d", res.Bytes, uint64(cfg.N)*uint64(size))
			}
		})
	}
	out, err := iamtest.S3(h.Root()).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 0 {
		t.Errorf("buckets left behind: %d", len(out.Buckets))
	}
}
