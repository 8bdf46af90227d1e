package authn

import (
	"context"
	"errors"
	"sync"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/sigv4"
)

// GenerationCache is what a store implements when it can tell, without I/O, a counter that moves
// with every committed write this process can see (its own writes, and other processes' writes
// as soon as it learns of them). With it, a request signed with a long-term key costs no store
// query at all; without it, authn checks Store.Generation — one small query — instead of reading
// the key and its user. It is optional so that internal/store's contract need not change for it.
type GenerationCache interface {
	CachedGeneration() uint64
}

// maxCachedKeys bounds the cache's memory (a few hundred bytes an entry); beyond it the cache
// starts afresh, which costs one store read per key.
const maxCachedKeys = 1 << 18

// keyEntry is what a long-term access key resolves to. It is immutable once cached.
type keyEntry struct {
	gen     uint64
	key     iam.AccessKey
	user    keyUser
	secret  string
	rootARN string // for root keys, made once rather than per request
}

// keyUser is the part of an IAM user a principal needs.
type keyUser struct{ Arn, UserID, UserName string }

// keyCache remembers resolved access keys (with their opened secrets and users) for as long as
// the store's generation stays where it was when they were read: any write — a key deactivated
// or deleted, a user removed — makes every entry stale at once, so the cache never answers with
// something the store no longer says.
type keyCache struct {
	mu sync.RWMutex
	m  map[string]*keyEntry
}

// generation returns the store's current generation, as cheaply as the store allows.
func (a *Authenticator) generation(ctx context.Context) (uint64, error) {
	if gc, ok := a.cfg.Store.(GenerationCache); ok {
		return gc.CachedGeneration(), nil
	}
	return a.cfg.Store.Generation(ctx)
}

// lookup resolves an access key id, from the cache when it is current, else from the store.
func (c *keyCache) lookup(ctx context.Context, a *Authenticator, id string) (*keyEntry, error) {
	gen, err := a.generation(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	e := c.m[id]
	c.mu.RUnlock()
	if e != nil && e.gen == gen {
		return e, nil
	}
	// gen was taken before the read: a write that lands during it moves the generation past
	// gen, so the entry is stale at its first use rather than wrong.
	e, err = a.readKey(ctx, id)
	if err != nil {
		return nil, err
	}
	e.gen = gen
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedKeys {
		c.m = make(map[string]*keyEntry)
	}
	c.m[id] = e
	c.mu.Unlock()
	return e, nil
}

// readKey reads an active key, its user (for user keys) and opens its secret, in one read
// transaction.
func (a *Authenticator) readKey(ctx context.Context, id string) (*keyEntry, error) {
	e := &keyEntry{}
	err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		k, err := tx.AccessKey(ctx, id)
		if err != nil || k.Status != iam.StatusActive {
			return err
		}
		e.key = k
		if k.UserName != "" {
			u, err := tx.User(ctx, k.Account, k.UserName)
			if err != nil {
				return err
			}
			e.user = keyUser{Arn: u.Arn, UserID: u.UserID, UserName: u.UserName}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) || (err == nil && e.key.Status != iam.StatusActive) {
		return nil, sigv4.InvalidClientTokenID()
	}
	if err != nil {
		return nil, err
	}
	plain, err := a.cfg.Keyring.Open(e.key.SecretSealed, SecretAD(e.key.AccessKeyID))
	if err != nil {
		a.cfg.Logger.Error("access key secret does not open", "accessKeyId", e.key.AccessKeyID, "err", err)
		return nil, err
	}
	e.secret = string(plain)
	if e.key.UserName == "" {
		e.rootARN = iam.RootARN(e.key.Account)
	}
	e.key.SecretSealed = nil // the plaintext is kept; the sealed copy is not needed again
	return e, nil
}
