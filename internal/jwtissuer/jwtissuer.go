// Package jwtissuer holds iamd's token-signing keys for outbound web identity federation (STS
// GetWebIdentityToken): it creates one RS256 and one ES384 key per installation on first use,
// keeps their private halves sealed in the store, signs JWTs with the active key of an algorithm,
// and publishes the public keys, retired ones included, as a JWKS so that tokens signed before a
// rotation still verify until they expire.
package jwtissuer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
)

// The algorithms GetWebIdentityToken offers.
const (
	RS256 = "RS256"
	ES384 = "ES384"
)

// Algorithms lists the supported algorithms, in the order the discovery document names them.
var Algorithms = []string{RS256, ES384}

// KeepRetired is how many retired keys per algorithm stay in the JWKS after a rotation. Tokens
// live at most an hour, so one would do for rotations an hour apart; two leave room for quicker
// ones.
const KeepRetired = 2

// The record holding the key set. Keys belong to the installation, not to an account, so the
// record's account is empty (no account id is empty).
const (
	recordKind = "outbound-jwt-keys"
	recordName = "signing-keys"
)

// ErrAlgorithm is returned for an algorithm other than RS256 and ES384.
var ErrAlgorithm = errors.New("jwtissuer: unsupported signing algorithm")

// storedKey is one key as stored; Private is the PKCS #8 DER, sealed.
type storedKey struct {
	ID         string    `json:"id"`
	Alg        string    `json:"alg"`
	CreateDate time.Time `json:"created"`
	Private    []byte    `json:"private"`
}

// keySet is the stored record: per algorithm, the active key first, then the retired ones.
type keySet struct {
	Keys []storedKey `json:"keys"`
}

// DefaultRotateAfter is how old the active keys get before signing replaces them.
const DefaultRotateAfter = 30 * 24 * time.Hour

// Config is what an Issuer needs.
type Config struct {
	Store   store.Store
	Keyring *seal.Keyring
	Now     func() time.Time
	// RotateAfter is the age at which Sign rotates the keys (0 means DefaultRotateAfter).
	RotateAfter time.Duration
}

// Issuer signs tokens. Every call reads the key set from the store (one small record), so nodes
// sharing a database see each other's rotations at once; unsealed private keys are cached by id.
type Issuer struct {
	cfg Config

	mu      sync.Mutex
	private map[string]crypto.Signer
}

// New returns an issuer; keys are made on first use.
func New(cfg Config) *Issuer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RotateAfter <= 0 {
		cfg.RotateAfter = DefaultRotateAfter
	}
	return &Issuer{cfg: cfg, private: map[string]crypto.Signer{}}
}

func keyAD(id string) []byte { return []byte("jwt signing key " + id) }

// generate makes a key of alg with its RFC 7638 thumbprint as key id.
func (i *Issuer) generate(alg string) (storedKey, crypto.Signer, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES384:
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		return storedKey{}, nil, ErrAlgorithm
	}
	if err != nil {
		return storedKey{}, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return storedKey{}, nil, err
	}
	tp, err := (&jose.JSONWebKey{Key: priv.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return storedKey{}, nil, err
	}
	id := base64.RawURLEncoding.EncodeToString(tp)
	return storedKey{ID: id, Alg: alg, CreateDate: i.cfg.Now().UTC(), Private: i.cfg.Keyring.Seal(der, keyAD(id))}, priv, nil
}

