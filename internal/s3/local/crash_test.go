package local

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// content is the body a crash test writes under key: its length and bytes follow from the key.
func content(key string) []byte {
	h := fnv.New32a()
	h.Write([]byte(key))
	n := int(h.Sum32() % (1 << 20))
	return pattern(n, byte(h.Sum32()>>8))
}

func serve(b *Backend, method, target string, body io.Reader, n int64) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if body != nil {
		r.Body, r.ContentLength = io.NopCloser(body), n
	}
	w := httptest.NewRecorder()
	front(b).ServeHTTP(w, r)
	return w
}

// TestCrashChild is the process TestCrash kills: it writes objects and prints a line for each
// one acknowledged.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("IAMD_S3_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestCrash")
	}
	b, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	serve(b, "PUT", "/crash", nil, 0)
	var mu sync.Mutex
	ack := func(format string, args ...any) {
		mu.Lock()
		fmt.Printf(format+"\n", args...)
		mu.Unlock()
	}
	// A PUT whose body never ends: it is in flight when the kill comes.
	pr, pw := io.Pipe()
	go serve(b, "PUT", "/crash/partial", pr, 1<<30)
	go func() {
		for {
			pw.Write(pattern(64<<10, 0))
		}
	}()
	for g := 0; g < 3; g++ {
		go func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("g%d/%d", g, i)
				c := content(key)
				if w := serve(b, "PUT", "/crash/"+key, bytes.NewReader(c), int64(len(c))); w.Code == 200 {
					ack("ACK %s", key)
				}
			}
		}()
	}
	// Overwrites of one key: version v's body is content("same-v").
	go func() {
		for v := 0; ; v++ {
			c := content(fmt.Sprint("same-", v))
			if w := serve(b, "PUT", "/crash/same", bytes.NewReader(c), int64(len(c))); w.Code == 200 {
				ack("SAME %d", v)
			}
		}
	}()
	// Multipart uploads of two parts.
	go func() {
		for i := 0; ; i++ {
			key := fmt.Sprint("mp/", i)
			w := serve(b, "POST", "/crash/"+key+"?uploads", nil, 0)
			id := between(w.Body.String(), "<UploadId>", "</UploadId>")
			p1, p2 := pattern(5<<20, byte(i)), content(key)
			e1 := serve(b, "PUT", fmt.Sprintf("/crash/%s?partNumber=1&uploadId=%s", key, id), bytes.NewReader(p1), int64(len(p1))).Header().Get("ETag")
			e2 := serve(b, "PUT", fmt.Sprintf("/crash/%s?partNumber=2&uploadId=%s", key, id), bytes.NewReader(p2), int64(len(p2))).Header().Get("ETag")
			x := fmt.Sprintf("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part><Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>", e1, e2)
			if w := serve(b, "POST", fmt.Sprintf("/crash/%s?uploadId=%s", key, id), strings.NewReader(x), int64(len(x))); w.Code == 200 {
				ack("ACK %s", key)
			}
		}
	}()
	select {}
}

func expectedBody(key string) []byte {
	if n, ok := strings.CutPrefix(key, "mp/"); ok {
		i, _ := strconv.Atoi(n)
		return append(pattern(5<<20, byte(i)), content(key)...)
	}
	return content(key)
}

// TestCrash kills a process that is writing objects (SIGKILL, mid-stream) and checks, after
// reopening, that every acknowledged write is there, whole, and nothing partial is visible.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	for round := 0; round < 2; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
		cmd.Env = append(os.Environ(), "IAMD_S3_CRASH_DIR="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked, sameV := map[string]bool{}, -1
		sc := bufio.NewScanner(out)
		deadline := time.Now().Add(time.Duration(1500+round*700) * time.Millisecond)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 2 && f[0] == "ACK":
				acked[f[1]] = true
			case len(f) == 2 && f[0] == "SAME":
				sameV, _ = strconv.Atoi(f[1])
			}
			if time.Now().After(deadline) && len(acked) > 20 {
				break
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		go io.Copy(io.Discard, out)
		cmd.Wait()
		if len(acked) < 10 {
			t.Fatalf("only %d acknowledged writes before the kill", len(acked))
		}

		b, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for key := range acked {
			w := serve(b, "GET", "/crash/"+key, nil, 0)
			if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), expectedBody(key)) {
				t.Errorf("round %d: acknowledged %s: %d, %d bytes, want %d", round, key, w.Code, w.Body.Len(), len(expectedBody(key)))
			}
		}
		// Everything visible is whole (some writes finished after their last line was read).
		visible := 0
		marker := ""
		for {
			w := serve(b, "GET", "/crash?marker="+marker, nil, 0)
			keys := strings.Split(w.Body.String(), "<Key>")[1:]
			for _, k := range keys {
				k, _, _ = strings.Cut(k, "</Key>")
				marker = k
				visible++
				got := serve(b, "GET", "/crash/"+k, nil, 0).Body.Bytes()
				switch {
				case k == "partial":
					t.Errorf("round %d: the PUT in flight is visible", round)
				case k == "same":
					ok := false
					for v := max(sameV, 0); v < sameV+50 && !ok; v++ {
						ok = bytes.Equal(got, content(fmt.Sprint("same-", v)))
					}
					if !ok {
						t.Errorf("round %d: same is no version at or after %d", round, sameV)
					}
				case !bytes.Equal(got, expectedBody(k)):
					t.Errorf("round %d: visible %s is not whole: %d bytes", round, k, len(got))
				}
			}
			if !strings.Contains(w.Body.String(), "<IsTruncated>true</IsTruncated>") {
				break
			}
		}
		<-b.swept
		assertNoStrayFiles(t, b)
		t.Logf("round %d: %d acknowledged, %d visible, no partial object, no stray file", round, len(acked), visible)
		b.Close()
	}
}
