package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/iamd/iamd/internal/loadgen"
)

func newBench() *cobra.Command {
	var (
		cfg        loadgen.Config
		op         string
		asJSON     bool
		progress   bool
		objectSize = byteSize(loadgen.DefaultObjectSize)
		largeSize  = byteSize(loadgen.DefaultLargeObjectSize)
	)
	ops := make([]string, len(loadgen.Ops))
	for i, o := range loadgen.Ops {
		ops[i] = string(o)
	}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load-test an IAM/STS (or S3) endpoint with signed AWS calls",
		Long: `Send real SigV4-signed IAM and STS calls, or S3 object GETs and PUTs, to an endpoint and
report requests per second (and MB/s for S3), latency quantiles and errors by AWS error code.

Credentials come from the usual AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_PROFILE …); the endpoint from --endpoint or AWS_ENDPOINT_URL. The run is
bounded by -n, --duration or both. AWS's own endpoints are refused: point it at iamd on loopback
or at your own deployment.

Ops: ` + strings.Join(ops, ", ") + `. assume-role without --role-arn creates a role trusting the
caller's account for the run and deletes it afterwards.

S3 ops, path-style on the same endpoint (ENDPOINT/BUCKET/KEY), signed as S3 signs (service s3,
x-amz-content-sha256): s3-get and s3-put GET and PUT an object of --object-size (default 1KiB),
s3-get-large and s3-put-large one of --large-object-size (default 64MiB), streamed from one
shared pseudo-random buffer and sent with UNSIGNED-PAYLOAD (--unsigned-payload sends small PUTs
so too; else their SHA-256, computed once). The run creates the bucket (--bucket, default
PREFIX-RANDOM; a named bucket that exists is used and kept), puts the object the GETs read,
and afterwards deletes what it wrote (each worker's PUTs overwrite one key of its own) and the
bucket if it made it. Sizes take a suffix: KiB, MiB, GiB (or k, M, G: the same), kB, MB, GB.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if cfg.Endpoint == "" {
				cfg.Endpoint = os.Getenv("AWS_ENDPOINT_URL")
			}
			if cfg.Endpoint == "" {
				return fmt.Errorf("no endpoint: give --endpoint or set AWS_ENDPOINT_URL")
			}
			if _, err := loadgen.CheckEndpoint(cfg.Endpoint); err != nil {
				return err
			}
			creds, region, err := awsEnvironment(ctx)
			if err != nil {
				return err
			}
			cfg.Credentials = creds
			if cfg.Region == "" {
				cfg.Region = region
			}
			cfg.Op = loadgen.Op(op)
			stderr := cmd.ErrOrStderr()
			cfg.ObjectSize, cfg.LargeObjectSize = int64(objectSize), int64(largeSize)
			if progress {
				s3 := strings.HasPrefix(op, "s3-")
				cfg.Progress = func(p loadgen.Progress) {
					fmt.Fprintf(stderr, "\r%5.0fs  %9d requests  %7d errors  %9.0f req/s ",
						p.Elapsed.Seconds(), p.Requests, p.Errors, p.Rate)
					if s3 {
						fmt.Fprintf(stderr, " %9.1f MB/s ", p.ByteRate/1e6)
					}
				}
			}
			res, err := loadgen.Run(ctx, cfg)
			if progress {
				fmt.Fprintln(stderr)
			}
			if err != nil {
				return err
			}
			for _, l := range res.Leftovers {
				fmt.Fprintf(stderr, "warning: left behind: %s\n", l)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printResult(cmd.OutOrStdout(), res)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Endpoint, "endpoint", "", "endpoint URL (default $AWS_ENDPOINT_URL)")
	f.StringVar(&op, "op", string(loadgen.GetCallerIdentity), "workload: "+strings.Join(ops, ", "))
	f.IntVarP(&cfg.N, "requests", "n", 0, "measured requests (0: bounded by --duration only)")
	f.IntVarP(&cfg.Concurrency, "concurrency", "c", 8, "concurrent connections")
	f.DurationVarP(&cfg.Duration, "duration", "d", 10*time.Second, "longest measured time (0: bounded by -n only)")
	f.DurationVar(&cfg.Warmup, "warmup", time.Second, "unmeasured warm-up before the run")
	f.StringVar(&cfg.RoleARN, "role-arn", "", "role to assume (default: a role created for the run)")
	f.StringVar(&cfg.Region, "region", "", "signing region (default from the AWS environment, else us-east-1)")
	f.StringVar(&cfg.Prefix, "prefix", "iamd-bench", "name prefix of the users, roles, buckets and keys the run creates")
	f.StringVar(&cfg.Bucket, "bucket", "", "S3 ops: the bucket (default PREFIX-RANDOM, created and deleted by the run)")
	f.Var(&objectSize, "object-size", "s3-get, s3-put: the object's size")
	f.Var(&largeSize, "large-object-size", "s3-get-large, s3-put-large: the object's size")
	f.BoolVar(&cfg.UnsignedPayload, "unsigned-payload", false, "s3-put: send UNSIGNED-PAYLOAD, not the body's SHA-256 (large PUTs always do)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.BoolVar(&progress, "progress", true, "show a live progress line on stderr")
	return cmd
}

// awsEnvironment loads credentials and region the way the AWS SDKs do.
func awsEnvironment(ctx context.Context) (loadgen.Credentials, string, error) {
	ac, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return loadgen.Credentials{}, "", fmt.Errorf("AWS configuration: %w", err)
	}
	if ac.Credentials == nil {
		return loadgen.Credentials{}, "", fmt.Errorf("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	c, err := ac.Credentials.Retrieve(ctx)
	if err != nil {
		return loadgen.Credentials{}, "", fmt.Errorf("AWS credentials: %w", err)
	}
	return loadgen.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, ac.Region, nil
}

func printResult(w io.Writer, res *loadgen.Result) {
	fmt.Fprintf(w, "%s  op=%s  concurrency=%d  %.2f s\n\n", res.Endpoint, res.Op, res.Concurrency, res.Seconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	moved := strings.HasPrefix(string(res.Op), "s3-")
	if moved {
		fmt.Fprintln(tw, "action\trequests\treq/s\tMB/s\tp50\tp90\tp99\tmax\terrors\t")
	} else {
		fmt.Fprintln(tw, "action\trequests\treq/s\tp50\tp90\tp99\tmax\terrors\t")
	}
	row := func(name string, s loadgen.Stats) {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t", name, s.Requests, s.RPS)
		if moved {
			fmt.Fprintf(tw, "%.1f\t", s.MBPS)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t\n", ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max), s.ErrorCount())
	}
	names := make([]string, 0, len(res.ByAction))
	for a := range res.ByAction {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		row(a, res.ByAction[a])
	}
	row("all", res.Stats)
	tw.Flush()
	if len(res.Errors) > 0 {
		fmt.Fprintln(w, "\nerrors by code:")
		codes := make([]string, 0, len(res.Errors))
		for c := range res.Errors {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			fmt.Fprintf(w, "  %-28s %d\n", c, res.Errors[c])
		}
	}
}

// ms formats a latency in milliseconds with three decimals (microsecond resolution).
func ms(m loadgen.Micros) string { return fmt.Sprintf("%.3fms", float64(m)/1e3) }

// byteSize is a flag of a size in bytes: a count, or one with a suffix: KiB, MiB, GiB (also
// k, K, M, G), or kB, MB, GB (powers of 1000); a trailing B is optional.
type byteSize int64

func (b *byteSize) String() string {
	v := int64(*b)
	for _, u := range []struct {
		s string
		n int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if v >= u.n && v%u.n == 0 {
			return strconv.FormatInt(v/u.n, 10) + u.s
		}
	}
	return strconv.FormatInt(v, 10)
}

func (b *byteSize) Set(s string) error {
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := s[len(num):]
	mult, ok := map[string]int64{"": 1, "B": 1,
		"k": 1 << 10, "K": 1 << 10, "KiB": 1 << 10, "M": 1 << 20, "MiB": 1 << 20, "G": 1 << 30, "GiB": 1 << 30,
		"kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n < 0 || n > math.MaxInt64/mult {
		return fmt.Errorf("%q: want bytes, e.g. 1024, 1KiB, 64MiB, 5MB", s)
	}
	*b = byteSize(n * mult)
	return nil
}

func (b *byteSize) Type() string { return "size" }
