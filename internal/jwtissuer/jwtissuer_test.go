package jwtissuer_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/iamd/iamd/internal/jwtissuer"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
)

func newStore(t *testing.T) (store.Store, *seal.Keyring) {
	t.Helper()
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "iamd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k, err := seal.GenerateKey(1)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := seal.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	return st, kr
}

func keySet(t *testing.T, iss *jwtissuer.Issuer) jose.JSONWebKeySet {
	t.Helper()
	b, err := iss.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			t.Fatalf("JWKS holds a private key: %s", k.KeyID)
		}
	}
	return set
}

// verify checks tok against set as a relying party would: by the kid in its header.
func verify(t *testing.T, tok string, set jose.JSONWebKeySet) ([]byte, error) {
	t.Helper()
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES384})
	if err != nil {
		return nil, err
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := set.Key(kid)
	if len(keys) != 1 {
		return nil, errors.New("kid " + kid + " not in the JWKS")
	}
	if jws.Signatures[0].Header.Algorithm != keys[0].Algorithm {
		return nil, errors.New("alg differs from the key's")
	}
	return jws.Verify(keys[0])
}

func TestSignVerify(t *testing.T) {
	st, kr := newStore(t)
	iss := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr})
	ctx := context.Background()
	payload := []byte(`{"sub":"x"}`)
	for _, alg := range jwtissuer.Algorithms {
		t.Run(alg, func(t *testing.T) {
			tok, err := iss.Sign(ctx, alg, payload)
			if err != nil {
				t.Fatal(err)
			}
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			if typ := jws.Signatures[0].Header.ExtraHeaders["typ"]; typ != "JWT" {
				t.Errorf("typ = %v", typ)
			}
			got, err := verify(t, tok, keySet(t, iss))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(payload) {
				t.Errorf("payload = %s", got)
			}
		})
	}
	if _, err := iss.Sign(ctx, "HS256", payload); !errors.Is(err, jwtissuer.ErrAlgorithm) {
		t.Errorf("HS256: err = %v", err)
	}
	if n := len(keySet(t, iss).Keys); n != 2 {
		t.Errorf("JWKS has %d keys, want 2 (one per algorithm)", n)
	}
}

// A second issuer on the same store (another node, or a restart) uses the stored keys: its
// tokens verify with the first one's JWKS, and the private keys were read back from the seal.
func TestKeysPersist(t *testing.T) {
	st, kr := newStore(t)
	ctx := context.Background()
	a := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr})
	b := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	toks := make([]string, 2)
	for i, iss := range []*jwtissuer.Issuer{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], errs[i] = iss.Sign(ctx, jwtissuer.ES384, []byte(`{}`))
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
	}
	set := keySet(t, a)
	for _, tok := range toks {
		if _, err := verify(t, tok, set); err != nil {
			t.Errorf("concurrent first use: %v", err)
		}
	}
	c := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr})
	tok, err := c.Sign(ctx, jwtissuer.RS256, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify(t, tok, set); err != nil {
		t.Errorf("restarted issuer: %v", err)
	}
	// Without the keyring that sealed them the stored keys are unusable, not silently replaced.
	k2, err := seal.GenerateKey(2)
	if err != nil {
		t.Fatal(err)
	}
	kr2, err := seal.NewKeyring(k2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr2}).Sign(ctx, jwtissuer.RS256, []byte(`{}`)); err == nil {
		t.Error("signing with keys sealed under another keyring succeeded")
	}
}

