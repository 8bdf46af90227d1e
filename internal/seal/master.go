package seal

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// wrapAD binds wrapped data keys to their purpose, so a wrapped key cannot be confused with any
// other value sealed under the master key.
var wrapAD = []byte("iamd seal: wrapped data key v1")

const wrapVersion = 1

// ParseMasterKey decodes a base64 (standard or URL alphabet, padded or not) master key of exactly
// 32 bytes. Surrounding whitespace is ignored, so a key read from a file with a newline works.
func ParseMasterKey(s string) ([32]byte, error) {
	var key [32]byte
	s = strings.TrimSpace(s)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return key, errors.New("seal: master key is not valid base64")
	}
	if len(raw) != len(key) {
		return key, fmt.Errorf("seal: master key must be 32 bytes, got %d", len(raw))
	}
	copy(key[:], raw)
	return key, nil
}

// LoadOrCreateMasterKey reads the base64 master key at path, or, if the file does not exist,
// creates it with 32 random bytes and mode 0600 and reports created. An existing file that group
// or others may read is refused: a leaked master key exposes every secret at rest.
func LoadOrCreateMasterKey(path string) (key [32]byte, created bool, err error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		fi, err := os.Stat(path)
		if err != nil {
			return key, false, fmt.Errorf("seal: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return key, false, fmt.Errorf("seal: master key file %s has mode %v; want 0600 (chmod 600 it)", path, fi.Mode().Perm())
		}
		key, err = ParseMasterKey(string(data))
		if err != nil {
			return key, false, fmt.Errorf("%w (file %s)", err, path)
		}
		return key, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return key, false, fmt.Errorf("seal: read master key: %w", err)
	}
	if _, err := rand.Read(key[:]); err != nil {
		return key, false, fmt.Errorf("seal: generate master key: %w", err)
	}
	// O_EXCL: if two processes race on first start, one fails instead of both writing keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return [32]byte{}, false, fmt.Errorf("seal: create master key: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key[:]) + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(path)
		return [32]byte{}, false, fmt.Errorf("seal: write master key: %w", err)
	}
	return key, true, nil
}

// Wrap encrypts a data key under the master key for storage:
// version (1 byte) || nonce || AES-GCM(id (4 bytes, big endian) || secret).
func Wrap(master [32]byte, k Key) []byte {
	var plain [36]byte
	binary.BigEndian.PutUint32(plain[:4], k.ID)
	copy(plain[4:], k.Secret[:])
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+tagSize)
	out[0] = wrapVersion
	if _, err := rand.Read(out[1:]); err != nil {
		panic("seal: crypto/rand failed: " + err.Error())
	}
	out = newAEAD(master).Seal(out, out[1:1+nonceSize], plain[:], wrapAD)
	clear(plain[:])
	return out
}

// Unwrap reverses Wrap. Any damage, or a different master key, gives ErrInvalid.
func Unwrap(master [32]byte, wrapped []byte) (Key, error) {
	if len(wrapped) != 1+nonceSize+36+tagSize || wrapped[0] != wrapVersion {
		return Key{}, ErrInvalid
	}
	plain, err := newAEAD(master).Open(nil, wrapped[1:1+nonceSize], wrapped[1+nonceSize:], wrapAD)
	if err != nil || len(plain) != 36 {
		return Key{}, ErrInvalid
	}
	k := Key{ID: binary.BigEndian.Uint32(plain[:4])}
	copy(k.Secret[:], plain[4:])
	clear(plain)
	return k, nil
}

// Equal reports whether two keys are the same, for tests and rotation checks.
func (k Key) Equal(o Key) bool {
	return k.ID == o.ID && subtle.ConstantTimeCompare(k.Secret[:], o.Secret[:]) == 1
}
