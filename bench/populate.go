//go:build ignore

// populate fills an iamd data directory with users (two access keys each) and roles for the
// scale measurements in docs/BENCHMARKS.md, writing straight to the store in large
// transactions (through the API it would take far longer than the measurement). It prints one
// user key and the last role (which trusts that user) as KEY_ID SECRET ROLE_ARN for `iamd bench`. Run it on a data directory iamd has started on
// once (so the account and the keyring exist) and that no server is using:
//
//	go run bench/populate.go -data DIR -users 100000 -roles 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"path/filepath"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
)

func main() {
	data := flag.String("data", "", "iamd data directory")
	users := flag.Int("users", 1000, "users to add (each with two access keys)")
	roles := flag.Int("roles", 1000, "roles to add")
	batch := flag.Int("batch", 2000, "entities per write transaction")
	flag.Parse()
	ctx := context.Background()
	master, _, err := seal.LoadOrCreateMasterKey(filepath.Join(*data, "master.key"))
	if err != nil {
		log.Fatal(err)
	}
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(*data, "iamd.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	var kr *seal.Keyring
	var account string
	err = st.Read(ctx, func(tx store.Tx) error {
		keys, err := tx.SealKeys(ctx)
		if err != nil || len(keys) == 0 {
			return fmt.Errorf("no seal keys (start iamd on the directory once first): %v", err)
		}
		k, err := seal.Unwrap(master, keys[len(keys)-1].Wrapped)
		if err != nil {
			return err
		}
		if kr, err = seal.NewKeyring(k); err != nil {
			return err
		}
		accts, err := tx.Accounts(ctx)
		if err != nil || len(accts) == 0 {
			return fmt.Errorf("no account: %v", err)
		}
		account = accts[0].ID
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	stamp := time.Now().UnixNano() % 1e9
	now := time.Now().UTC().Truncate(time.Second)
	// Every role trusts the first user, whose key is printed, so AssumeRole can be measured on
	// any of them (through the API, the account's role quota would stop the run far earlier).
	first := fmt.Sprintf("scale-u%d-%d", stamp, 0)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` +
		iam.UserARN(account, "/", first) + `"},"Action":"sts:AssumeRole"}]}`
	var sampleID, sampleSecret, sampleRole string
	start := time.Now()
	for done := 0; done < max(*users, *roles); done += *batch {
		err := st.Write(ctx, func(tx store.Tx) error {
			for i := done; i < done+*batch; i++ {
				if i < *users {
					name := fmt.Sprintf("scale-u%d-%d", stamp, i)
					u := iam.User{Account: account, UserID: iam.NewID(iam.PrefixUser), UserName: name, Path: "/",
						Arn: iam.UserARN(account, "/", name), CreateDate: now}
					if err := tx.CreateUser(ctx, u); err != nil {
						return err
					}
					for range 2 {
						id, err := iam.NewAccessKeyID("AKIA", account)
						if err != nil {
							return err
						}
						secret := iam.NewSecretAccessKey()
						k := iam.AccessKey{Account: account, UserName: name, AccessKeyID: id, Status: iam.StatusActive,
							CreateDate: now, SecretSealed: kr.Seal([]byte(secret), authn.SecretAD(id))}
						if err := tx.CreateAccessKey(ctx, k); err != nil {
							return err
						}
						if sampleID == "" {
							sampleID, sampleSecret = id, secret
						}
					}
				}
				if i < *roles {
					name := fmt.Sprintf("scale-r%d-%d", stamp, i)
					r := iam.Role{Account: account, RoleID: iam.NewID(iam.PrefixRole), RoleName: name, Path: "/",
						Arn: iam.RoleARN(account, "/", name), CreateDate: now, AssumeRolePolicyDocument: trust,
						MaxSessionDuration: 3600}
					if err := tx.CreateRole(ctx, r); err != nil {
						return err
					}
					sampleRole = r.Arn
				}
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("added %d users, %d access keys, %d roles in %v", *users, 2**users, *roles, time.Since(start).Round(time.Millisecond))
	fmt.Println(sampleID, sampleSecret, sampleRole)
}
