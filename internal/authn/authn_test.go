package authn

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
	"github.com/iamd/iamd/sigv4"
)

const (
	account    = "123456789012"
	rootKey    = "AKIAIOSFODNN7EXAMPLE"
	userKey    = "AKIAI44QH8DHBEXAMPLE"
	secret     = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	userSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
)

// countingStore is the real SQLite store, counting reads.
type countingStore struct {
	store.Store
	reads atomic.Int64
}

func (s *countingStore) Read(ctx context.Context, fn func(store.Tx) error) error {
	s.reads.Add(1)
	return s.Store.Read(ctx, fn)
}

func setup(t *testing.T) (*Authenticator, *countingStore) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k, _ := seal.GenerateKey(1)
	kr, err := seal.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: st}
	err = cs.Write(ctx, func(tx store.Tx) error {
		now := time.Now().UTC()
		if err := tx.CreateAccount(ctx, iam.Account{ID: account, CreateDate: now}); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, iam.User{Account: account, UserID: "AIDAEXAMPLEEXAMPLEEXA", UserName: "bob", Path: "/",
			Arn: "arn:aws:iam::" + account + ":user/bob", CreateDate: now}); err != nil {
			return err
		}
		for _, k := range []iam.AccessKey{
			{Account: account, AccessKeyID: rootKey, Status: iam.StatusActive, CreateDate: now, SecretSealed: kr.Seal([]byte(secret), SecretAD(rootKey))},
			{Account: account, UserName: "bob", AccessKeyID: userKey, Status: iam.StatusActive, CreateDate: now, SecretSealed: kr.Seal([]byte(userSecret), SecretAD(userKey))},
		} {
			if err := tx.CreateAccessKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Store: cs, Keyring: kr}), cs
}

func signed(t *testing.T, keyID, sec string) (*http.Request, []byte) {
	t.Helper()
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8777/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	h := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: sec},
		r, hex.EncodeToString(h[:]), "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}

func authenticate(t *testing.T, a *Authenticator, keyID, sec string) (*Principal, error) {
	r, body := signed(t, keyID, sec)
	return a.Authenticate(context.Background(), r, body, "sts", false)
}

func code(err error) string {
	if e, ok := awserr.As(err); ok {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestKeyCache checks that long-term keys resolve from the cache while the store is unchanged,
// and that any write makes the next request see the store's new answer.
func TestKeyCache(t *testing.T) {
	a, cs := setup(t)
	steps := []struct {
		name      string
		write     func(store.Tx) error // applied before the request
		key, sec  string
		wantCode  string
		wantARN   string
		wantReads int64 // store reads the request adds
	}{
		{name: "root, first", key: rootKey, sec: secret, wantARN: "arn:aws:iam::" + account + ":root", wantReads: 1},
		{name: "root, cached", key: rootKey, sec: secret, wantARN: "arn:aws:iam::" + account + ":root"},
		{name: "user, first", key: userKey, sec: userSecret, wantARN: "arn:aws:iam::" + account + ":user/bob", wantReads: 1},
		{name: "user, cached", key: userKey, sec: userSecret, wantARN: "arn:aws:iam::" + account + ":user/bob"},
		{name: "wrong secret, cached key", key: userKey, sec: secret, wantCode: sigv4.CodeSignatureDoesNotMatch},
		{name: "unknown key", key: "AKIAUNKNOWNUNKNOWN00", sec: secret, wantCode: sigv4.CodeInvalidClientTokenID, wantReads: 1},
		{name: "deactivated: refused at once",
			write: func(tx store.Tx) error {
				return tx.UpdateAccessKeyStatus(context.Background(), account, userKey, iam.StatusInactive)
			},
			key: userKey, sec: userSecret, wantCode: sigv4.CodeInvalidClientTokenID, wantReads: 1},
		{name: "reactivated",
			write: func(tx store.Tx) error {
				return tx.UpdateAccessKeyStatus(context.Background(), account, userKey, iam.StatusActive)
			},
			key: userKey, sec: userSecret, wantARN: "arn:aws:iam::" + account + ":user/bob", wantReads: 1},
		{name: "deleted: refused at once",
			write: func(tx store.Tx) error { return tx.DeleteAccessKey(context.Background(), account, userKey) },
			key:   userKey, sec: userSecret, wantCode: sigv4.CodeInvalidClientTokenID, wantReads: 1},
		{name: "root after writes, re-read", key: rootKey, sec: secret, wantARN: "arn:aws:iam::" + account + ":root", wantReads: 1},
	}
	for _, st := range steps {
		if st.write != nil {
			if err := cs.Write(context.Background(), st.write); err != nil {
				t.Fatalf("%s: write: %v", st.name, err)
			}
		}
		before := cs.reads.Load()
		p, err := authenticate(t, a, st.key, st.sec)
		if got := code(err); got != st.wantCode {
			t.Errorf("%s: error %q, want %q", st.name, got, st.wantCode)
		}
		if err == nil && p.ARN() != st.wantARN {
			t.Errorf("%s: ARN %s, want %s", st.name, p.ARN(), st.wantARN)
		}
		if got := cs.reads.Load() - before; got != st.wantReads {
			t.Errorf("%s: %d store reads, want %d", st.name, got, st.wantReads)
		}
	}
}

// TestKeyCacheConcurrent has readers authenticate while the key is switched on and off: every
// request that starts after a switch is committed sees it, whatever the readers cached meanwhile.
func TestKeyCacheConcurrent(t *testing.T) {
	a, cs := setup(t)
	stop := make(chan struct{})
	done := make(chan struct{})
	for range 3 {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				authenticate(t, a, userKey, userSecret) // either answer is right mid-switch
			}
		}()
	}
	for i := range 10 {
		status, want := iam.StatusInactive, sigv4.CodeInvalidClientTokenID
		if i%2 == 1 {
			status, want = iam.StatusActive, ""
		}
		err := cs.Write(context.Background(), func(tx store.Tx) error {
			return tx.UpdateAccessKeyStatus(context.Background(), account, userKey, status)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := authenticate(t, a, userKey, userSecret); code(err) != want {
			t.Errorf("after switch %d to %s: error %q, want %q", i, status, code(err), want)
		}
	}
	close(stop)
	for range 3 {
		<-done
	}
}
