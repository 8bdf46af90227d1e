package local

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentOverwrites: writers replace one key while readers read it. Every read is one
// version whole (its MD5 is its ETag), and no data file outlives the last reader.
func TestConcurrentOverwrites(t *testing.T) {
	e := newEnv(t)
	e.bucket("conc")
	var wg sync.WaitGroup
	var stop atomic.Bool
	var reads atomic.Int64
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				c := content(fmt.Sprint("v-", w, "-", i))
				req, _ := http.NewRequest("PUT", e.srv.URL+"/conc/k", bytes.NewReader(c))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("PUT: %d", resp.StatusCode)
				}
			}
		}()
	}
	var rg sync.WaitGroup
	for r := 0; r < 4; r++ {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for !stop.Load() {
				resp, err := http.Get(e.srv.URL + "/conc/k")
				if err != nil {
					t.Error(err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 404 {
					continue
				}
				sum := md5.Sum(body)
				if err != nil || `"`+hex.EncodeToString(sum[:])+`"` != resp.Header.Get("ETag") {
					t.Errorf("torn read: %v, %d bytes, ETag %s", err, len(body), resp.Header.Get("ETag"))
					return
				}
				reads.Add(1)
			}
		}()
	}
	wg.Wait()
	stop.Store(true)
	rg.Wait()
	t.Logf("%d whole reads during 60 overwrites", reads.Load())
	e.b.files.mu.Lock()
	pinned, doomed := len(e.b.files.pinned), len(e.b.files.doomed)
	e.b.files.mu.Unlock()
	if pinned != 0 || doomed != 0 {
		t.Fatalf("%d pinned, %d doomed files after the readers are done", pinned, doomed)
	}
	if n := len(dataFiles(t, e.b)); n != 1 {
		t.Fatalf("%d data files for one object", n)
	}
	assertNoStrayFiles(t, e.b)
}

// generator is an endless pattern of bytes, for bodies too big to hold.
type generator struct{ n, size int64 }

func (g *generator) Read(p []byte) (int, error) {
	if g.n >= g.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.size-g.n)]
	for i := range p {
		p[i] = byte((g.n + int64(i)) * 7)
	}
	g.n += int64(len(p))
	return len(p), nil
}

// TestMemoryBigObject PUTs and GETs a 1 GiB object and reports how much the heap grew: every
// byte goes through bounded buffers. Set IAMD_S3_BIG=1 to run it (it writes 1 GiB).
func TestMemoryBigObject(t *testing.T) {
	if os.Getenv("IAMD_S3_BIG") == "" {
		t.Skip("set IAMD_S3_BIG=1 to PUT and GET 1 GiB")
	}
	e := newEnv(t)
	e.bucket("big")
	const size = 1 << 30
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	start := time.Now()
	req, _ := http.NewRequest("PUT", e.srv.URL+"/big/obj", io.NopCloser(&generator{size: size}))
	req.ContentLength = size
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %d", resp.StatusCode)
	}
	put := time.Since(start)
	start = time.Now()
	resp, err = http.Get(e.srv.URL + "/big/obj")
	if err != nil {
		t.Fatal(err)
	}
	h := md5.New()
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	if err != nil || n != size {
		t.Fatalf("GET: %d bytes, %v", n, err)
	}
	get := time.Since(start)
	want := md5.New()
	io.Copy(want, &generator{size: size})
	if !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		t.Fatal("GET answered other bytes")
	}
	close(done)
	growth := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("1 GiB: PUT %v (%.0f MB/s), GET %v (%.0f MB/s); heap in use %d MiB before, peak %d MiB, growth %d MiB",
		put.Round(time.Millisecond), size/put.Seconds()/1e6, get.Round(time.Millisecond), size/get.Seconds()/1e6,
		base.HeapInuse>>20, peak.Load()>>20, growth>>20)
	if growth > 64<<20 {
		t.Fatalf("heap grew by %d MiB", growth>>20)
	}
}

func benchPut(b *testing.B, size int64) {
	dir := b.TempDir()
	be, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	srv := newBenchServer(be)
	defer srv.close()
	srv.do(b, "PUT", "/bench", nil, 0)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		srv.do(b, "PUT", fmt.Sprint("/bench/k", i%100), &generator{size: size}, size)
	}
}

func benchGet(b *testing.B, size int64) {
	dir := b.TempDir()
	be, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	srv := newBenchServer(be)
	defer srv.close()
	srv.do(b, "PUT", "/bench", nil, 0)
	srv.do(b, "PUT", "/bench/k", &generator{size: size}, size)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		srv.do(b, "GET", "/bench/k", nil, 0)
	}
}

func BenchmarkPut1KiB(b *testing.B)  { benchPut(b, 1<<10) }
func BenchmarkGet1KiB(b *testing.B)  { benchGet(b, 1<<10) }
func BenchmarkPut64MiB(b *testing.B) { benchPut(b, 64<<20) }
func BenchmarkGet64MiB(b *testing.B) { benchGet(b, 64<<20) }

type benchServer struct {
	url   string
	close func()
}

func newBenchServer(b *Backend) *benchServer {
	srv := httptestServer(front(b))
	return &benchServer{url: srv.URL, close: srv.Close}
}

func (s *benchServer) do(b *testing.B, method, path string, body io.Reader, n int64) {
	req, _ := http.NewRequest(method, s.url+path, body)
	if body != nil {
		req.Body = io.NopCloser(body)
		req.ContentLength = n
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		b.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
}

func httptestServer(h http.Handler) *httptest.Server { return httptest.NewServer(h) }
