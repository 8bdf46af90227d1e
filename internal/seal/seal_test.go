package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func mustKey(t testing.TB, id uint32) Key {
	t.Helper()
	k, err := GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	old := mustKey(t, 1)
	cur := mustKey(t, 300) // two-byte uvarint id
	oldRing, err := NewKeyring(old)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := NewKeyring(cur, old)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		sealer    *Keyring
		plaintext []byte
		ad        []byte
	}{
		{"empty", ring, nil, nil},
		{"small with ad", ring, []byte("hello"), []byte("session-token")},
		{"large", ring, bytes.Repeat([]byte{7}, 1<<16), nil},
		{"sealed by previous key", oldRing, []byte("rotated"), []byte("ad")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sealed := tc.sealer.Seal(tc.plaintext, tc.ad)
			if got, want := len(sealed), len(tc.plaintext)+tc.sealer.Overhead(); got != want {
				t.Errorf("len(sealed) = %d, want %d", got, want)
			}
			got, err := ring.Open(sealed, tc.ad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tc.plaintext) {
				t.Errorf("Open = %q, want %q", got, tc.plaintext)
			}
			if id, _ := KeyID(sealed); id != tc.sealer.ActiveID() {
				t.Errorf("KeyID = %d, want %d", id, tc.sealer.ActiveID())
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	k := mustKey(t, 5)
	ring, _ := NewKeyring(k)
	other, _ := NewKeyring(mustKey(t, 6))
	sameIDOtherSecret, _ := NewKeyring(mustKey(t, 5))
	sealed := ring.Seal([]byte("secret payload"), []byte("ad"))
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name   string
		ring   *Keyring
		sealed []byte
		ad     []byte
	}{
		{"empty", ring, nil, []byte("ad")},
		{"id only", ring, sealed[:1], []byte("ad")},
		{"truncated below tag", ring, sealed[:1+nonceSize+tagSize-1], []byte("ad")},
		{"truncated by one", ring, sealed[:len(sealed)-1], []byte("ad")},
		{"flipped nonce", ring, flip(2), []byte("ad")},
		{"flipped ciphertext", ring, flip(1 + nonceSize), []byte("ad")},
		{"flipped tag", ring, flip(len(sealed) - 1), []byte("ad")},
		{"wrong additional data", ring, sealed, []byte("AD")},
		{"missing additional data", ring, sealed, nil},
		{"unknown key id", other, sealed, []byte("ad")},
		{"same id other secret", sameIDOtherSecret, sealed, []byte("ad")},
		{"overlong uvarint", ring, append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, sealed[1:]...), []byte("ad")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.ring.Open(tc.sealed, tc.ad); !errors.Is(err, ErrInvalid) {
				t.Errorf("Open error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestNewKeyringDuplicateID(t *testing.T) {
	if _, err := NewKeyring(mustKey(t, 1), mustKey(t, 2), mustKey(t, 1)); err == nil {
		t.Fatal("NewKeyring accepted duplicate key ids")
	}
}

func TestSealNoncesDiffer(t *testing.T) {
	ring, _ := NewKeyring(mustKey(t, 1))
	a, b := ring.Seal([]byte("x"), nil), ring.Seal([]byte("x"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical: nonce reuse")
	}
}

func TestSealToOpenToNoAlloc(t *testing.T) {
	ring, _ := NewKeyring(mustKey(t, 1))
	pt := make([]byte, 200)
	buf := make([]byte, 0, 512)
	out := make([]byte, 0, 512)
	allocs := testing.AllocsPerRun(100, func() {
		s := ring.SealTo(buf[:0], pt, nil)
		if _, err := ring.OpenTo(out[:0], s, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("SealTo+OpenTo allocate %v times per run, want 0", allocs)
	}
}

func TestKeyringConcurrentUse(t *testing.T) {
	ring, _ := NewKeyring(mustKey(t, 1), mustKey(t, 2))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pt := []byte(fmt.Sprintf("goroutine %d", g))
			for range 200 {
				got, err := ring.Open(ring.Seal(pt, nil), nil)
				if err != nil || !bytes.Equal(got, pt) {
					t.Errorf("round trip: %q, %v", got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestKeyRedacted(t *testing.T) {
	k := mustKey(t, 42)
	for i := range k.Secret {
		k.Secret[i] = 0xAB
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "k", k)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("key", "k", k)
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", k),
		"%+v":  fmt.Sprintf("%+v", k),
		"%#v":  fmt.Sprintf("%#v", k),
		"%q":   fmt.Sprintf("%q", k),
		"slog": logged.String(),
	}
	for name, out := range outputs {
		for _, leak := range []string{"171", "ab", "AB", "q6ur"} { // decimal, hex, base64 of 0xAB
			if strings.Contains(out, leak) {
				t.Errorf("%s output %q contains secret material %q", name, out, leak)
			}
		}
		if !strings.Contains(out, "42") {
			t.Errorf("%s output %q lacks the key id", name, out)
		}
	}
}

func TestWrapUnwrap(t *testing.T) {
	var master, otherMaster [32]byte
	master[0], otherMaster[0] = 1, 2
	k := mustKey(t, 77)
	w := Wrap(master, k)
	got, err := Unwrap(master, w)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(k) {
		t.Fatalf("Unwrap = %v, want key id %d with the same secret", got, k.ID)
	}
	bad := map[string][]byte{
		"truncated":  w[:len(w)-1],
		"flipped":    append(bytes.Clone(w[:len(w)-1]), w[len(w)-1]^1),
		"version":    append([]byte{9}, w[1:]...),
		"empty":      nil,
		"too long":   append(bytes.Clone(w), 0),
		"other seal": func() []byte { r, _ := NewKeyring(k); return r.Seal(k.Secret[:], nil) }(),
	}
	for name, b := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := Unwrap(master, b); !errors.Is(err, ErrInvalid) {
				t.Errorf("Unwrap error = %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := Unwrap(otherMaster, w); !errors.Is(err, ErrInvalid) {
		t.Errorf("Unwrap with another master = %v, want ErrInvalid", err)
	}
}

func TestParseMasterKey(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, 32) // encodes differently in std and URL alphabets
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"std padded", base64.StdEncoding.EncodeToString(raw), false},
		{"std raw", base64.RawStdEncoding.EncodeToString(raw), false},
		{"url", base64.URLEncoding.EncodeToString(raw), false},
		{"with newline", base64.StdEncoding.EncodeToString(raw) + "\n", false},
		{"too short", base64.StdEncoding.EncodeToString(raw[:31]), true},
		{"too long", base64.StdEncoding.EncodeToString(append(raw, 1)), true},
		{"not base64", "!!!!", true},
		{"empty", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMasterKey(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && !bytes.Equal(got[:], raw) {
				t.Errorf("key = %x, want %x", got, raw)
			}
		})
	}
}

func TestLoadOrCreateMasterKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	k1, created, err := LoadOrCreateMasterKey(path)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	k2, created, err := LoadOrCreateMasterKey(path)
	if err != nil || created {
		t.Fatalf("second call: created=%v err=%v", created, err)
	}
	if k1 != k2 {
		t.Error("reloaded key differs from created key")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateMasterKey(path); err == nil {
		t.Error("world-readable master key file accepted")
	}
	garbage := filepath.Join(dir, "garbage.key")
	os.WriteFile(garbage, []byte("not a key"), 0o600)
	if _, _, err := LoadOrCreateMasterKey(garbage); err == nil {
		t.Error("garbage master key file accepted")
	}
	if _, _, err := LoadOrCreateMasterKey(filepath.Join(dir, "missing-dir", "k")); err == nil {
		t.Error("uncreatable path accepted")
	}
}

// A new key stays out of place until Commit: Discard leaves nothing, and Commit never replaces
// a key already there (another process's first start won).
func TestNewMasterKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	p, err := NewMasterKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadMasterKey(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("key in place before Commit: %v", err)
	}
	p.Discard()
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Fatalf("Discard left %v", left)
	}
	a, _ := NewMasterKeyFile(path)
	b, _ := NewMasterKeyFile(path)
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err == nil {
		t.Fatal("Commit replaced a key already in place")
	}
	if k, err := LoadMasterKey(path); err != nil || k != a.Key {
		t.Fatalf("key in place is not the first committed: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Errorf("files left: %v", left)
	}
}

func FuzzOpen(f *testing.F) {
	k := Key{ID: 3}
	ring, _ := NewKeyring(k)
	f.Add(ring.Seal([]byte("seed"), nil), []byte{})
	f.Add([]byte{0x80}, []byte("x"))
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		pt, err := ring.Open(sealed, ad)
		if err != nil {
			return
		}
		// Anything that opens must be exactly what re-sealing would give back.
		if again, err := ring.Open(ring.Seal(pt, ad), ad); err != nil || !bytes.Equal(again, pt) {
			t.Fatalf("round trip of opened value failed: %v", err)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	var master [32]byte
	f.Add(Wrap(master, Key{ID: 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := Unwrap(master, b)
		if err == nil && !bytes.Equal(Wrap(master, k)[:1], b[:1]) {
			t.Fatal("unwrapped a value with a foreign version byte")
		}
	})
}

func FuzzParseMasterKey(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseMasterKey(s); err == nil && len(strings.TrimSpace(s)) < 42 {
			t.Fatalf("accepted %q, too short to hold 32 bytes", s)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	ring, _ := NewKeyring(mustKey(b, 1))
	for _, size := range []int{64, 256, 1024} {
		pt := make([]byte, size)
		buf := make([]byte, 0, size+64)
		b.Run(fmt.Sprintf("SealTo/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				buf = ring.SealTo(buf[:0], pt, nil)
			}
		})
		b.Run(fmt.Sprintf("Seal/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				ring.Seal(pt, nil)
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	ring, _ := NewKeyring(mustKey(b, 1), mustKey(b, 2))
	for _, size := range []int{64, 256, 1024} {
		sealed := ring.Seal(make([]byte, size), nil)
		out := make([]byte, 0, size)
		b.Run(fmt.Sprintf("OpenTo/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ring.OpenTo(out[:0], sealed, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
