package iamsvc

import (
	"context"
	"errors"
	"net/http"
	"strings"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/store"
)

// Outbound web identity federation: an account that enables it gets an issuer URL of its own,
// under which STS's GetWebIdentityToken would sign JWTs and publish its discovery document and
// keys. The state is one account setting; the issuer is made once and kept across Disable and
// Enable, so relying parties configured with it keep working when the feature returns.

// settingOutboundFederation names the account setting record.
const settingOutboundFederation = "outbound-web-identity-federation"

// DefaultIssuerBase is the issuer base when Config.IssuerBase is empty. The .invalid name (RFC
// 2606) makes plain that the node was not told the URL relying parties reach it under.
const DefaultIssuerBase = "https://iamd.invalid"

// outboundFederation is the stored setting.
type outboundFederation struct {
	Issuer  string
	Enabled bool
}

func featureEnabled() error {
	return awserr.New(http.StatusConflict, "FeatureEnabled",
		"The request failed because outbound identity federation is already enabled for your Amazon Web Services account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation.")
}

func featureDisabled() error {
	return awserr.New(http.StatusNotFound, "FeatureDisabled",
		"The request failed because outbound identity federation is already disabled for your Amazon Web Services account. You cannot disable the feature multiple times")
}

func (s *Service) issuerFor(id string) string {
	base := strings.TrimRight(s.cfg.IssuerBase, "/")
	if base == "" {
		base = DefaultIssuerBase
	}
	return base + "/outbound-federation/" + id
}

// EnableOutboundWebIdentityFederation turns the feature on and returns the account's issuer.
func (s *Service) EnableOutboundWebIdentityFederation(ctx context.Context, _ *iamapi.EnableOutboundWebIdentityFederationInput) (*iamapi.EnableOutboundWebIdentityFederationOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	var f outboundFederation
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		f = outboundFederation{}
		err := readRecord(ctx, tx, account, kindSetting, settingOutboundFederation, &f, store.ErrNotFound)
		create := errors.Is(err, store.ErrNotFound)
		if err != nil && !create {
			return err
		}
		if f.Enabled {
			return featureEnabled()
		}
		if f.Issuer == "" {
			f.Issuer = s.issuerFor(newJobID())
		}
		f.Enabled = true
		return writeRecord(ctx, tx, create, account, kindSetting, settingOutboundFederation, "", f)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.EnableOutboundWebIdentityFederationOutput{IssuerIdentifier: f.Issuer}, nil
}

// DisableOutboundWebIdentityFederation turns the feature off, keeping the issuer.
func (s *Service) DisableOutboundWebIdentityFederation(ctx context.Context, _ *iamapi.DisableOutboundWebIdentityFederationInput) (*iamapi.DisableOutboundWebIdentityFederationOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var f outboundFederation
		if err := readRecord(ctx, tx, account, kindSetting, settingOutboundFederation, &f, featureDisabled()); err != nil {
			return err
		}
		if !f.Enabled {
			return featureDisabled()
		}
		f.Enabled = false
		return writeRecord(ctx, tx, false, account, kindSetting, settingOutboundFederation, "", f)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DisableOutboundWebIdentityFederationOutput{}, nil
}

// GetOutboundWebIdentityFederationInfo returns the issuer and whether tokens are vended. An
// account that never enabled the feature has no issuer: FeatureDisabled.
func (s *Service) GetOutboundWebIdentityFederationInfo(ctx context.Context, _ *iamapi.GetOutboundWebIdentityFederationInfoInput) (*iamapi.GetOutboundWebIdentityFederationInfoOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	issuer, enabled, err := s.OutboundIssuer(ctx, c.Account())
	if err != nil {
		return nil, err
	}
	return &iamapi.GetOutboundWebIdentityFederationInfoOutput{IssuerIdentifier: issuer, JwtVendingEnabled: ptr(enabled)}, nil
}

// OutboundIssuer returns the account's outbound federation issuer and whether the feature is
// enabled, for STS's GetWebIdentityToken; an account that never enabled it is FeatureDisabled.
func (s *Service) OutboundIssuer(ctx context.Context, account string) (issuer string, enabled bool, err error) {
	var f outboundFederation
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		return readRecord(ctx, tx, account, kindSetting, settingOutboundFederation, &f, featureDisabled())
	})
	return f.Issuer, f.Enabled, err
}
