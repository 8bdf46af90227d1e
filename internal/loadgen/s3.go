package loadgen

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The S3 workloads, path-style on the same endpoint (ENDPOINT/bucket/key). The GETs read an
// object setup puts; each worker's PUTs overwrite a key of its own, so a run leaves as many
// objects as workers, which teardown deletes with the ones setup put and, if the run made it,
// the bucket.
const (
	S3Get      Op = "s3-get"       // GET of a small object (Config.ObjectSize)
	S3Put      Op = "s3-put"       // PUT of a small object
	S3PutLarge Op = "s3-put-large" // PUT of a large object (Config.LargeObjectSize), unsigned payload
	S3GetLarge Op = "s3-get-large" // GET of a large object
)

// Default object sizes of the S3 workloads.
const (
	DefaultObjectSize      = 1 << 10
	DefaultLargeObjectSize = 64 << 20
)

// isS3 reports whether op is an S3 workload.
func (op Op) isS3() bool { return op == S3Get || op == S3Put || op == S3PutLarge || op == S3GetLarge }

// blockSize is the period of the pseudo-random bytes every object body is made of.
const blockSize = 1 << 20

// sharedBlock is the one buffer object bodies are written from: 1 MiB of pseudo-random bytes
// (so that nothing on the way compresses them), repeated for larger objects. Nothing copies it.
var sharedBlock = sync.OnceValue(func() []byte {
	b := make([]byte, blockSize)
	mrand.NewChaCha8([32]byte{'i', 'a', 'm', 'd'}).Read(b)
	return b
})

// payload is an object body: the first size bytes of the shared block repeated, and its
// x-amz-content-sha256.
type payload struct {
	block []byte
	size  int64
	hash  string // hex SHA-256 of the body, or UNSIGNED-PAYLOAD
}

// unsignedPayload is the x-amz-content-sha256 of a body whose hash is not signed.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// newPayload makes the body of size bytes, hashed once here unless unsigned.
func newPayload(size int64, unsigned bool) *payload {
	p := &payload{block: sharedBlock(), size: size, hash: unsignedPayload}
	if !unsigned {
		h := sha256.New()
		p.writeTo(h)
		p.hash = hex.EncodeToString(h.Sum(nil))
	}
	return p
}

