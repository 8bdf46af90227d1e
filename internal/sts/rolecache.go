package sts

import (
	"context"
	"strings"
	"sync"

	"github.com/iamd/iamd/internal/iam"
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

// role returns the role name of account, as the store has it now.
func (s *Service) role(ctx context.Context, account, name string) (iam.Role, error) {
	gen, err := s.cfg.Store.Generation(ctx)
	if err != nil {
		return iam.Role{}, err
	}
	key := account + "/" + strings.ToLower(name)
	c := &s.roles
	c.mu.Lock()
	if c.gen != gen || c.roles == nil || len(c.roles) >= maxCachedRoles {
		c.roles, c.gen = map[string]iam.Role{}, gen
	}
	r, ok := c.roles[key]
	c.mu.Unlock()
	if ok {
		return r, nil
	}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		r, err = tx.Role(ctx, account, name)
		return err
	})
	if err != nil {
		return r, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.roles[key] = r
	}
	c.mu.Unlock()
	return r, nil
}