func TestRotate(t *testing.T) {
	st, kr := newStore(t)
	ctx := context.Background()
	iss := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr, Now: func() time.Time { return time.Unix(1.8e9, 0) }})
	first, err := iss.Sign(ctx, jwtissuer.RS256, []byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := iss.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := iss.Sign(ctx, jwtissuer.RS256, []byte(`{"n":2}`))
	if err != nil {
		t.Fatal(err)
	}
	kid := func(tok string) string {
		jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		return jws.Signatures[0].Header.KeyID
	}
	if kid(first) == kid(second) {
		t.Fatal("rotation kept the same active key")
	}
	set := keySet(t, iss)
	if len(set.Keys) != 4 {
		t.Errorf("after one rotation the JWKS has %d keys, want 4", len(set.Keys))
	}
	for name, tok := range map[string]string{"before rotation": first, "after rotation": second} {
		if _, err := verify(t, tok, set); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for range jwtissuer.KeepRetired {
		if err := iss.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	set = keySet(t, iss)
	if want := 2 * (1 + jwtissuer.KeepRetired); len(set.Keys) != want {
		t.Errorf("JWKS has %d keys, want %d", len(set.Keys), want)
	}
	if _, err := verify(t, first, set); err == nil {
		t.Errorf("a key retired %d rotations ago still verifies", jwtissuer.KeepRetired+1)
	}
}

// Signing replaces keys older than RotateAfter, once, and keeps the old ones published.
func TestRotateAfter(t *testing.T) {
	st, kr := newStore(t)
	ctx := context.Background()
	now := time.Unix(1.8e9, 0)
	clock := func() time.Time { return now }
	a := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr, Now: clock, RotateAfter: time.Hour})
	b := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr, Now: clock, RotateAfter: time.Hour})
	kid := func(iss *jwtissuer.Issuer) string {
		t.Helper()
		tok, err := iss.Sign(ctx, jwtissuer.ES384, []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES384})
		if err != nil {
			t.Fatal(err)
		}
		return jws.Signatures[0].Header.KeyID
	}
	first := kid(a)
	now = now.Add(59 * time.Minute)
	if got := kid(b); got != first {
		t.Fatalf("rotated before RotateAfter: %s then %s", first, got)
	}
	now = now.Add(2 * time.Minute)
	second := kid(a)
	if second == first {
		t.Fatal("keys older than RotateAfter were not rotated")
	}
	if got := kid(b); got != second {
		t.Errorf("the other issuer rotated again: %s, want %s", got, second)
	}
	if n := len(keySet(t, b).Keys); n != 4 {
		t.Errorf("JWKS has %d keys after one rotation, want 4", n)
	}
}

// A stored key set that does not decode is an error, never a panic or a silent new key set.
func TestCorruptKeySet(t *testing.T) {
	st, kr := newStore(t)
	ctx := context.Background()
	iss := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr})
	if _, err := iss.JWKS(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, data string }{
		{name: "not JSON", data: "{"},
		{name: "private key not sealed", data: `{"keys":[{"id":"k","alg":"RS256","created":"2100-01-01T00:00:00Z","private":"AAAA"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Write(ctx, func(tx store.Tx) error {
				return tx.UpdateRecord(ctx, store.Record{Kind: "outbound-jwt-keys", Name: "signing-keys", Data: []byte(tc.data)})
			})
			if err != nil {
				t.Fatal(err)
			}
			fresh := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr})
			if _, err := fresh.Sign(ctx, jwtissuer.RS256, []byte(`{}`)); err == nil {
				t.Error("Sign succeeded")
			}
			if _, err := fresh.JWKS(ctx); err == nil {
				t.Error("JWKS succeeded")
			}
		})
	}
}

// BenchmarkSign measures one token per algorithm with warm keys (a store read, no unsealing).
func BenchmarkSign(b *testing.B) {
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "iamd.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	k, _ := seal.GenerateKey(1)
	kr, _ := seal.NewKeyring(k)
	iss := jwtissuer.New(jwtissuer.Config{Store: st, Keyring: kr})
	payload := []byte(`{"iss":"https://iamd.example/outbound-federation/x","sub":"arn:aws:iam::123456789012:user/u","aud":"https://rp.example"}`)
	for _, alg := range jwtissuer.Algorithms {
		b.Run(alg, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				if _, err := iss.Sign(ctx, alg, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
