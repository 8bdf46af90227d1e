package sts

import (
	"context"
	"sync"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/principals"
	"github.com/iamd/iamd/internal/store"
)

// roleCache keeps roles read for AssumeRole until the store's generation moves (any write), so
// the common case — the same roles assumed again and again — reads nothing from the store.
type roleCache struct {
	mu    sync.Mutex
	gen   uint64
	roles map[string]iam.Role
}

const maxCachedRoles = 100_000

// role returns the role name of account, as the store has it now, with its trust policy as IAM
// evaluates it now: principals it names that were deleted since no longer match anyone.
func (s *Service) role(ctx context.Context, account, name string) (iam.Role, error) {
	gen, err := s.cfg.Store.Generation(ctx)
	if err != nil {
		return iam.Role{}, err
	}
	// The key is built on the stack: a hit, the common case, allocates nothing.
	var kb [128]byte
	key := iam.AppendFoldedName(append(append(kb[:0], account...), '/'), name)
	c := &s.roles
	c.mu.Lock()
	if c.gen != gen || c.roles == nil || len(c.roles) >= maxCachedRoles {
		c.roles, c.gen = map[string]iam.Role{}, gen
	}
	cached, ok := c.roles[string(key)]
	c.mu.Unlock()
	if ok {
		return cached, nil
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
	c.mu.Lock()
	if c.gen == gen {
		c.roles[string(key)] = r
	}
	c.mu.Unlock()
	return r, nil
}
