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
	"path/filepath"
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

// LoadMasterKey reads the base64 master key at path. A missing file is an error that wraps
// fs.ErrNotExist. A file that group or others may read is refused: a leaked master key exposes
// every secret at rest.
func LoadMasterKey(path string) (key [32]byte, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return key, fmt.Errorf("seal: read master key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return key, fmt.Errorf("seal: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return key, fmt.Errorf("seal: master key file %s has mode %v; want 0600 (chmod 600 it)", path, fi.Mode().Perm())
	}
	key, err = ParseMasterKey(string(data))
	if err != nil {
		return key, fmt.Errorf("%w (file %s)", err, path)
	}
	return key, nil
}

// LoadOrCreateMasterKey reads the base64 master key at path, or, if the file does not exist,
// creates it with 32 random bytes and mode 0600 and reports created.
func LoadOrCreateMasterKey(path string) (key [32]byte, created bool, err error) {
	key, err = LoadMasterKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	p, err := NewMasterKeyFile(path)
	if err != nil {
		return [32]byte{}, false, err
	}
	if err := p.Commit(); err != nil {
		return [32]byte{}, false, err
	}
	return p.Key, true, nil
}

// PendingMasterKey is a new master key, written and synced to a temporary file beside its
// path but not yet in place: a start that fails before Commit leaves no key behind that nothing
// was sealed with, and a start on a directory where the key cannot be written fails before
// anything is sealed with it.
type PendingMasterKey struct {
	Key       [32]byte
	path, tmp string
}

// NewMasterKeyFile generates a master key for path and writes it, mode 0600, to a temporary
// file in path's directory.
func NewMasterKeyFile(path string) (*PendingMasterKey, error) {
	p := &PendingMasterKey{path: path}
	if _, err := rand.Read(p.Key[:]); err != nil {
		return nil, fmt.Errorf("seal: generate master key: %w", err)
	}
	// A unique name, so that two processes starting at once each link their own key.
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.new")
	if err != nil {
		return nil, fmt.Errorf("seal: create master key: %w", err)
	}
	p.tmp = f.Name()
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(p.Key[:]) + "\n")
	// CreateTemp makes the file 0600; Chmod says so whatever the platform's default.
	err = errors.Join(werr, f.Chmod(0o600), f.Sync(), f.Close())
	if err != nil {
		os.Remove(p.tmp)
		return nil, fmt.Errorf("seal: write master key: %w", err)
	}
	return p, nil
}

// Commit puts the key at its path. It fails, and removes the temporary file, if a key is there
// already (another process's first start won: O_EXCL semantics).
func (p *PendingMasterKey) Commit() error {
	defer os.Remove(p.tmp)
	if err := os.Link(p.tmp, p.path); err != nil {
		return fmt.Errorf("seal: create master key: %w", err)
	}
	d, err := os.Open(filepath.Dir(p.path))
	if err != nil {
		return fmt.Errorf("seal: sync master key directory: %w", err)
	}
	if err := errors.Join(d.Sync(), d.Close()); err != nil {
		return fmt.Errorf("seal: sync master key directory: %w", err)
	}
	return nil
}

// Discard removes the temporary file of a key that will not be used.
func (p *PendingMasterKey) Discard() { os.Remove(p.tmp) }

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
