package iamsvc

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Record kinds (store.Record.Kind). Each is its own name space within an account.
const (
	kindLoginProfile = "login-profile"        // name: the user's unique id
	kindSetting      = "account-setting"      // name: the setting
	kindMFA          = "mfa-device"           // name: the device name (virtual) or serial number
	kindOIDC         = iam.RecordOIDCProvider // name: the ARN's resource part after oidc-provider/
	kindSAML         = iam.RecordSAMLProvider // name: the provider name
	kindAlias        = "account-alias"        // name: the alias
	kindSigningCert  = "signing-cert"         // name: the certificate id
	kindSSHKey       = "ssh-key"              // name: the key id
	kindServerCert   = "server-cert"          // name: the certificate name
	kindServiceCred  = "service-cred"         // name: the credential id
	kindDeletionTask = "slr-deletion-task"    // name: the UUID ending the deletion task id
	kindServiceUse   = "service-access"       // name: the user's or role's unique id (no owner)
	kindAccessReport = "access-report"        // name: the job id
)

const settingPasswordPolicy = "password-policy"

// readRecord decodes the record into v; a missing record is the error missing.
func readRecord(ctx context.Context, tx store.Tx, account, kind, name string, v any, missing error) error {
	r, err := tx.Record(ctx, account, kind, name)
	if err != nil {
		return notFound(err, missing)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("iamsvc: decode %s %s: %w", kind, name, err)
	}
	return nil
}

// writeRecord stores v as the record (account, kind, name), creating it or replacing it.
func writeRecord(ctx context.Context, tx store.Tx, create bool, account, kind, name, owner string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	r := store.Record{Account: account, Kind: kind, Name: name, OwnerID: owner, Data: data}
	if create {
		return tx.CreateRecord(ctx, r)
	}
	return tx.UpdateRecord(ctx, r)
}

// decodeRecords decodes each record's data as a T.
func decodeRecords[T any](rs []store.Record) ([]T, error) {
	out := make([]T, len(rs))
	for i, r := range rs {
		if err := json.Unmarshal(r.Data, &out[i]); err != nil {
			return nil, fmt.Errorf("iamsvc: decode %s %s: %w", r.Kind, r.Name, err)
		}
	}
	return out, nil
}