// writeTo writes the body to w, block by block.
func (p *payload) writeTo(w io.Writer) error {
	for left := p.size; left > 0; {
		n := min(left, int64(len(p.block)))
		if _, err := w.Write(p.block[:n]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// payloadReader reads a payload, for net/http.
type payloadReader struct {
	block []byte
	off   int64 // within the body
	size  int64
}

func (r *payloadReader) Read(b []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	i := r.off % int64(len(r.block))
	n := copy(b, r.block[i:min(int64(len(r.block)), i+r.size-r.off)])
	r.off += int64(n)
	return n, nil
}

// s3State is what the run knows of its bucket and objects.
type s3State struct {
	bucket     string
	madeBucket bool   // the run created the bucket; teardown deletes it
	keyPrefix  string // of every key the run writes: "<prefix>-<run id>/"
	object     *payload
	getKey     string // the object the GETs read, once setup put it
	putKeys    bool   // workers may have written their keys
}

// s3call is one S3 request, all of it computed before the run but its signature.
type s3call struct {
	method, path, hash string
	head               []byte   // request line and fixed headers (conn.go's request.head)
	body               *payload // a PUT's body
	want               int64    // a GET's object size, -1: not checked
}

// newS3State names the run's bucket and key prefix and makes the object body.
func (r *runner) newS3State() {
	var id [4]byte
	rand.Read(id[:])
	runID := hex.EncodeToString(id[:])
	st := &s3State{bucket: r.cfg.Bucket, keyPrefix: r.cfg.Prefix + "-" + runID + "/"}
	if st.bucket == "" {
		p := strings.ToLower(r.cfg.Prefix)
		if len(p) > 63-len(runID)-1 {
			p = p[:63-len(runID)-1]
		}
		st.bucket = p + "-" + runID
	}
	switch r.cfg.Op {
	case S3Get, S3Put:
		st.object = newPayload(r.cfg.ObjectSize, r.cfg.UnsignedPayload)
	default:
		// Hashing 64 MiB per distinct body would be fine once, but S3 clients stream large
		// bodies unsigned (or chunked) for the same reason the load tool does: not to read them
		// twice.
		st.object = newPayload(r.cfg.LargeObjectSize, true)
	}
	r.s3 = st
}

// s3Request builds the call of method on key ("" for the bucket itself) with body.
func (r *runner) s3Request(method, key string, body *payload) *s3call {
	path := r.path + escapePath(r.s3.bucket)
	if key != "" {
		path += "/" + escapePath(key)
	}
	hash := emptySHA256
	if body != nil {
		hash = body.hash
	}
	head := fmt.Appendf(nil, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: iamd-bench\r\nX-Amz-Content-Sha256: %s\r\n",
		method, path, r.host, hash)
	return &s3call{method: method, path: path, hash: hash, head: head, body: body, want: -1}
}

// emptySHA256 is the SHA-256 of no bytes, the payload hash of bodiless requests.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// s3Calls is the step a worker repeats in an S3 workload.
func (w *worker) s3Calls(id int) []call {
	r := w.r
	var c *s3call
	switch r.cfg.Op {
	case S3Get, S3GetLarge:
		c = r.s3Request(http.MethodGet, r.s3.getKey, nil)
		c.want = r.s3.object.size
		return []call{{action: "GetObject", service: "s3", s3: c}}
	default:
		c = r.s3Request(http.MethodPut, r.s3PutKey(id), r.s3.object)
		return []call{{action: "PutObject", service: "s3", s3: c}}
	}
}

// s3PutKey is the key worker id overwrites.
func (r *runner) s3PutKey(id int) string { return r.s3.keyPrefix + "put-" + strconv.Itoa(id) }

// setupS3 makes the bucket, unless it exists (the --bucket given), and puts the object the GETs
// read.
func (r *runner) setupS3(ctx context.Context) error {
	r.newS3State()
	st := r.s3
	w := r.newWorker(0)
	defer w.close()
	exists := false
	if r.cfg.Bucket != "" {
		status, _, _, err := w.s3do(ctx, r.s3Request(http.MethodHead, "", nil))
		exists = err == nil && status == http.StatusOK
	}
	if !exists {
		var conf *payload
		if r.cfg.Region != "us-east-1" {
			// Outside us-east-1, S3 wants the region named in the body.
			conf = newBody([]byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>` +
				r.cfg.Region + `</LocationConstraint></CreateBucketConfiguration>`))
		}
		status, body, _, err := w.s3do(ctx, r.s3Request(http.MethodPut, "", conf))
		switch {
		case err == nil && status == http.StatusOK:
			st.madeBucket = true
		case err == nil && ErrorCode(body) == "BucketAlreadyOwnedByYou":
		default:
			return fmt.Errorf("setup: CreateBucket %s: %s", st.bucket, describe(status, body, err))
		}
	}
	if r.cfg.Op == S3Get || r.cfg.Op == S3GetLarge {
		key := st.keyPrefix + "object"
		status, body, _, err := w.s3do(ctx, r.s3Request(http.MethodPut, key, st.object))
		if err != nil || status/100 != 2 {
			return fmt.Errorf("setup: PutObject %s/%s: %s", st.bucket, key, describe(status, body, err))
		}
		st.getKey = key
	} else {
		st.putKeys = true
	}
	return nil
}

// newBody is a payload of the bytes of b (which it keeps).
func newBody(b []byte) *payload {
	h := sha256.Sum256(b)
	return &payload{block: b, size: int64(len(b)), hash: hex.EncodeToString(h[:])}
}

// teardownS3 deletes the objects the run wrote and the bucket if the run made it, and says what
// it could not delete.
func (r *runner) teardownS3(ctx context.Context, w *worker) []string {
	st := r.s3
	if st == nil {
		return nil
	}
	var failed []string
	del := func(key string) {
		status, body, _, err := w.s3do(ctx, r.s3Request(http.MethodDelete, key, nil))
		if err != nil || status/100 != 2 {
			what := st.bucket
			if key != "" {
				what += "/" + key
			}
			failed = append(failed, "delete "+what+": "+describe(status, body, err))
		}
	}
	if st.getKey != "" {
		del(st.getKey)
	}
	if st.putKeys {
		for id := range r.cfg.Concurrency {
			del(r.s3PutKey(id))
		}
	}
	if st.madeBucket {
		del("")
	}
	return failed
}

// s3do sends one S3 call and returns the status, the body kept (an error's; valid until the
// next call) and the length of the body read. A successful GET's body is counted and dropped.
func (w *worker) s3do(ctx context.Context, c *s3call) (int, []byte, int64, error) {
	date, auth := w.s3signer.signS3(c.method, c.path, c.hash, time.Now())
	tok := w.r.cfg.Credentials.SessionToken
	if w.conn != nil {
		w.req = request{head: c.head, date: date, auth: auth, token: tok,
			discard: c.method == http.MethodGet, noBody: c.method == http.MethodHead}
		if p := c.body; p != nil {
			if p.size <= inlineMax && p.size <= int64(len(p.block)) {
				w.req.body = p.block[:p.size]
			} else {
				w.req.stream = p
			}
		}
		return w.conn.do(ctx, &w.req)
	}
	var body io.Reader
	if c.body != nil {
		body = &payloadReader{block: c.body.block, size: c.body.size}
	}
	req, err := http.NewRequestWithContext(ctx, c.method, w.r.scheme+"://"+w.r.host+c.path, body)
	if err != nil {
		return 0, nil, 0, err
	}
	if c.body != nil {
		req.ContentLength = c.body.size
	}
	req.Header = http.Header{
		"X-Amz-Content-Sha256": {c.hash},
		"X-Amz-Date":           {date},
		"Authorization":        {auth},
	}
	if tok != "" {
		req.Header["X-Amz-Security-Token"] = []string{tok}
	}
	resp, err := w.r.client.Do(req)
	if err != nil {
		return 0, nil, 0, err
	}
	defer resp.Body.Close()
	w.buf.Reset()
	if resp.StatusCode/100 == 2 && c.method == http.MethodGet {
		n, err := io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil, n, err
	}
	n, err := w.buf.ReadFrom(io.LimitReader(resp.Body, maxResponse))
	return resp.StatusCode, w.buf.Bytes(), n, err
}

// escapePath URI-encodes s as S3's canonical URI wants it, once: every byte but the unreserved
// characters and '/'.
func escapePath(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+16), s[:i]...)
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	if b == nil {
		return s
	}
	return string(b)
}
