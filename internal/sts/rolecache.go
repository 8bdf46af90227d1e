package sts

import (
	"context"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/principals"
	"github.com/iamd/iamd/internal/store"
)

// maxCachedRoles bounds the role cache; beyond it the cache starts afresh.
const maxCachedRoles = 100_000

// role returns the role name of account, as the store has it now, with its trust policy as IAM
// evaluates it now: principals it names that were deleted since no longer match anyone. Roles
// are cached until the store's generation moves (any write), so the common case — the same roles
// assumed again and again — reads nothing from the store.
func (s *Service) role(ctx context.Context, account, name string) (iam.Role, error) {
	gen, err := s.cfg.Store.Generation(ctx)
	if err != nil {
		return iam.Role{}, err
	}
	// The key is built on the stack: a hit, the common case, allocates nothing.
	var kb [128]byte
	key := iam.AppendFoldedName(append(append(kb[:0], account...), '/'), name)
	if r, ok := s.roles.GetBytes(gen, key); ok {
		return r, nil
	}
	var r iam.Role // read through a closure, so it lives on the heap: only on a miss
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if r, err = tx.Role(ctx, account, name); err != nil {
			return err
		}
		r.AssumeRolePolicyDocument, err = principals.TrustPolicy(ctx, tx, r)
		return err
	})
	if err != nil {
		return r, err
	}
	s.roles.Put(gen, string(key), r)
	return r, nil
}
