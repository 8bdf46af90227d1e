// Package seal is iamd's authenticated encryption: AES-256-GCM under a keyring of data keys, each
// tagged with a numeric id so that sealed values outlive key rotation. It seals session tokens,
// encoded authorization messages, and secrets at rest (access-key secrets, MFA seeds, signing
// keys); the data keys themselves are stored wrapped under a master key that never leaves the
// host (a 0600 file or an environment variable).
//
// A sealed value is uvarint(keyID) || nonce (12 bytes) || ciphertext || tag (16 bytes): 29 bytes
// of overhead for ids below 128, which matters because session tokens ride in presigned URLs.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
)

const (
	nonceSize = 12
	tagSize   = 16
)

// ErrInvalid is returned by Open for any value that does not authenticate: truncated, tampered
// with, sealed under an unknown key id or with different additional data. The cases are not told
// apart on purpose, so a caller cannot become an oracle.
var ErrInvalid = errors.New("seal: invalid sealed value")

// Key is one data key. Its String and LogValue never show the secret.
type Key struct {
	ID     uint32
	Secret [32]byte
}

// String redacts the secret so a Key printed by accident leaks nothing.
func (k Key) String() string { return fmt.Sprintf("seal.Key{ID:%d Secret:REDACTED}", k.ID) }

// GoString keeps %#v from printing the secret too.
func (k Key) GoString() string { return k.String() }

// LogValue redacts the secret in structured logs.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("id", k.ID), slog.String("secret", "REDACTED"))
}

// GenerateKey returns a fresh random key with the given id.
func GenerateKey(id uint32) (Key, error) {
	k := Key{ID: id}
	if _, err := rand.Read(k.Secret[:]); err != nil {
		return Key{}, fmt.Errorf("seal: generate key: %w", err)
	}
	return k, nil
}

// Keyring seals with its active key and opens with any of its keys. It is immutable after
// NewKeyring and therefore safe for concurrent use; rotation builds a new Keyring.
type Keyring struct {
	active   keyAEAD
	byID     map[uint32]cipher.AEAD
	activeID uint32
}

type keyAEAD struct {
	id     uint32
	aead   cipher.AEAD
	prefix []byte // uvarint(id), precomputed for Seal
}

func newAEAD(secret [32]byte) cipher.AEAD {
	block, err := aes.NewCipher(secret[:])
	if err != nil { // impossible for a 32-byte key
		panic("seal: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil { // impossible with the standard nonce and tag sizes
		panic("seal: " + err.Error())
	}
	return aead
}

// NewKeyring returns a keyring that seals with active and opens values sealed with active or
// any of previous. Duplicate ids are refused: an id must name exactly one secret.
func NewKeyring(active Key, previous ...Key) (*Keyring, error) {
	kr := &Keyring{byID: make(map[uint32]cipher.AEAD, 1+len(previous)), activeID: active.ID}
	for _, k := range append([]Key{active}, previous...) {
		if _, dup := kr.byID[k.ID]; dup {
			return nil, fmt.Errorf("seal: duplicate key id %d", k.ID)
		}
		kr.byID[k.ID] = newAEAD(k.Secret)
	}
	kr.active = keyAEAD{id: active.ID, aead: kr.byID[active.ID], prefix: binary.AppendUvarint(nil, uint64(active.ID))}
	return kr, nil
}

// ActiveID is the id of the key Seal uses.
func (k *Keyring) ActiveID() uint32 { return k.activeID }

// Overhead is how many bytes Seal adds to a plaintext.
func (k *Keyring) Overhead() int { return len(k.active.prefix) + nonceSize + tagSize }

// Seal encrypts and authenticates plaintext, binding additionalData (which is not stored).
func (k *Keyring) Seal(plaintext, additionalData []byte) []byte {
	return k.SealTo(make([]byte, 0, k.Overhead()+len(plaintext)), plaintext, additionalData)
}

// SealTo appends the sealed value to dst and returns the extended slice. With enough capacity
// in dst it does not allocate. dst must not overlap plaintext.
func (k *Keyring) SealTo(dst, plaintext, additionalData []byte) []byte {
	dst = append(dst, k.active.prefix...)
	n := len(dst)
	dst = append(dst, make([]byte, nonceSize)...)
	nonce := dst[n : n+nonceSize]
	// A random 96-bit nonce is safe for about 2^32 seals per key; keys rotate long before that.
	if _, err := rand.Read(nonce); err != nil {
		panic("seal: crypto/rand failed: " + err.Error()) // crypto/rand.Read never fails on supported platforms
	}
	return k.active.aead.Seal(dst, nonce, plaintext, additionalData)
}

// Open authenticates and decrypts a value made by Seal with any key of the ring.
func (k *Keyring) Open(sealed, additionalData []byte) ([]byte, error) {
	return k.OpenTo(nil, sealed, additionalData)
}

// OpenTo appends the plaintext to dst. With enough capacity in dst it does not allocate.
func (k *Keyring) OpenTo(dst, sealed, additionalData []byte) ([]byte, error) {
	id, n := binary.Uvarint(sealed)
	if n <= 0 || id > 0xffffffff {
		return nil, ErrInvalid
	}
	aead, ok := k.byID[uint32(id)]
	if !ok || len(sealed)-n < nonceSize+tagSize {
		return nil, ErrInvalid
	}
	nonce := sealed[n : n+nonceSize]
	out, err := aead.Open(dst, nonce, sealed[n+nonceSize:], additionalData)
	if err != nil {
		return nil, ErrInvalid
	}
	return out, nil
}

// KeyID reports which key sealed a value, without authenticating it.
func KeyID(sealed []byte) (uint32, bool) {
	id, n := binary.Uvarint(sealed)
	if n <= 0 || id > 0xffffffff {
		return 0, false
	}
	return uint32(id), true
}
