package authn

import (
	"context"
	"errors"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/sigv4"
)

// maxCachedKeys bounds the caches' memory (a few hundred bytes an entry); beyond it a cache
// starts afresh, which costs one store read per key.
const maxCachedKeys = 1 << 18

// keyEntry is what a long-term access key resolves to. It is immutable once cached.
type keyEntry struct {
	key     iam.AccessKey
	user    keyUser
	secret  string
	rootARN string // for root keys, made once rather than per request
}

// keyUser is the part of an IAM user a principal needs.
type keyUser struct{ Arn, UserID, UserName string }

// generation returns the store's current generation (a cheap call: the store keeps it in
// memory and polls for other nodes' writes at most every 100 ms).
func (a *Authenticator) generation(ctx context.Context) (uint64, error) {
	return a.cfg.Store.Generation(ctx)
}

// lookupKey resolves an access key id, from the cache while the store's generation stays where
// it was when the key was read — any write (a key deactivated or deleted, a user removed) makes
// every entry stale at once — else from the store.
func (a *Authenticator) lookupKey(ctx context.Context, id string) (*keyEntry, error) {
	gen, err := a.generation(ctx)
	if err != nil {
		return nil, err
	}
	if e, ok := a.keys.Get(gen, id); ok {
		return e, nil
	}
	e, err := a.readKey(ctx, id)
	if err != nil {
		return nil, err
	}
	a.keys.Put(gen, id, e)
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
