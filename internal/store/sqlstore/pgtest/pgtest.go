// Package pgtest gives tests a PostgreSQL database of their own. It starts at most one throwaway
// cluster per test binary (initdb + postgres as the postgres OS user when run as root, in a temp
// dir, on 127.0.0.1 and a free port, with its unix socket in that dir) and hands each caller a
// fresh schema on it, so tests never see one another's tables. IAMD_TEST_POSTGRES_DSN points at an
// existing server instead. Without PostgreSQL a test is skipped with the reason, except under
// CI=true, where it fails: CI must never skip these tests.
//
// The cluster stops when Main's m.Run returns; should the test binary die first, the kernel
// interrupts the postmaster (parent-death signal) and the next start removes the stale directory.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvDSN names an existing server to use instead of a throwaway cluster.
const EnvDSN = "IAMD_TEST_POSTGRES_DSN"

var (
	once    sync.Once
	shared  *cluster
	errInit error
	schemaN atomic.Int64
)

type cluster struct {
	dsn  string    // base DSN, database "postgres"
	dir  string    // temp dir removed at stop; "" for an external server
	cmd  *exec.Cmd // the postmaster; nil for an external server
	done chan struct{}
}

// Main runs the tests of a package and stops the cluster afterwards. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// DSN returns the DSN of a new, empty schema (selected through search_path) on the shared
// server, starting the server on first use. The schema is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(func() { shared, errInit = start() })
	if errInit != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %v", errInit)
		}
		t.Skipf("PostgreSQL not available (set %s, or install PostgreSQL: .ci/run does): %v", EnvDSN, errInit)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), schemaN.Add(1))
	admin, err := sql.Open("pgx", shared.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", shared.dsn)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Best effort: a throwaway cluster goes away anyway; on a shared server this keeps it tidy.
		db.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`)
	})
	return withParam(shared.dsn, "search_path", name)
}

// Stop stops the throwaway cluster, if one was started, and removes its directory.
func Stop() {
	if shared == nil || shared.cmd == nil {
		return
	}
	c := shared
	c.cmd.Process.Signal(syscall.SIGINT) // fast shutdown: ends sessions, no waiting for clients
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
	os.RemoveAll(c.dir)
	shared = nil
}

// withParam adds a connection parameter to a URL or key=value DSN.
func withParam(dsn, key, value string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}

func start() (*cluster, error) {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		c := &cluster{dsn: dsn}
		return c, waitReady(dsn, 10*time.Second, nil)
	}
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	sweepStale()
	dir, err := os.MkdirTemp("", "iamd-pgtest-")
	if err != nil {
		return nil, err
	}
	c, err := startCluster(bin, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func startCluster(bin, dir string) (*cluster, error) {
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, lastLines(out))
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	// Durability settings are off: the cluster lives for one test run. A killed iamd process
	// still loses nothing acknowledged, since the postmaster itself keeps running.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGINT, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	c := &cluster{
		dsn:  fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		dir:  dir,
		cmd:  cmd,
		done: make(chan struct{}),
	}
	go func() { cmd.Wait(); close(c.done) }()
	if err := waitReady(c.dsn, 30*time.Second, c.done); err != nil {
		cmd.Process.Kill()
		<-c.done
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		return nil, fmt.Errorf("postgres did not start: %v: %s", err, lastLines(log))
	}
	return c, nil
}

// binDir finds PostgreSQL's server programs: on PATH (pg_config) or Debian's versioned directory.
func binDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server programs (initdb, postgres) found")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// runAs returns the credential to run PostgreSQL with: the postgres user when we are root (the
// server refuses to run as root), else nil (the current user).
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no postgres user: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(dsn string, within time.Duration, exited <-chan struct{}) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("the postmaster exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sweepStale removes directories of earlier runs whose postmaster is gone (a test binary that
// was killed). Young directories are left alone: another test binary may be starting its cluster.
func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "iamd-pgtest-*"))
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil || time.Since(fi.ModTime()) < 10*time.Minute {
			continue
		}
		if pidAlive(filepath.Join(d, "data", "postmaster.pid")) {
			continue
		}
		os.RemoveAll(d)
	}
}

func pidAlive(pidFile string) bool {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

func lastLines(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return strings.Join(lines, "\n")
}
