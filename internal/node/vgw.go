package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/vgw"
)

// Versitygw returns the handler of the versitygw private IAM protocol (internal/vgw) for
// account ("" means the node's account): iamd as the IAM authority of versitygw gateways,
// whose requests its root user signs. serverVersion is what /private/version reports; logger
// receives iamd's own failures.
func (n *Node) Versitygw(ctx context.Context, account, serverVersion string, logger *slog.Logger) (*vgw.Handler, error) {
	if account == "" {
		account = n.Account
	}
	err := n.Store.Read(ctx, func(tx store.Tx) error {
		_, err := tx.Account(ctx, account)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("versitygw: no account %s in this installation", account)
	}
	if err != nil {
		return nil, err
	}
	return vgw.New(vgw.Config{Authn: n.authn, Authz: n.authz, Store: n.Store, Account: account,
		ServerVersion: serverVersion, Now: n.now, Logger: logger}), nil
}
