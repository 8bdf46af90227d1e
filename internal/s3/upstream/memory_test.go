package upstream

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// pattern is an endless reader of non-zero bytes.
type pattern struct{}

func (pattern) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + 1)
	}
	return len(p), nil
}

// TestMemory1GiB sends a 1 GiB PUT and a 1 GiB GET through the proxy (client, proxy and a
// fake backend all in this process) and holds the heap's growth under 64 MiB: bodies stream,
// nothing buffers them.
func TestMemory1GiB(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB each way")
	}
	const size = 1 << 30
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPut:
			n, err := io.Copy(io.Discard, r.Body)
			if err != nil || n != size {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Header().Set("ETag", `"x"`)
		case http.MethodGet:
			w.Header().Set("Content-Length", "1073741824")
			io.CopyN(w, pattern{}, size)
		}
	}))
	defer fake.Close()
	proxy := httptest.NewServer(newBackend(t, fake.URL, nil))
	defer proxy.Close()

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peakHeap, peakSys atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peakHeap.Load() {
				peakHeap.Store(m.HeapInuse)
			}
			if m.Sys > peakSys.Load() {
				peakSys.Store(m.Sys)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	start := time.Now()
	req, _ := http.NewRequest(http.MethodPut, proxy.URL+"/bkt/big", io.LimitReader(pattern{}, size))
	req.ContentLength = size
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %s", resp.Status)
	}
	put := time.Since(start)

	start = time.Now()
	resp, err = http.Get(proxy.URL + "/bkt/big")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != size {
		t.Fatalf("GET: %d bytes, %v", n, err)
	}
	get := time.Since(start)
	close(stop)
	<-sampled

	heap := int64(peakHeap.Load()) - int64(base.HeapInuse)
	sys := int64(peakSys.Load()) - int64(base.Sys)
	t.Logf("1 GiB PUT in %v, GET in %v; peak growth: heap in use %.1f MiB, memory from the OS %.1f MiB",
		put.Round(time.Millisecond), get.Round(time.Millisecond), float64(heap)/(1<<20), float64(sys)/(1<<20))
	if heap >= 64<<20 || sys >= 64<<20 {
		t.Errorf("memory grew by %d bytes of heap, %d from the OS: want < 64 MiB", heap, sys)
	}
}
