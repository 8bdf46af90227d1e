package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/iamd/iamd/internal/agent"
)

func newAgentCmd() *cobra.Command {
	var endpoint, credFile, addr, tokenFile, caFile string
	var imdsv1 bool
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Serve an enrolled instance's role credentials over IMDSv2 and the container endpoint",
		Long: `Serve the role credentials of this machine's instance profile to unmodified AWS SDKs.

The agent proves the machine's enrolment (iamd instance enroll) to iamd with the instance
credential (--credential-file, or IAMD_INSTANCE_CREDENTIAL), refreshes the credentials an hour
before they expire and keeps serving valid ones while iamd is briefly unreachable; SIGHUP
refreshes at once. When iamd refuses the instance (revoked, role removed) it stops serving.

SDKs find it through
  AWS_EC2_METADATA_SERVICE_ENDPOINT=http://ADDR               (IMDSv2)
  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://ADDR/container/credentials
  AWS_CONTAINER_AUTHORIZATION_TOKEN=<the token in --container-token-file>
It listens on loopback by default; a link-local address (169.254.169.254) is allowed too.
Every flag can also be set as IAMD_<FLAG>.`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return envDefault(cmd) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			cred := os.Getenv("IAMD_INSTANCE_CREDENTIAL")
			if credFile != "" {
				b, err := os.ReadFile(credFile)
				if err != nil {
					return err
				}
				cred = strings.TrimSpace(string(b))
			}
			if cred == "" {
				return errors.New("no instance credential: give --credential-file or set IAMD_INSTANCE_CREDENTIAL")
			}
			var token string
			if tokenFile != "" {
				b, err := os.ReadFile(tokenFile)
				if err != nil {
					return err
				}
				token = strings.TrimSpace(string(b))
			}
			if err := localAddr(addr); err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			client, err := httpClient(caFile, 10*time.Second)
			if err != nil {
				return err
			}
			a, err := agent.New(agent.Config{Endpoint: endpoint, Credential: cred, Logger: logger, IMDSv1: imdsv1, ContainerToken: token, HTTPClient: client})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "iamd agent serving on http://%s for %s\n", ln.Addr(), endpoint)
			srv := &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
				WriteTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
			ctx := cmd.Context()
			go a.Run(ctx)
			// SIGHUP refreshes at once: after a revocation or a role change, without waiting.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			go func() {
				for {
					select {
					case <-hup:
						a.Refresh(ctx)
					case <-ctx.Done():
						return
					}
				}
			}()
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", "http://127.0.0.1:8777", "iamd's URL")
	f.StringVar(&credFile, "credential-file", "", "file holding the instance credential (default $IAMD_INSTANCE_CREDENTIAL)")
	f.StringVar(&addr, "addr", "127.0.0.1:8778", "listen address: loopback or link-local")
	f.StringVar(&tokenFile, "container-token-file", "", "file holding the container endpoint's authorization token (none: endpoint disabled)")
	f.BoolVar(&imdsv1, "imdsv1", false, "also answer metadata requests without an IMDSv2 session token")
	f.StringVar(&caFile, "ca-file", "", "PEM certificates to trust besides the system's, for an https iamd (e.g. its DATA/tls-self-signed.crt)")
	return cmd
}

// localAddr refuses listen addresses other than loopback and link-local: the credentials must not
// be reachable from the network.
func localAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !(ip.IsLoopback() || ip.IsLinkLocalUnicast()) {
		return fmt.Errorf("--addr %s: the agent listens on loopback or link-local addresses only", addr)
	}
	return nil
}

