package node_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/fulldisk"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
)

// installation makes a data directory with one user, alice, and the node closed.
func installation(t *testing.T, dir string) {
	t.Helper()
	n := iamtest.OpenNode(t, iamtest.NodeConfig(dir))
	defer n.Close()
	h := iamtest.Serve(t, n, nil)
	if _, err := iamsdk.NewFromConfig(h.Root()).CreateUser(context.Background(), &iamsdk.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the regular files of src into a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue // the audit trail's directory: not part of what is damaged here
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// A damaged data directory is refused with a message that says what is wrong, and is left as
// it was: no new account over it, no new master key beside it.
func TestDamagedDataRefused(t *testing.T) {
	orig := t.TempDir()
	installation(t, orig)
	db, err := os.ReadFile(filepath.Join(orig, "iamd.db"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		damage func(dir string)
		want   []string // substrings of the error
	}{
		{"truncated", func(dir string) { os.Truncate(filepath.Join(dir, "iamd.db"), 0) }, []string{"iamd.db", "empty"}},
		{"page 1 overwritten", func(dir string) { overwrite(t, dir, 0) }, []string{"iamd.db", "damaged"}},
		{"page 2 overwritten", func(dir string) { overwrite(t, dir, 1) }, []string{"iamd.db", "damaged"}},
		{"middle page overwritten", func(dir string) { overwrite(t, dir, len(db)/4096/2) }, []string{"iamd.db", "damaged"}},
		{"last page overwritten", func(dir string) { overwrite(t, dir, len(db)/4096-1) }, []string{"iamd.db", "damaged"}},
		{"master key removed", func(dir string) { os.Remove(filepath.Join(dir, "master.key")) }, []string{filepath.Join("master.key"), "missing", "IAMD_MASTER_KEY"}},
		{"database removed", func(dir string) { os.Remove(filepath.Join(dir, "iamd.db")) }, []string{"master key but no database", "iamd.db"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, orig)
			c.damage(dir)
			before := names(t, dir)
			size := fileSize(filepath.Join(dir, "iamd.db"))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			n, err := node.Open(ctx, iamtest.NodeConfig(dir))
			if err == nil {
				n.Close()
				t.Fatal("started on damaged data")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "does not unwrap") {
				t.Errorf("error %q blames the key instead of its absence", err)
			}
			if after := names(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("files %v became %v", before, after)
			}
			if got := fileSize(filepath.Join(dir, "iamd.db")); got != size {
				t.Errorf("database size %d became %d", size, got)
			}
		})
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// overwrite puts random bytes over page p (from 0) of the database in dir.
func overwrite(t *testing.T, dir string, p int) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "iamd.db"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	rand.Read(page)
	if _, err := f.WriteAt(page, int64(p)*4096); err != nil {
		t.Fatal(err)
	}
}

// A first start that fails after the master key was generated leaves neither the key nor the
// database: the next start is a first start, not a refusal over a key that sealed nothing.
func TestFailedFirstStartLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := iamtest.NodeConfig(dir)
	cfg.AccountID = "12" // refused at bootstrap, after the keyring was stored
	n, err := node.Open(context.Background(), cfg)
	if err == nil {
		n.Close()
		t.Fatal("started with a bad account id")
	}
	if left := names(t, dir); len(left) > 0 {
		t.Fatalf("a failed first start left %v", left)
	}
	n = iamtest.OpenNode(t, iamtest.NodeConfig(dir))
	defer n.Close()
	if !n.Bootstrapped || !n.MasterKeyCreated {
		t.Errorf("second start: bootstrapped %v, master key created %v; want a first start", n.Bootstrapped, n.MasterKeyCreated)
	}
}

// The database, its -wal and -shm, and the master key are 0600 in a data directory that exists
// with mode 0755, whatever the umask.
func TestDataFileModes(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n := iamtest.OpenNode(t, iamtest.NodeConfig(dir))
	defer n.Close()
	for _, f := range []string{"iamd.db", "iamd.db-wal", "iamd.db-shm", "master.key"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
}

// iamd restarted on a full disk starts, serves reads, answers writes with ServiceUnavailable
// (HTTP 503) and writes again once space is freed, without a restart.
func TestFullDiskRestart(t *testing.T) {
	dir := filepath.Join(fulldisk.Mount(t, 32<<20), "data")
	installation(t, dir)
	filler := fulldisk.Fill(t, filepath.Dir(dir))

	n := iamtest.OpenNode(t, iamtest.NodeConfig(dir))
	defer n.Close()
	h := iamtest.Serve(t, n, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := iamsdk.NewFromConfig(h.Root())
	if _, err := client.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("read on a full disk: %v", err)
	}
	_, err := client.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")})
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailable" || !strings.Contains(ae.ErrorMessage(), "storage is full") ||
		!errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable {
		t.Fatalf("write on a full disk: %v; want ServiceUnavailable, HTTP 503", err)
	}
	if _, err := client.ListUsers(ctx, &iamsdk.ListUsersInput{}); err != nil {
		t.Fatalf("read after a refused write: %v", err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatalf("write after space was freed: %v", err)
	}
	out, err := client.ListUsers(ctx, &iamsdk.ListUsersInput{})
	if err != nil || len(out.Users) != 2 {
		t.Fatalf("users after space was freed: %v, %v; want alice and bob", out, err)
	}
}
