package local

import (
	"bytes"
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/s3/s3err"
)

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

// errReader remembers the error of the body, to tell it from the disk's.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// received is what receive computed of a body.
type received struct {
	size  int64
	md5   []byte
	cksum checksum
}

func (r *received) etag() string { return `"` + hex.EncodeToString(r.md5) + `"` }

// receive streams size bytes of body into a new data file, checking the Content-MD5 and the
// checksum the request gives (in a header, or in a trailer the front passes). With no
// checksum asked for, it computes CRC64NVME, as S3 does. Any failure, the body's included
// (even at its end), discards the file: nothing is stored.
func (b *Backend) receive(r *http.Request, body io.Reader, size int64, wantMD5 []byte, want wantChecksum, alg string) (*newFile, *received, error) {
	if body == nil {
		body = http.NoBody
	}
	if want.alg != "" {
		alg = want.alg
	}
	nf, err := b.files.create()
	if err != nil {
		return nil, nil, err
	}
	mh := md5.New()
	w := io.MultiWriter(nf, mh)
	ch := newHash(alg)
	if ch != nil {
		w = io.MultiWriter(nf, mh, ch)
	}
	er := &errReader{r: io.LimitReader(body, size+1)}
	n, err := copyBuffer(w, er)
	fail := func(e error) (*newFile, *received, error) {
		nf.discard()
		return nil, nil, e
	}
	if er.err != nil {
		return fail(bodyErr(er.err))
	}
	if err != nil {
		return fail(err)
	}
	if n != size {
		return fail(s3err.IncompleteBody())
	}
	rc := &received{size: n, md5: mh.Sum(nil)}
	if ch != nil {
		rc.cksum = checksum{Alg: alg, Value: b64(ch.Sum(nil)), Type: "FULL_OBJECT"}
	}
	if wantMD5 != nil && !bytes.Equal(wantMD5, rc.md5) {
		return fail(s3err.BadDigest())
	}
	v := want.value
	if v == "" {
		v = trailerChecksum(r, want.alg)
	}
	if v != "" && v != rc.cksum.Value {
		return fail(badChecksum(alg))
	}
	if err := nf.finish(); err != nil {
		return nil, nil, err
	}
	return nf, rc, nil
}

// uploadHeaders are the checks of a PUT body's headers: length, Content-MD5, checksum.
func uploadHeaders(r *http.Request) (wantMD5 []byte, want wantChecksum, err error) {
	if r.ContentLength < 0 {
		return nil, want, s3err.MissingContentLength()
	}
	if r.ContentLength > maxPut {
		return nil, want, s3err.EntityTooLarge().With("ProposedSize", formatInt(r.ContentLength)).With("MaxSizeAllowed", formatInt(maxPut))
	}
	if wantMD5, err = contentMD5(r.Header); err != nil {
		return nil, want, err
	}
	want, err = requestChecksum(r.Header)
	return wantMD5, want, err
}

func (b *Backend) putObject(rq *request) error {
	wantMD5, want, err := uploadHeaders(rq.r)
	if err != nil {
		return err
	}
	m, err := objectMeta(rq.r.Header)
	if err != nil {
		return err
	}
	tags, err := parseTagging(rq.r.Header.Get("X-Amz-Tagging"))
	if err != nil {
		return err
	}
	class, err := storageClass(rq.r.Header)
	if err != nil {
		return err
	}
	// Fail early what would fail at commit, before the body is received.
	if err := needBucket(rq.ctx, b.r, rq.bucket); err != nil {
		return err
	}
	if rq.r.Header.Get("If-None-Match") != "" || rq.r.Header.Get("If-Match") != "" {
		prev, err := getObject(rq.ctx, b.r, rq.bucket, rq.key)
		if err != nil {
			return err
		}
		if err := writeConditions(rq.r.Header, prev, rq.key); err != nil {
			return err
		}
	}
	nf, rc, err := b.receive(rq.r, rq.r.Body, rq.r.ContentLength, wantMD5, want, "CRC64NVME")
	if err != nil {
		return err
	}
	o := &object{
		Bucket: rq.bucket, Key: rq.key, Size: rc.size, ETag: rc.etag(), MTime: b.opt.Now(),
		Meta: m, Tags: encodeTags(tags), Class: class, Cksum: rc.cksum,
		Segs: []segment{{ID: nf.id, Size: rc.size}},
	}
	if err := b.commitObject(rq.ctx, rq.r.Header, o, []*newFile{nf}); err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("ETag", o.ETag)
	setChecksumHeaders(h, &o.Cksum)
	h.Set("Content-Length", "0")
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

// commitObject makes o visible, checking the write's conditions, and removes the files of the
// object it replaced. On failure the new files are discarded.
func (b *Backend) commitObject(ctx context.Context, h http.Header, o *object, nfs []*newFile) error {
	var old []string
	err := b.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, o.Bucket); err != nil {
			return err
		}
		if h != nil {
			prev, err := getObject(ctx, tx, o.Bucket, o.Key)
			if err != nil {
				return err
			}
			if err := writeConditions(h, prev, o.Key); err != nil {
				return err
			}
		}
		var err error
		old, err = putObject(ctx, tx, o)
		return err
	})
	for _, nf := range nfs {
		if err != nil {
			nf.discard()
		} else {
			nf.done()
		}
	}
	if err != nil {
		return err
	}
	b.files.remove(old)
	return nil
}

