package qr

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQRDecodes renders codes of several versions (byte lengths across the version steps) and
// reads them back with zbarimg (Debian's zbar-tools), an independent decoder.
func TestQRDecodes(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg (zbar-tools) not installed; the structure test still runs")
	}
	tests := []struct {
		name string
		n    int
	}{
		{"version 1", 10}, {"version 5", 80}, {"version 7 (version bits)", 120}, {"version 10 (16-bit count)", 200},
		{"typical otpauth", 130}, {"version 15", 400}, {"version 25", 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.Repeat("otpauth://totp/Ab9?", tc.n/19+1)[:tc.n]
			img, err := PNG([]byte(data), 4)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "qr.png")
			if err := os.WriteFile(f, img, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(zbar, "--quiet", "--raw", "-Sbinary", f).Output()
			if err != nil {
				t.Fatalf("zbarimg: %v", err)
			}
			if got := strings.TrimSuffix(string(out), "\n"); got != data {
				t.Errorf("decoded %q, want %q", got, data)
			}
		})
	}
}

func TestQRStructure(t *testing.T) {
	img, err := PNG([]byte("otpauth://totp/x@123456789012?secret=ABC"), 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	// 40 bytes need version 3 at level M: 29 modules plus 2×4 quiet.
	if b := m.Bounds(); b.Dx() != 37 || b.Dy() != 37 {
		t.Fatalf("size %v, want 37×37", b)
	}
	dark := func(x, y int) bool { r, _, _, _ := m.At(x+4, y+4).RGBA(); return r == 0 }
	// The top-left finder: a dark 7×7 ring, light ring, dark 3×3 core.
	for _, c := range []struct {
		x, y int
		dark bool
	}{{0, 0, true}, {6, 6, true}, {1, 1, false}, {3, 3, true}, {7, 7, false}} {
		if dark(c.x, c.y) != c.dark {
			t.Errorf("module (%d,%d) dark=%v", c.x, c.y, !c.dark)
		}
	}
	if _, err := PNG(make([]byte, 3000), 1); err != ErrTooLong {
		t.Errorf("3000 bytes: %v, want ErrTooLong", err)
	}
}
