// Package iamsvc implements the IAM API operations: AWS's business rules, validation beyond the
// model's constraints, quotas, Marker/MaxItems paging and AWS's error wording, over the store.
// Operations it does not implement yet answer NotImplemented through the embedded
// iamapi.Unimplemented.
package iamsvc

import (
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
)

// Config is what the service needs.
type Config struct {
	Store store.Store
	// Keyring seals access-key secrets at rest.
	Keyring *seal.Keyring
	// Authz compiles policy documents (validation shares its cache).
	Authz *authz.Authorizer
	Now   func() time.Time
}

// Service implements iamapi.Service.
type Service struct {
	iamapi.Unimplemented
	cfg Config
}

var _ iamapi.Service = (*Service)(nil)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}