func newInstanceCmd() *cobra.Command {
	var endpoint, caFile string
	cmd := &cobra.Command{
		Use:   "instance",
		Short: "Enrol, revoke and list instances (iamd's own IAM actions iamd:EnrollInstance, …)",
		Long: `Manage the machines enrolled as instances. The calls are signed with the AWS credentials of
the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) and authorized by IAM policies on the actions
iamd:EnrollInstance (resource: the instance profile; also needs iam:PassRole on its role),
iamd:RevokeInstance (resource: arn:aws:ec2:REGION:ACCOUNT:instance/ID) and iamd:ListInstances.`,
	}
	cmd.PersistentFlags().StringVar(&endpoint, "endpoint", "", "iamd's URL (default $AWS_ENDPOINT_URL_IAM, else $AWS_ENDPOINT_URL)")
	cmd.PersistentFlags().StringVar(&caFile, "ca-file", "", "PEM certificates to trust besides the system's, for an https iamd")
	run := func(action string, form func(cmd *cobra.Command, args []string) url.Values, show func(cmd *cobra.Command, out []byte) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			v := form(cmd, args)
			v.Set("Action", action)
			out, err := iamdCall(cmd.Context(), endpoint, caFile, v)
			if err != nil {
				return err
			}
			return show(cmd, out)
		}
	}
	printJSON := func(cmd *cobra.Command, out []byte) error {
		_, err := fmt.Fprintln(cmd.OutOrStdout(), string(out))
		return err
	}
	var profile, region, az, id, credOut string
	enroll := &cobra.Command{
		Use:   "enroll --instance-profile NAME [--instance-id i-…] [--credential-out FILE]",
		Short: "Enrol an instance; prints the instance credential once (or writes it to a 0600 file)",
		Args:  cobra.NoArgs,
		RunE: run("EnrollInstance", func(*cobra.Command, []string) url.Values {
			return url.Values{"InstanceProfileName": {profile}, "InstanceId": {id}, "Region": {region}, "AvailabilityZone": {az}}
		}, func(cmd *cobra.Command, out []byte) error {
			if credOut == "" {
				return printJSON(cmd, out)
			}
			var r struct {
				Instance   json.RawMessage
				Credential string
			}
			if err := json.Unmarshal(out, &r); err != nil {
				return err
			}
			if err := os.WriteFile(credOut, []byte(r.Credential+"\n"), 0o600); err != nil {
				return err
			}
			return printJSON(cmd, r.Instance)
		}),
	}
	enroll.Flags().StringVar(&profile, "instance-profile", "", "instance profile name")
	enroll.Flags().StringVar(&id, "instance-id", "", "instance id (i- and 8 or 17 hex digits; default generated)")
	enroll.Flags().StringVar(&region, "region", "", "the instance's region (default us-east-1)")
	enroll.Flags().StringVar(&az, "availability-zone", "", "the instance's availability zone (default REGION+a)")
	enroll.Flags().StringVar(&credOut, "credential-out", "", "write the instance credential to this file (0600) instead of stdout")
	revoke := &cobra.Command{
		Use:   "revoke INSTANCE_ID",
		Short: "Revoke an instance: its agent's next refresh fails",
		Args:  cobra.ExactArgs(1),
		RunE: run("RevokeInstance", func(_ *cobra.Command, args []string) url.Values {
			return url.Values{"InstanceId": {args[0]}}
		}, printJSON),
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List enrolled instances",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var all []json.RawMessage
			marker := ""
			for {
				v := url.Values{"Action": {"ListInstances"}}
				if marker != "" {
					v.Set("Marker", marker)
				}
				out, err := iamdCall(cmd.Context(), endpoint, caFile, v)
				if err != nil {
					return err
				}
				var page struct {
					Instances   []json.RawMessage
					IsTruncated bool
					Marker      string
				}
				if err := json.Unmarshal(out, &page); err != nil {
					return err
				}
				all = append(all, page.Instances...)
				if !page.IsTruncated {
					break
				}
				marker = page.Marker
			}
			b, err := json.MarshalIndent(map[string]any{"Instances": all}, "", "  ")
			if err != nil {
				return err
			}
			return printJSON(cmd, b)
		},
	}
	cmd.AddCommand(enroll, revoke, list)
	return cmd
}

// iamdCall makes one of iamd's own operations, signed with the environment's AWS credentials.
func iamdCall(ctx context.Context, endpoint, caFile string, form url.Values) ([]byte, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	// iamd's operations are IAM-shaped: the IAM endpoint is theirs.
	for _, env := range []string{"AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"} {
		if endpoint == "" {
			endpoint = os.Getenv(env)
		}
	}
	if endpoint == "" {
		return nil, errors.New("no endpoint: give --endpoint or set AWS_ENDPOINT_URL_IAM")
	}
	client, err := httpClient(caFile, 30*time.Second)
	if err != nil {
		return nil, err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/iamd/v1/", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal(out, &e) == nil && e.Error.Code != "" {
			return nil, fmt.Errorf("%s: %s", e.Error.Code, e.Error.Message)
		}
		return nil, fmt.Errorf("iamd answered %s", resp.Status)
	}
	return out, nil
}