func setChecksumHeaders(h http.Header, c *checksum) {
	if c.Alg == "" {
		return
	}
	h.Set(checksumHeader(c.Alg), c.Value)
	h.Set("X-Amz-Checksum-Type", c.Type)
}

// openObject reads an object's row and pins its files; release unpins them. The row is read
// again after pinning: if a commit replaced it in between (its files may be gone), it starts
// over. A missing object is NoSuchKey, or NoSuchBucket.
func (b *Backend) openObject(ctx context.Context, bucket, key string) (o *object, release func(), err error) {
	// The fast way: the object as read at the current generation (from the cache, or read and
	// cached now), its files pinned, and the generation unchanged since: no write has returned
	// since the row was current, so its files are still there (a write removes the files it
	// replaced only after it moved the generation, and pinned files are kept until unpinned).
	g := b.gen.Load()
	ck := bucket + "\x00" + key
	cached := b.rows.get(ck, g)
	if cached == nil {
		if cached, err = getObject(ctx, b.r, bucket, key); err != nil {
			return nil, nil, err
		}
		if cached != nil {
			b.rows.put(ck, g, cached)
		}
	}
	if cached != nil {
		ids := cached.files()
		b.files.pin(ids)
		if b.gen.Load() == g {
			c := *cached // callers own their copy of the row, not the cache's
			return &c, func() { b.files.unpin(ids) }, nil
		}
		b.files.unpin(ids)
	}
	// A write came between: read the row, pin its files, and read it again until it holds still.
	for {
		o, err := getObject(ctx, b.r, bucket, key)
		if err != nil {
			return nil, nil, err
		}
		if o == nil {
			if err := needBucket(ctx, b.r, bucket); err != nil {
				return nil, nil, err
			}
			return nil, nil, s3err.NoSuchKey(key)
		}
		ids := o.files()
		b.files.pin(ids)
		again, err := getObject(ctx, b.r, bucket, key)
		if err == nil && again != nil && sameFiles(ids, again.files()) {
			return again, func() { b.files.unpin(ids) }, nil
		}
		b.files.unpin(ids)
		if err != nil {
			return nil, nil, err
		}
	}
}

