package local

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bufSize is the size of the pooled copy buffers: every byte of an object goes through one.
const bufSize = 256 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

func copyBuffer(dst io.Writer, src io.Reader) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	return io.CopyBuffer(dst, src, *bp)
}

// newID returns a fresh data-file or upload id: the time in hex (so ids sort by creation) and
// 64 random bits.
func newID() string {
	var r [8]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return strconv.FormatInt(time.Now().UnixNano(), 16) + hex.EncodeToString(r[:])
}

// files manages the data files: their paths, their creation (temp file, fsync, rename, fsync of
// the directory), and their removal, deferred while a reader has them pinned.
type files struct {
	dir string // DATA/s3

	mu       sync.Mutex
	pinned   map[string]int  // data file → readers
	doomed   map[string]bool // data files to unlink once unpinned
	inflight map[string]bool // data files written but not yet committed (the sweep skips them)
}

func (f *files) tmpDir() string  { return filepath.Join(f.dir, "tmp") }
func (f *files) dataDir() string { return filepath.Join(f.dir, "data") }

// path is the path of data file id: data/<last two hex digits>/<id>. The id's random tail
// spreads files evenly over the 256 directories.
func (f *files) path(id string) string {
	return filepath.Join(f.dir, "data", id[len(id)-2:], id)
}

// setup creates the directories, removes what an interrupted write left in tmp, and makes the
// directory entries durable.
func (f *files) setup() error {
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return err
	}
	if err := os.RemoveAll(f.tmpDir()); err != nil {
		return err
	}
	if err := os.Mkdir(f.tmpDir(), 0o700); err != nil {
		return err
	}
	if err := os.MkdirAll(f.dataDir(), 0o700); err != nil {
		return err
	}
	for i := 0; i < 256; i++ {
		d := filepath.Join(f.dataDir(), hex.EncodeToString([]byte{byte(i)}))
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	for _, d := range []string{f.dataDir(), f.dir, filepath.Dir(f.dir)} {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// newFile is a data file being written: a temp file until commit.
type newFile struct {
	f   *files
	id  string
	tmp *os.File
}

// create starts a new data file. The caller writes to it and then calls finish (durable, in
// place, not yet referenced) or discard.
func (f *files) create() (*newFile, error) {
	id := newID()
	t, err := os.OpenFile(filepath.Join(f.tmpDir(), id), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.inflight[id] = true
	f.mu.Unlock()
	return &newFile{f: f, id: id, tmp: t}, nil
}

func (n *newFile) Write(p []byte) (int, error) { return n.tmp.Write(p) }

// finish makes the file durable under its data path: fsync, rename, fsync of the directory.
// It stays in flight (invisible to the sweep) until done is called after the commit.
func (n *newFile) finish() error {
	if err := n.tmp.Sync(); err != nil {
		n.discard()
		return err
	}
	if err := n.tmp.Close(); err != nil {
		n.discard()
		return err
	}
	n.tmp = nil
	dst := n.f.path(n.id)
	if err := os.Rename(filepath.Join(n.f.tmpDir(), n.id), dst); err != nil {
		n.discard()
		return err
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		n.discard()
		return err
	}
	return nil
}

// discard removes the file (whether or not finished) and forgets it.
func (n *newFile) discard() {
	if n.tmp != nil {
		n.tmp.Close()
		os.Remove(n.tmp.Name())
		n.tmp = nil
	}
	os.Remove(n.f.path(n.id))
	n.done()
}

// done ends the file's flight: it is committed (or discarded).
func (n *newFile) done() {
	n.f.mu.Lock()
	delete(n.f.inflight, n.id)
	n.f.mu.Unlock()
}

// pin keeps ids from being unlinked until unpin.
func (f *files) pin(ids []string) {
	f.mu.Lock()
	for _, id := range ids {
		f.pinned[id]++
	}
	f.mu.Unlock()
}

func (f *files) unpin(ids []string) {
	f.mu.Lock()
	var gone []string
	for _, id := range ids {
		if f.pinned[id]--; f.pinned[id] <= 0 {
			delete(f.pinned, id)
			if f.doomed[id] {
				delete(f.doomed, id)
				gone = append(gone, id)
			}
		}
	}
	f.mu.Unlock()
	for _, id := range gone {
		os.Remove(f.path(id))
	}
}

// remove unlinks data files no committed row references any more; pinned ones go when their
// last reader is done. A crash before the unlink leaves the file to the sweep at the next Open.
func (f *files) remove(ids []string) {
	var gone []string
	f.mu.Lock()
	for _, id := range ids {
		if f.pinned[id] > 0 {
			f.doomed[id] = true
		} else {
			gone = append(gone, id)
		}
	}
	f.mu.Unlock()
	for _, id := range gone {
		os.Remove(f.path(id))
	}
}

// sweep removes data files that no row references: those a crash left between their rename
// and the commit of their row, or between a commit and the unlink of the files it replaced.
// referenced is asked under f.mu, so a file is never judged while its writer is between
// finish and commit.
func (f *files) sweep(stop <-chan struct{}, referenced func(id string) (bool, error)) error {
	dirs, err := os.ReadDir(f.dataDir())
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(f.dataDir(), d.Name()))
		if err != nil {
			return err
		}
		for _, e := range ents {
			select {
			case <-stop:
				return nil
			default:
			}
			id := e.Name()
			if strings.HasPrefix(id, ".") || len(id) < 3 {
				continue
			}
			if err := f.sweepOne(id, referenced); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *files) sweepOne(id string, referenced func(string) (bool, error)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inflight[id] || f.pinned[id] > 0 {
		return nil
	}
	ok, err := referenced(id)
	if err != nil || ok {
		return err
	}
	os.Remove(f.path(id))
	return nil
}