// load returns the key set, creating it (one key per algorithm) when absent. When the active
// keys were made before rotateBefore (a zero time never rotates), it adds a new active key per
// algorithm and drops retired keys beyond KeepRetired. The age is checked again inside the write
// transaction, so nodes that see old keys at once rotate them once.
func (i *Issuer) load(ctx context.Context, rotateBefore time.Time) (keySet, error) {
	var ks keySet
	read := func(tx store.Tx) (bool, error) {
		ks = keySet{}
		r, err := tx.Record(ctx, "", recordKind, recordName)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if err := json.Unmarshal(r.Data, &ks); err != nil {
			return false, fmt.Errorf("jwtissuer: stored key set: %w", err)
		}
		return true, nil
	}
	due := func() bool { return len(ks.Keys) == 0 || ks.Keys[0].CreateDate.Before(rotateBefore) }
	var found bool
	err := i.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		found, err = read(tx)
		return err
	})
	if err != nil || (found && !due()) {
		return ks, err
	}
	// Keys are generated outside the transaction: RSA generation takes long enough that holding
	// SQLite's write lock for it would stall other writers.
	fresh := map[string]storedKey{}
	for _, alg := range Algorithms {
		k, priv, err := i.generate(alg)
		if err != nil {
			return ks, err
		}
		fresh[alg] = k
		i.mu.Lock()
		i.private[k.ID] = priv
		i.mu.Unlock()
	}
	err = i.cfg.Store.Write(ctx, func(tx store.Tx) error {
		found, err := read(tx)
		if err != nil {
			return err
		}
		if found && !due() {
			return nil // another node made or rotated the keys meanwhile: theirs stand
		}
		ks = rotated(ks, fresh)
		data, err := json.Marshal(ks)
		if err != nil {
			return err
		}
		rec := store.Record{Kind: recordKind, Name: recordName, Data: data}
		if found {
			return tx.UpdateRecord(ctx, rec)
		}
		return tx.CreateRecord(ctx, rec)
	})
	return ks, err
}

// rotated puts each algorithm's fresh key first and keeps at most KeepRetired older ones.
func rotated(old keySet, fresh map[string]storedKey) keySet {
	var out keySet
	for _, alg := range Algorithms {
		out.Keys = append(out.Keys, fresh[alg])
		kept := 0
		for _, k := range old.Keys {
			if k.Alg == alg && kept < KeepRetired {
				out.Keys = append(out.Keys, k)
				kept++
			}
		}
	}
	return out
}

// Rotate makes a new active key per algorithm; the previous ones stay in the JWKS.
func (i *Issuer) Rotate(ctx context.Context) error {
	// Keys made up to now are due; the nanosecond covers keys made at this very instant.
	_, err := i.load(ctx, i.cfg.Now().Add(time.Nanosecond))
	return err
}

// signer returns the unsealed private key of k.
func (i *Issuer) signer(k storedKey) (crypto.Signer, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if s, ok := i.private[k.ID]; ok {
		return s, nil
	}
	der, err := i.cfg.Keyring.Open(k.Private, keyAD(k.ID))
	if err != nil {
		return nil, fmt.Errorf("jwtissuer: key %s: %w", k.ID, err)
	}
	p, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("jwtissuer: key %s: %w", k.ID, err)
	}
	s, ok := p.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("jwtissuer: key %s is not a signing key", k.ID)
	}
	i.private[k.ID] = s
	return s, nil
}

// Sign signs payload, the JSON claims, as a compact JWS of type JWT with alg's active key.
func (i *Issuer) Sign(ctx context.Context, alg string, payload []byte) (string, error) {
	if alg != RS256 && alg != ES384 {
		return "", ErrAlgorithm
	}
	ks, err := i.load(ctx, i.cfg.Now().Add(-i.cfg.RotateAfter))
	if err != nil {
		return "", err
	}
	for _, k := range ks.Keys {
		if k.Alg != alg {
			continue
		}
		priv, err := i.signer(k)
		if err != nil {
			return "", err
		}
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: priv, KeyID: k.ID}},
			(&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			return "", err
		}
		jws, err := sig.Sign(payload)
		if err != nil {
			return "", err
		}
		return jws.CompactSerialize()
	}
	return "", fmt.Errorf("jwtissuer: no %s key in the stored key set", alg)
}

// JWKS returns the public keys, active and retired, as a JSON Web Key Set document.
func (i *Issuer) JWKS(ctx context.Context) ([]byte, error) {
	ks, err := i.load(ctx, time.Time{})
	if err != nil {
		return nil, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range ks.Keys {
		priv, err := i.signer(k)
		if err != nil {
			return nil, err
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: priv.Public(), KeyID: k.ID, Algorithm: k.Alg, Use: "sig"})
	}
	return json.Marshal(set)
}