func sameFiles(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// segReader reads length bytes of o from offset off, segment after segment, one open file at
// a time.
type segReader struct {
	b         *Backend
	segs      []segment
	off, left int64
	cur       *os.File
	sec       io.Reader
}

func (b *Backend) newSegReader(o *object, off, length int64) *segReader {
	return &segReader{b: b, segs: o.Segs, off: off, left: length}
}

func (s *segReader) Read(p []byte) (int, error) {
	for {
		if s.left <= 0 {
			return 0, io.EOF
		}
		if s.sec == nil {
			if err := s.next(); err != nil {
				return 0, err
			}
		}
		if int64(len(p)) > s.left {
			p = p[:s.left]
		}
		n, err := s.sec.Read(p)
		s.left -= int64(n)
		if err == io.EOF {
			s.cur.Close()
			s.cur, s.sec = nil, nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

// next opens the segment that holds s.off.
func (s *segReader) next() error {
	for len(s.segs) > 0 && s.off >= s.segs[0].Size {
		s.off -= s.segs[0].Size
		s.segs = s.segs[1:]
	}
	if len(s.segs) == 0 {
		return io.ErrUnexpectedEOF
	}
	seg := s.segs[0]
	f, err := os.Open(s.b.files.path(seg.ID))
	if err != nil {
		return err
	}
	n := min(seg.Size-s.off, s.left)
	s.cur, s.sec = f, io.NewSectionReader(f, s.off, n)
	s.off += n
	return nil
}

func (s *segReader) Close() error {
	if s.cur != nil {
		s.cur.Close()
		s.cur, s.sec = nil, nil
	}
	return nil
}

func (b *Backend) getObject(rq *request) error {
	o, release, err := b.openObject(rq.ctx, rq.bucket, rq.key)
	if err != nil {
		return err
	}
	defer release()
	r, h := rq.r, rq.w.Header()
	if err := checkConditions(r.Header, getConditions, o.ETag, o.MTime, false); err != nil {
		return err
	}
	start, length, status := int64(0), o.Size, http.StatusOK
	var contentRange string
	if pn := rq.q.Get("partNumber"); pn != "" || has(rq.q, "partNumber") {
		n, err := strconv.Atoi(pn)
		if err != nil || n < 1 || n > maxParts {
			return s3err.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", pn)
		}
		if r.Header.Get("Range") != "" {
			return s3err.InvalidRequest("Cannot specify both Range header and partNumber query parameter")
		}
		count := 1
		if o.multipart() {
			count = len(o.Segs)
			h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(count))
		}
		if n > count {
			h.Del("X-Amz-Mp-Parts-Count")
			return s3err.New(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable").
				With("PartNumberRequested", pn).With("ActualPartCount", strconv.Itoa(count))
		}
		if o.multipart() {
			for _, s := range o.Segs[:n-1] {
				start += s.Size
			}
			length = o.Segs[n-1].Size
		}
		status = http.StatusPartialContent
		contentRange = fmt.Sprintf("bytes %d-%d/%d", start, start+length-1, o.Size)
		if length == 0 {
			contentRange = fmt.Sprintf("bytes */%d", o.Size)
		}
	} else if rg := r.Header.Get("Range"); rg != "" {
		s, l, ok, err := parseRange(rg, o.Size)
		if err != nil {
			return err
		}
		if ok {
			start, length, status = s, l, http.StatusPartialContent
			contentRange = fmt.Sprintf("bytes %d-%d/%d", start, start+length-1, o.Size)
		}
	}
	h.Set("Last-Modified", httpTime(o.MTime))
	h.Set("ETag", o.ETag)
	h.Set("Accept-Ranges", "bytes")
	setMetaHeaders(h, &o.Meta, rq.q)
	if o.Class != "" {
		h.Set("X-Amz-Storage-Class", o.Class)
	}
	if r.Method == http.MethodGet && o.Tags != "" {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(len(decodeTags(o.Tags))))
	}
	if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && status == http.StatusOK {
		setChecksumHeaders(h, &o.Cksum)
	}
	if contentRange != "" {
		h.Set("Content-Range", contentRange)
	}
	h.Set("Content-Length", formatInt(length))
	rq.w.WriteHeader(status)
	if r.Method == http.MethodHead || length == 0 {
		return nil
	}
	sr := b.newSegReader(o, start, length)
	defer sr.Close()
	if _, err := copyBuffer(rq.w, sr); err != nil && !isClientGone(rq.ctx) {
		// The status is out: the connection is cut short of Content-Length, which clients see.
		b.opt.Logger.Error("s3 local: reading object data", "bucket", rq.bucket, "key", rq.key, "err", err)
	}
	return nil
}

func isClientGone(ctx context.Context) bool { return ctx.Err() != nil }

// parseRange reads a Range header as S3 does: one range of bytes; anything else is ignored (the
// whole object is answered), and a range that starts past the end is InvalidRange.
func parseRange(v string, size int64) (start, length int64, ok bool, err error) {
	spec, found := strings.CutPrefix(v, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, z, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, nil
	}
	unsatisfiable := s3err.InvalidRange(v, size)
	if a == "" {
		n, err := strconv.ParseInt(z, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, nil
		}
		if n == 0 || size == 0 {
			return 0, 0, false, unsatisfiable
		}
		n = min(n, size)
		return size - n, n, true, nil
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first < 0 {
		return 0, 0, false, nil
	}
	last := size - 1
	if z != "" {
		l, err := strconv.ParseInt(z, 10, 64)
		if err != nil || l < first {
			return 0, 0, false, nil
		}
		last = min(l, size-1)
	}
	if first >= size {
		return 0, 0, false, unsatisfiable
	}
	return first, last - first + 1, true, nil
}

func (b *Backend) deleteObject(rq *request) error {
	var old []string
	err := b.write(rq.ctx, func(tx *sql.Tx) error {
		if err := needBucket(rq.ctx, tx, rq.bucket); err != nil {
			return err
		}
		var err error
		old, err = deleteObject(rq.ctx, tx, rq.bucket, rq.key)
		return err
	})
	if err != nil {
		return err
	}
	b.files.remove(old)
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// copySource reads x-amz-copy-source: "/bucket/key" or "bucket/key", URL-encoded, with an
// optional ?versionId=null.
func copySource(v string) (bucket, key string, err error) {
	bad := s3err.InvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", v)
	path, query, _ := strings.Cut(v, "?")
	if query != "" {
		ver, ok := strings.CutPrefix(query, "versionId=")
		if !ok {
			return "", "", bad
		}
		if ver != "null" {
			return "", "", s3err.InvalidArgument("Invalid version id specified", "x-amz-copy-source", v)
		}
	}
	path = strings.TrimPrefix(path, "/")
	be, ke, ok := strings.Cut(path, "/")
	if !ok || be == "" || ke == "" {
		return "", "", bad
	}
	bucket, err1 := unescape(be)
	key, err2 := unescape(ke)
	if err1 != nil || err2 != nil {
		return "", "", bad
	}
	if len(key) > maxKeyLen {
		return "", "", s3err.KeyTooLong(len(key))
	}
	return bucket, key, nil
}

func (b *Backend) copyObject(rq *request) error {
	h := rq.r.Header
	sb, sk, err := copySource(h.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	metaDirective := strings.ToUpper(h.Get("X-Amz-Metadata-Directive"))
	if metaDirective != "" && metaDirective != "COPY" && metaDirective != "REPLACE" {
		return s3err.InvalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", h.Get("X-Amz-Metadata-Directive"))
	}
	tagDirective := strings.ToUpper(h.Get("X-Amz-Tagging-Directive"))
	if tagDirective != "" && tagDirective != "COPY" && tagDirective != "REPLACE" {
		return s3err.InvalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", h.Get("X-Amz-Tagging-Directive"))
	}
	class, err := storageClass(h)
	if err != nil {
		return err
	}
	var want wantChecksum
	if a := strings.ToUpper(h.Get("X-Amz-Checksum-Algorithm")); a != "" {
		if !validAlg(a) {
			return s3err.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		want.alg = a
	}
	if sb == rq.bucket && sk == rq.key && metaDirective != "REPLACE" && h.Get("X-Amz-Storage-Class") == "" && want.alg == "" {
		return s3err.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	if err := needBucket(rq.ctx, b.r, rq.bucket); err != nil {
		return err
	}
	src, release, err := b.openObject(rq.ctx, sb, sk)
	if err != nil {
		return err
	}
	defer release()
	if err := checkConditions(h, copyConditions, src.ETag, src.MTime, true); err != nil {
		return err
	}
	if src.Size > maxPut {
		return s3err.InvalidRequest("The specified copy source is larger than the maximum allowable size for a copy source: " + formatInt(maxPut))
	}
	o := &object{Bucket: rq.bucket, Key: rq.key, Size: src.Size, ETag: src.ETag, MTime: b.opt.Now(), Meta: src.Meta, Tags: src.Tags, Class: class, Cksum: src.Cksum}
	if metaDirective == "REPLACE" {
		if o.Meta, err = objectMeta(h); err != nil {
			return err
		}
	}
	if tagDirective == "REPLACE" {
		tags, err := parseTagging(h.Get("X-Amz-Tagging"))
		if err != nil {
			return err
		}
		o.Tags = encodeTags(tags)
	}
	if want.alg != "" && (want.alg != src.Cksum.Alg || src.Cksum.Type != "FULL_OBJECT") {
		hh := newHash(want.alg)
		sr := b.newSegReader(src, 0, src.Size)
		_, err := copyBuffer(hh, sr)
		sr.Close()
		if err != nil {
			return err
		}
		o.Cksum = checksum{Alg: want.alg, Value: b64(hh.Sum(nil)), Type: "FULL_OBJECT"}
	}
	var nfs []*newFile
	for _, s := range src.Segs {
		nf, err := b.files.clone(s.ID)
		if err != nil {
			for _, nf := range nfs {
				nf.discard()
			}
			return err
		}
		nfs = append(nfs, nf)
		o.Segs = append(o.Segs, segment{ID: nf.id, Part: s.Part, Size: s.Size})
	}
	if err := b.commitObject(rq.ctx, nil, o, nfs); err != nil {
		return err
	}
	if src.Cksum.Alg != "" && o.Cksum.Type == "FULL_OBJECT" {
		setChecksumHeaders(rq.w.Header(), &o.Cksum)
	}
	res := copyObjectResult{ETag: o.ETag, LastModified: isoTime(o.MTime)}
	setResultChecksum(&res.checksums, &o.Cksum)
	return writeXML(rq.w, &res)
}

// clone makes a new data file with the bytes of id: a hard link when the file system allows
// one, a copy otherwise; durable either way, in flight until done.
func (f *files) clone(id string) (*newFile, error) {
	nid := newID()
	f.mu.Lock()
	f.inflight[nid] = true
	f.mu.Unlock()
	n := &newFile{f: f, id: nid}
	dst := f.path(nid)
	if err := os.Link(f.path(id), dst); err == nil {
		if err := syncDir(filepath.Dir(dst)); err != nil {
			n.discard()
			return nil, err
		}
		return n, nil
	}
	n.done()
	src, err := os.Open(f.path(id))
	if err != nil {
		return nil, err
	}
	defer src.Close()
	c, err := f.create()
	if err != nil {
		return nil, err
	}
	if _, err := copyBuffer(c, src); err != nil {
		c.discard()
		return nil, err
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}
