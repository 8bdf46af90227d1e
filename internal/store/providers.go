package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iamd/iamd/internal/iam"
)

// Lookups of identity providers for STS federation. The IAM service writes providers as records
// (iam.RecordOIDCProvider, iam.RecordSAMLProvider); these read them inside the caller's
// transaction, so STS needs neither the IAM service nor the record encoding.

// OIDCProviderByURL returns the account's OpenID Connect provider whose URL is issuer (a token's
// iss claim, "https://host/path"; the scheme and a trailing slash are ignored). The path is
// compared exactly, as AWS matches iss. ErrNotFound when there is none.
func OIDCProviderByURL(ctx context.Context, tx Tx, account, issuer string) (iam.OIDCProvider, error) {
	hostPath := strings.TrimRight(strings.TrimPrefix(issuer, "https://"), "/")
	var p iam.OIDCProvider
	if hostPath == "" {
		return p, ErrNotFound
	}
	if err := readJSON(ctx, tx, account, iam.RecordOIDCProvider, hostPath, &p); err != nil {
		return iam.OIDCProvider{}, err
	}
	if p.URL != hostPath {
		// Record names compare case-insensitively; issuers do not.
		return iam.OIDCProvider{}, ErrNotFound
	}
	return p, nil
}

// SAMLProviderByARN returns the account's SAML provider named by arn
// (arn:aws:iam::ACCOUNT:saml-provider/NAME). ErrNotFound for an ARN of another account, or no
// such provider. Its private keys stay sealed (iam.SAMLPrivateKeyAD gives their additional data).
func SAMLProviderByARN(ctx context.Context, tx Tx, account, arn string) (iam.SAMLProvider, error) {
	name, ok := iam.ProviderName(arn, account, "saml-provider")
	var p iam.SAMLProvider
	if !ok {
		return p, ErrNotFound
	}
	if err := readJSON(ctx, tx, account, iam.RecordSAMLProvider, name, &p); err != nil {
		return iam.SAMLProvider{}, err
	}
	return p, nil
}

func readJSON(ctx context.Context, tx Tx, account, kind, name string, v any) error {
	r, err := tx.Record(ctx, account, kind, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("store: decode %s %s: %w", kind, name, err)
	}
	return nil
}
