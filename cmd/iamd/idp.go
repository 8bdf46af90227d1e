package main

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamd/iamd/internal/idp"
)

const idpWarning = "iamd idp is a DEVELOPMENT identity provider: it authenticates nobody and mints any identity asked for. Never trust it in production."

// idpFlags are shared by the idp subcommands: the same key and issuer make the same IdP.
type idpFlags struct {
	key    string
	issuer string
}

func (f *idpFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.key, "key", "iamd-idp-key.pem", "RSA signing key (PEM); created 0600 when absent")
	c.Flags().StringVar(&f.issuer, "issuer", "https://127.0.0.1:8443", "OIDC issuer URL (https); the SAML entity id is ISSUER/saml")
}

func (f *idpFlags) open() (*idp.IdP, error) {
	k, err := idp.LoadOrCreateKey(f.key)
	if err != nil {
		return nil, err
	}
	return idp.New(idp.Config{Issuer: f.issuer, Key: k})
}

func newIdP() *cobra.Command {
	c := &cobra.Command{
		Use:   "idp",
		Short: "Development identity provider (OIDC issuer and SAML IdP) — for development only",
		Long:  idpWarning + "\n\nIt serves an OIDC issuer (discovery + JWKS) and SAML metadata, and mints ID tokens and signed SAML responses for AssumeRoleWithWebIdentity and AssumeRoleWithSAML tests.",
	}
	c.AddCommand(newIdPServe(), newIdPToken(), newIdPSAML(), newIdPMetadata())
	return c
}

func newIdPServe() *cobra.Command {
	var f idpFlags
	var addr string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve discovery, JWKS and SAML metadata over HTTPS with a self-signed certificate",
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := f.open()
			if err != nil {
				return err
			}
			u, err := url.Parse(f.issuer)
			if err != nil || u.Hostname() == "" {
				return fmt.Errorf("--issuer %q is not a URL", f.issuer)
			}
			if addr == "" {
				addr = u.Host
				if u.Port() == "" {
					addr = net.JoinHostPort(u.Hostname(), "443")
				}
			}
			cert, leaf, err := p.TLSCertificate([]string{u.Hostname()})
			if err != nil {
				return err
			}
			sum := sha1.Sum(leaf.Raw)
			out := cmd.ErrOrStderr()
			fmt.Fprintln(out, idpWarning)
			fmt.Fprintf(out, "issuer:     %s\nthumbprint: %s   (aws iam create-open-id-connect-provider --thumbprint-list)\nmetadata:   %s/saml/metadata\n",
				f.issuer, hex.EncodeToString(sum[:]), strings.TrimSuffix(f.issuer, "/"))
			srv := &http.Server{Addr: addr, Handler: p.Handler(), ReadHeaderTimeout: 5 * time.Second}
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(sctx)
			}()
			fmt.Fprintf(out, "listening:  %s\n", ln.Addr())
			if err := srv.ServeTLS(ln, "", ""); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f.add(c)
	c.Flags().StringVar(&addr, "addr", "", "listen address (default: the issuer's host and port)")
	return c
}

func newIdPToken() *cobra.Command {
	var f idpFlags
	var r idp.TokenRequest
	var tags []string
	c := &cobra.Command{
		Use:   "token",
		Short: "Print a signed OIDC ID token with the claims asked for",
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := f.open()
			if err != nil {
				return err
			}
			if r.Tags, err = parseTags(tags); err != nil {
				return err
			}
			tok, err := p.Token(r)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	f.add(c)
	c.Flags().StringVar(&r.Subject, "sub", "", "sub claim (required)")
	c.Flags().StringSliceVar(&r.Audience, "aud", []string{"sts.amazonaws.com"}, "aud claim (repeatable)")
	c.Flags().DurationVar(&r.TTL, "ttl", time.Hour, "lifetime (exp - iat)")
	c.Flags().StringSliceVar(&r.AMR, "amr", nil, "amr claim values")
	c.Flags().StringArrayVar(&tags, "tag", nil, "session tag KEY=VALUE in the https://aws.amazon.com/tags claim (repeatable)")
	c.Flags().StringSliceVar(&r.TransitiveTagKeys, "transitive-tag-key", nil, "transitive tag keys")
	return c
}

func newIdPSAML() *cobra.Command {
	var f idpFlags
	var r idp.SAMLRequest
	var tags []string
	var provider string
	var roles []string
	var raw bool
	c := &cobra.Command{
		Use:   "saml",
		Short: "Print a signed, base64-encoded SAML response (the SAMLAssertion parameter)",
		Example: "  iamd idp saml --role arn:aws:iam::123456789012:role/dev --provider arn:aws:iam::123456789012:saml-provider/DevIdP \\\n" +
			"    --name-id alice --session-name alice",
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := f.open()
			if err != nil {
				return err
			}
			if r.Tags, err = parseTags(tags); err != nil {
				return err
			}
			for _, role := range roles {
				if !strings.Contains(role, ",") {
					if provider == "" {
						return errors.New("--provider is required unless each --role is role_arn,provider_arn")
					}
					role += "," + provider
				}
				r.Roles = append(r.Roles, role)
			}
			if raw {
				b, err := p.SAMLResponseXML(r)
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(append(b, '\n'))
				return err
			}
			s, err := p.SAMLResponse(r)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), s)
			return nil
		},
	}
	f.add(c)
	c.Flags().StringArrayVar(&roles, "role", nil, "role ARN, or role_arn,provider_arn (repeatable)")
	c.Flags().StringVar(&provider, "provider", "", "SAML provider ARN paired with each --role")
	c.Flags().StringVar(&r.NameID, "name-id", "developer", "Subject NameID")
	c.Flags().StringVar(&r.RoleSessionName, "session-name", "developer", "RoleSessionName attribute")
	c.Flags().IntVar(&r.SessionDuration, "duration", 0, "SessionDuration attribute in seconds (0: omitted)")
	c.Flags().StringArrayVar(&tags, "tag", nil, "PrincipalTag:KEY attribute KEY=VALUE (repeatable)")
	c.Flags().StringSliceVar(&r.TransitiveTagKeys, "transitive-tag-key", nil, "TransitiveTagKeys attribute")
	c.Flags().StringVar(&r.SourceIdentity, "source-identity", "", "SourceIdentity attribute")
	c.Flags().StringVar(&r.Recipient, "recipient", "", "SubjectConfirmationData Recipient (default https://signin.aws.amazon.com/saml)")
	c.Flags().StringVar(&r.Audience, "audience", "", "Audience (default https://signin.aws.amazon.com/saml)")
	c.Flags().DurationVar(&r.TTL, "ttl", 5*time.Minute, "assertion validity")
	c.Flags().BoolVar(&r.SignResponse, "sign-response", false, "sign the Response instead of the Assertion")
	c.Flags().BoolVar(&raw, "xml", false, "print the XML instead of base64")
	return c
}

func newIdPMetadata() *cobra.Command {
	var f idpFlags
	c := &cobra.Command{
		Use:   "metadata",
		Short: "Print the SAML metadata (for aws iam create-saml-provider --saml-metadata-document)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := f.open()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(p.Metadata())
			return err
		},
	}
	f.add(c)
	return c
}

func parseTags(in []string) (map[string]string, error) {
	out := map[string]string{}
	for _, t := range in {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--tag %q is not KEY=VALUE", t)
		}
		out[k] = v
	}
	return out, nil
}
