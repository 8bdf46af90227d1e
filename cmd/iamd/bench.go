package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/iamd/iamd/internal/loadgen"
)

func newBench() *cobra.Command {
	var (
		cfg      loadgen.Config
		op       string
		asJSON   bool
		progress bool
	)
	ops := make([]string, len(loadgen.Ops))
	for i, o := range loadgen.Ops {
		ops[i] = string(o)
	}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load-test an IAM/STS endpoint with signed AWS calls",
		Long: `Send real SigV4-signed IAM and STS calls to an endpoint and report requests per second,
latency quantiles and errors by AWS error code.

Credentials come from the usual AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_PROFILE …); the endpoint from --endpoint or AWS_ENDPOINT_URL. The run is
bounded by -n, --duration or both. AWS's own endpoints are refused: point it at iamd on loopback
or at your own deployment.

Ops: ` + strings.Join(ops, ", ") + `. assume-role without --role-arn creates a role trusting the
caller's account for the run and deletes it afterwards.`,
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
			if progress {
				cfg.Progress = func(p loadgen.Progress) {
					fmt.Fprintf(stderr, "\r%5.0fs  %9d requests  %7d errors  %9.0f req/s ",
						p.Elapsed.Seconds(), p.Requests, p.Errors, p.Rate)
				}
			}
			res, err := loadgen.Run(ctx, cfg)
			if progress {
				fmt.Fprintln(stderr)
			}
			if err != nil {
				return err
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
	f.StringVar(&cfg.Prefix, "prefix", "iamd-bench", "name prefix of the users and roles the run creates")
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
	fmt.Fprintln(tw, "action\trequests\treq/s\tp50\tp90\tp99\tmax\terrors\t")
	row := func(name string, s loadgen.Stats) {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%d\t\n", name, s.Requests, s.RPS,
			ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max), s.ErrorCount())
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
