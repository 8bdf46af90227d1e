package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"
)

// processCredentials is the credential_process output format, Version 1.
type processCredentials struct {
	Version         int
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// minCachedLifetime: a cached answer is reused only while it has this much left.
const minCachedLifetime = 15 * time.Minute

// chainEnv lists the requests (requestID) of the iamd credentials commands this one runs under.
// Without --profile the source is the environment's profile; when that is the very profile whose
// credential_process runs this command (AWS_PROFILE=app), AssumeRole's credential lookup would
// start the command again, and that one again, without end. A nested request for other
// credentials (a source profile served by another iamd credentials) stays allowed.
const chainEnv = "IAMD_CREDENTIALS_CHAIN"

// requestID names a request by a key: its flags in chainEnv; its flags, endpoint and source
// access key in the cache.
func requestID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

func newCredentials() *cobra.Command {
	var roleARN, profile, sessionName, agentURL, cacheDir, caFile string
	var duration int
	var noCache bool
	cmd := &cobra.Command{
		Use:   "credentials (--role-arn ARN [--profile SOURCE] | --agent URL)",
		Short: "Print temporary credentials as credential_process JSON (Version 1)",
		Long: `Print temporary credentials in the JSON that an AWS config file's credential_process reads:

  [profile app]
  credential_process = iamd credentials --role-arn arn:aws:iam::123456789012:role/app --profile base
  endpoint_url = http://127.0.0.1:8777

With --role-arn the credentials come from AssumeRole, called with the credentials of the source
--profile (not the profile that runs this command) at AWS_ENDPOINT_URL or the profile's
endpoint_url. With --agent they come from an iamd agent's IMDSv2 endpoint. Answers are cached in a
0600 file (--cache-dir), one per request (flags, endpoint and source access key), and reused while
they have 15 minutes left. Nothing secret is written to stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (roleARN == "") == (agentURL == "") {
				return errors.New("give exactly one of --role-arn and --agent")
			}
			key := strings.Join([]string{roleARN, profile, sessionName, agentURL, strconv.Itoa(duration)}, "\x00")
			id := requestID(key)
			chain := strings.Fields(os.Getenv(chainEnv))
			if slices.Contains(chain, id) {
				return errors.New("the source credentials come from this same iamd credentials command, which would run itself without end: give --profile a profile with other credentials")
			}
			// The SDK starts credential_process commands with this process's environment.
			os.Setenv(chainEnv, strings.Join(append(chain, id), " "))
			ctx := cmd.Context()
			client, err := httpClient(caFile, 30*time.Second)
			if err != nil {
				return err
			}
			// For --role-arn, the source credentials and the endpoint are part of the request:
			// an answer cached for another key or another iamd must not be served.
			var src *aws.Config
			cacheKey := key
			if roleARN != "" {
				cfg, err := sourceConfig(ctx, profile)
				if err != nil {
					return err
				}
				cfg.HTTPClient = client
				creds, err := cfg.Credentials.Retrieve(ctx)
				if err != nil {
					return err
				}
				cacheKey += "\x00" + aws.ToString(cfg.BaseEndpoint) + "\x00" + os.Getenv("AWS_ENDPOINT_URL_STS") + "\x00" + creds.AccessKeyID
				src = &cfg
			}
			var path string
			if !noCache {
				if cacheDir == "" {
					d, err := os.UserCacheDir()
					if err != nil {
						return fmt.Errorf("no cache directory (give --cache-dir or --no-cache): %w", err)
					}
					cacheDir = filepath.Join(d, "iamd")
				}
				path = filepath.Join(cacheDir, requestID(cacheKey)+".json")
				if c, ok := readCache(path); ok {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(c)
				}
			}
			var c *processCredentials
			if agentURL != "" {
				c, err = fromAgent(ctx, client, agentURL)
			} else {
				c, err = fromRole(ctx, *src, roleARN, sessionName, duration)
			}
			if err != nil {
				return err
			}
			if path != "" {
				if err := writeCache(path, c); err != nil {
					// The answer is still good; say why the next call will fetch again.
					fmt.Fprintln(cmd.ErrOrStderr(), "iamd: not cached:", err)
				}
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(c)
		},
	}
	f := cmd.Flags()
	f.StringVar(&roleARN, "role-arn", "", "role to assume")
	f.StringVar(&profile, "profile", "", "source profile whose credentials call AssumeRole (default: the environment's)")
	f.StringVar(&sessionName, "session-name", "", "role session name (default iamd-credentials-<unix time>)")
	f.IntVar(&duration, "duration", 3600, "session duration in seconds")
	f.StringVar(&agentURL, "agent", "", "an iamd agent's URL, e.g. http://127.0.0.1:8778")
	f.StringVar(&cacheDir, "cache-dir", "", "cache directory (default the user cache directory's iamd/)")
	f.BoolVar(&noCache, "no-cache", false, "neither read nor write the cache")
	f.StringVar(&caFile, "ca-file", "", "PEM certificates to trust besides the system's, for an https iamd or agent (e.g. iamd's DATA/tls-self-signed.crt)")
	return cmd
}

func readCache(path string) (*processCredentials, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var c processCredentials
	if json.Unmarshal(b, &c) != nil || c.Version != 1 || c.AccessKeyId == "" || time.Until(c.Expiration) < minCachedLifetime {
		return nil, false
	}
	return &c, true
}

// writeCache writes atomically, readable by the user alone.
func writeCache(path string, c *processCredentials) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".creds-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// sourceConfig loads the SDK configuration of the source credentials (profile, or the
// default chain when profile is "").
func sourceConfig(ctx context.Context, profile string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg, nil
}

func fromRole(ctx context.Context, cfg aws.Config, roleARN, sessionName string, duration int) (*processCredentials, error) {
	if sessionName == "" {
		sessionName = "iamd-credentials-" + strconv.FormatInt(time.Now().Unix(), 10)
	}
	out, err := stssdk.NewFromConfig(cfg).AssumeRole(ctx, &stssdk.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String(sessionName), DurationSeconds: aws.Int32(int32(duration)),
	})
	if err != nil {
		return nil, err
	}
	c := out.Credentials
	return &processCredentials{Version: 1, AccessKeyId: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken), Expiration: aws.ToTime(c.Expiration).UTC()}, nil
}

// fromAgent reads the role credentials from an agent as an SDK would, with IMDSv2.
func fromAgent(ctx context.Context, client *http.Client, base string) (*processCredentials, error) {
	base = strings.TrimRight(base, "/")
	get := func(method, path string, hdr map[string]string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
		if err != nil {
			return "", err
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("agent: %s %s: %s", method, path, resp.Status)
		}
		return string(b), nil
	}
	tok, err := get(http.MethodPut, "/latest/api/token", map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": "60"})
	if err != nil {
		return nil, err
	}
	auth := map[string]string{"X-aws-ec2-metadata-token": tok}
	role, err := get(http.MethodGet, "/latest/meta-data/iam/security-credentials/", auth)
	if err != nil {
		return nil, err
	}
	body, err := get(http.MethodGet, "/latest/meta-data/iam/security-credentials/"+strings.TrimSpace(role), auth)
	if err != nil {
		return nil, err
	}
	var r struct{ AccessKeyId, SecretAccessKey, Token, Expiration string }
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, errors.New("agent: the credentials are not JSON")
	}
	exp, err := time.Parse(time.RFC3339, r.Expiration)
	if err != nil {
		return nil, errors.New("agent: bad Expiration")
	}
	return &processCredentials{Version: 1, AccessKeyId: r.AccessKeyId, SecretAccessKey: r.SecretAccessKey, SessionToken: r.Token, Expiration: exp}, nil
}
