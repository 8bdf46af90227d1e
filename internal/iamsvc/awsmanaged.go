package iamsvc

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// SeedAWSManagedPolicies stores each AWS managed policy iamd ships (iam.AWSManagedPolicies) that
// the store does not hold yet. It is idempotent, so every node may run it at start; the service
// also runs it before its first operation, so a node that does not call it still answers with
// the policies present.
func (s *Service) SeedAWSManagedPolicies(ctx context.Context) error {
	err := s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		for _, m := range iam.AWSManagedPolicies() {
			p := m.Policy()
			_, err := tx.Policy(ctx, p.Arn)
			if err == nil {
				continue
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := tx.CreatePolicy(ctx, p, m.Document); err != nil {
				return fmt.Errorf("seed %s: %w", p.Arn, err)
			}
		}
		return nil
	})
	if err == nil {
		s.seeded.Store(true)
	}
	return err
}

// caller is the authenticated principal of the request, after making sure the AWS managed
// policies exist (one atomic load once they do).
func (s *Service) caller(ctx context.Context) (*authn.Principal, error) {
	if !s.seeded.Load() {
		if err := s.SeedAWSManagedPolicies(ctx); err != nil {
			return nil, err
		}
	}
	return caller(ctx)
}
