package local

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// upload is one row of uploads.
type upload struct {
	ID, Bucket, Key string
	Initiated       time.Time
	Meta            meta
	Tags            string
	Class           string
	CksumAlg        string
	CksumType       string // COMPOSITE or FULL_OBJECT when CksumAlg is set
}

// part is one row of parts.
type part struct {
	Num   int
	Size  int64
	ETag  string
	MTime time.Time
	File  string
	Cksum checksum
}

func getUpload(ctx context.Context, q querier, bucket, key, id string) (*upload, error) {
	u := upload{ID: id}
	var init int64
	var m string
	err := q.QueryRowContext(ctx, `SELECT bucket, key, initiated, meta, tags, class, cksum_alg, cksum_type FROM uploads WHERE id = ?`, id).
		Scan(&u.Bucket, &u.Key, &init, &m, &u.Tags, &u.Class, &u.CksumAlg, &u.CksumType)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (u.Bucket != bucket || u.Key != key) {
		return nil, s3err.NoSuchUpload(id)
	}
	if err != nil {
		return nil, err
	}
	u.Initiated = time.UnixMilli(init).UTC()
	if err := json.Unmarshal([]byte(m), &u.Meta); err != nil {
		return nil, err
	}
	return &u, nil
}

func (b *Backend) createUpload(rq *request) error {
	h := rq.r.Header
	m, err := objectMeta(h)
	if err != nil {
		return err
	}
	tags, err := parseTagging(h.Get("X-Amz-Tagging"))
	if err != nil {
		return err
	}
	class, err := storageClass(h)
	if err != nil {
		return err
	}
	alg := strings.ToUpper(h.Get("X-Amz-Checksum-Algorithm"))
	typ := strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	if alg != "" && !validAlg(alg) {
		return s3err.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	switch {
	case typ != "" && typ != "COMPOSITE" && typ != "FULL_OBJECT":
		return s3err.InvalidRequest("Value for x-amz-checksum-type header is invalid.")
	case typ != "" && alg == "":
		return s3err.InvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	case alg == "CRC64NVME" && typ == "COMPOSITE":
		return s3err.InvalidRequest("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
	case (alg == "SHA1" || alg == "SHA256") && typ == "FULL_OBJECT":
		return s3err.InvalidRequest("The FULL_OBJECT checksum type cannot be used with the " + strings.ToLower(alg) + " checksum algorithm.")
	case alg == "CRC64NVME":
		typ = "FULL_OBJECT"
	case alg != "" && typ == "":
		typ = "COMPOSITE"
	}
	u := &upload{ID: newID(), Bucket: rq.bucket, Key: rq.key, Initiated: b.opt.Now(), Meta: m, Tags: encodeTags(tags), Class: class, CksumAlg: alg, CksumType: typ}
	err = b.write(rq.ctx, func(tx *sql.Tx) error {
		if err := needBucket(rq.ctx, tx, rq.bucket); err != nil {
			return err
		}
		_, err := tx.ExecContext(rq.ctx, `INSERT INTO uploads(id, bucket, key, initiated, meta, tags, class, cksum_alg, cksum_type) VALUES(?,?,?,?,?,?,?,?,?)`,
			u.ID, u.Bucket, u.Key, u.Initiated.UnixMilli(), mustJSON(u.Meta), u.Tags, u.Class, u.CksumAlg, u.CksumType)
		return err
	})
	if err != nil {
		return err
	}
	if alg != "" {
		rq.w.Header().Set("X-Amz-Checksum-Algorithm", alg)
		rq.w.Header().Set("X-Amz-Checksum-Type", typ)
	}
	return writeXML(rq.w, &initiateResult{Bucket: rq.bucket, Key: rq.key, UploadID: u.ID})
}

func partNumber(q map[string][]string) (int, error) {
	v := strings.Join(q["partNumber"], "")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxParts {
		return 0, s3err.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	return n, nil
}

func (b *Backend) uploadPart(rq *request) error {
	num, err := partNumber(rq.q)
	if err != nil {
		return err
	}
	wantMD5, want, err := uploadHeaders(rq.r)
	if err != nil {
		return err
	}
	id := rq.q.Get("uploadId")
	if err := needBucket(rq.ctx, b.r, rq.bucket); err != nil {
		return err
	}
	u, err := getUpload(rq.ctx, b.r, rq.bucket, rq.key, id)
	if err != nil {
		return err
	}
	if u.CksumAlg != "" && want.alg != "" && want.alg != u.CksumAlg {
		return s3err.InvalidRequest(fmt.Sprintf("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", strings.ToLower(u.CksumAlg), strings.ToLower(want.alg)))
	}
	nf, rc, err := b.receive(rq.r, rq.r.Body, rq.r.ContentLength, wantMD5, want, u.CksumAlg)
	if err != nil {
		return err
	}
	p := &part{Num: num, Size: rc.size, ETag: rc.etag(), MTime: b.opt.Now(), File: nf.id, Cksum: rc.cksum}
	if err := b.commitPart(rq.ctx, u, p, nf); err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("ETag", p.ETag)
	if p.Cksum.Alg != "" {
		h.Set(checksumHeader(p.Cksum.Alg), p.Cksum.Value)
	}
	h.Set("Content-Length", "0")
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

// commitPart records p (replacing a part of the same number) if the upload is still there.
func (b *Backend) commitPart(ctx context.Context, u *upload, p *part, nf *newFile) error {
	var old string
	err := b.write(ctx, func(tx *sql.Tx) error {
		if _, err := getUpload(ctx, tx, u.Bucket, u.Key, u.ID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT file FROM parts WHERE upload = ? AND num = ?`, u.ID, p.Num).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if old != "" {
			if err := unref(ctx, tx, []string{old}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO parts(upload, num, size, etag, mtime, file, cksum) VALUES(?,?,?,?,?,?,?)`,
			u.ID, p.Num, p.Size, p.ETag, p.MTime.UnixMilli(), p.File, mustJSON(p.Cksum)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO refs(id) VALUES(?)`, p.File)
		return err
	})
	if err != nil {
		nf.discard()
		return err
	}
	nf.done()
	if old != "" {
		b.files.remove([]string{old})
	}
	return nil
}

// copyRange reads x-amz-copy-source-range (bytes=first-last) against a source of size bytes.
func copyRange(v string, size int64) (start, length int64, err error) {
	if v == "" {
		return 0, size, nil
	}
	bad := s3err.InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy", "x-amz-copy-source-range", v)
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return 0, 0, bad
	}
	a, z, ok := strings.Cut(spec, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(z, 10, 64)
	if !ok || err1 != nil || err2 != nil || first < 0 || last < first {
		return 0, 0, bad
	}
	if last >= size {
		return 0, 0, s3err.InvalidRequest("Range specified is not valid for source object of size: " + formatInt(size))
	}
	return first, last - first + 1, nil
}

func (b *Backend) uploadPartCopy(rq *request) error {
	num, err := partNumber(rq.q)
	if err != nil {
		return err
	}
	h := rq.r.Header
	sb, sk, err := copySource(h.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	if err := needBucket(rq.ctx, b.r, rq.bucket); err != nil {
		return err
	}
	u, err := getUpload(rq.ctx, b.r, rq.bucket, rq.key, rq.q.Get("uploadId"))
	if err != nil {
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
	start, length, err := copyRange(h.Get("X-Amz-Copy-Source-Range"), src.Size)
	if err != nil {
		return err
	}
	if length > maxPut {
		return s3err.InvalidRequest("The specified copy source is larger than the maximum allowable size for a copy source: " + formatInt(maxPut))
	}
	sr := b.newSegReader(src, start, length)
	defer sr.Close()
	nf, rc, err := b.receive(rq.r, sr, length, nil, wantChecksum{}, u.CksumAlg)
	if err != nil {
		if e, ok := s3err.As(err); ok && e.Code == "IncompleteBody" {
			return fmt.Errorf("reading copy source %s/%s: short read", sb, sk)
		}
		return err
	}
	p := &part{Num: num, Size: rc.size, ETag: rc.etag(), MTime: b.opt.Now(), File: nf.id, Cksum: rc.cksum}
	if err := b.commitPart(rq.ctx, u, p, nf); err != nil {
		return err
	}
	res := copyPartResult{ETag: p.ETag, LastModified: isoTime(p.MTime)}
	res.partChecksums.set(&p.Cksum)
	return writeXML(rq.w, &res)
}

func (b *Backend) parts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, id string, after, limit int) ([]part, error) {
	rows, err := q.QueryContext(ctx, `SELECT num, size, etag, mtime, file, cksum FROM parts WHERE upload = ? AND num > ? ORDER BY num LIMIT ?`, id, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []part
	for rows.Next() {
		var p part
		var mt int64
		var ck string
		if err := rows.Scan(&p.Num, &p.Size, &p.ETag, &mt, &p.File, &ck); err != nil {
			return nil, err
		}
		p.MTime = time.UnixMilli(mt).UTC()
		json.Unmarshal([]byte(ck), &p.Cksum)
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

func entityTooSmall(p *part) *s3err.Error {
	return s3err.EntityTooSmall().With("ProposedSize", formatInt(p.Size)).With("MinSizeAllowed", formatInt(minPart)).
		With("PartNumber", strconv.Itoa(p.Num)).With("ETag", strings.Trim(p.ETag, `"`))
}

func (b *Backend) completeUpload(rq *request) error {
	id := rq.q.Get("uploadId")
	var req completeRequest
	if err := readXML(rq.r, 8<<20, &req); err != nil {
		return err
	}
	if len(req.Parts) == 0 {
		return s3err.MalformedXML()
	}
	if err := needBucket(rq.ctx, b.r, rq.bucket); err != nil {
		return err
	}
	u, err := getUpload(rq.ctx, b.r, rq.bucket, rq.key, id)
	if err != nil {
		return err
	}
	stored, err := b.parts(rq.ctx, b.r, id, 0, maxParts+1)
	if err != nil {
		return err
	}
	byNum := make(map[int]*part, len(stored))
	for i := range stored {
		byNum[stored[i].Num] = &stored[i]
	}
	chosen := make([]*part, 0, len(req.Parts))
	prev := 0
	for _, rp := range req.Parts {
		if rp.PartNumber == nil {
			return s3err.MalformedXML()
		}
		n := *rp.PartNumber
		if n < 1 || n > maxParts {
			return s3err.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", strconv.Itoa(n))
		}
		if n <= prev {
			return s3err.InvalidPartOrder()
		}
		prev = n
		p := byNum[n]
		if p == nil || strings.Trim(rp.ETag, `" `) != strings.Trim(p.ETag, `"`) {
			return s3err.InvalidPart().With("UploadId", id).With("PartNumber", strconv.Itoa(n)).With("ETag", rp.ETag)
		}
		if v := rp.partChecksums.get(p.Cksum.Alg); v != "" && v != p.Cksum.Value {
			return s3err.InvalidPart().With("UploadId", id).With("PartNumber", strconv.Itoa(n)).With("ETag", rp.ETag)
		}
		chosen = append(chosen, p)
	}
	var total int64
	for i, p := range chosen {
		if i < len(chosen)-1 && p.Size < minPart {
			return entityTooSmall(p)
		}
		total += p.Size
	}
	if total > maxObject {
		return s3err.EntityTooLarge().With("ProposedSize", formatInt(total)).With("MaxSizeAllowed", formatInt(maxObject))
	}
	o := &object{Bucket: rq.bucket, Key: rq.key, Size: total, MTime: b.opt.Now(), Meta: u.Meta, Tags: u.Tags, Class: u.Class}
	etagMD5 := md5.New()
	for _, p := range chosen {
		raw, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		etagMD5.Write(raw)
		o.Segs = append(o.Segs, segment{ID: p.File, Part: p.Num, Size: p.Size})
	}
	o.ETag = fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(etagMD5.Sum(nil)), len(chosen))
	if u.CksumAlg != "" {
		ck, err := b.uploadChecksum(u, o, chosen)
		if err != nil {
			return err
		}
		if v := rq.r.Header.Get(checksumHeader(u.CksumAlg)); v != "" && u.CksumType == "FULL_OBJECT" && v != ck.Value {
			return badChecksum(u.CksumAlg)
		}
		o.Cksum = ck
	}
	var garbage []string
	err = b.write(rq.ctx, func(tx *sql.Tx) error {
		if err := needBucket(rq.ctx, tx, rq.bucket); err != nil {
			return err
		}
		if _, err := getUpload(rq.ctx, tx, rq.bucket, rq.key, id); err != nil {
			return err
		}
		now, err := b.parts(rq.ctx, tx, id, 0, maxParts+1)
		if err != nil {
			return err
		}
		files := make(map[int]string, len(now))
		for _, p := range now {
			files[p.Num] = p.File
		}
		used := make(map[string]bool, len(chosen))
		for _, p := range chosen {
			if files[p.Num] != p.File { // replaced by an UploadPart since we read it
				return s3err.InvalidPart().With("UploadId", id).With("PartNumber", strconv.Itoa(p.Num))
			}
			used[p.File] = true
		}
		prev, err := getObject(rq.ctx, tx, rq.bucket, rq.key)
		if err != nil {
			return err
		}
		if err := writeConditions(rq.r.Header, prev, rq.key); err != nil {
			return err
		}
		old, err := putObject(rq.ctx, tx, o)
		if err != nil {
			return err
		}
		garbage = old
		for _, p := range now {
			if !used[p.File] {
				garbage = append(garbage, p.File)
				if err := unref(rq.ctx, tx, []string{p.File}); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(rq.ctx, `DELETE FROM parts WHERE upload = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(rq.ctx, `DELETE FROM uploads WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return err
	}
	b.files.remove(garbage)
	res := completeResult{Location: location(rq.r, rq.bucket, rq.key), Bucket: rq.bucket, Key: rq.key, ETag: o.ETag}
	setResultChecksum(&res.checksums, &o.Cksum)
	return writeXML(rq.w, &res)
}

// uploadChecksum is the checksum of a completed upload: of the parts' checksums, "-N", for a
// COMPOSITE one; of the whole data for a FULL_OBJECT one (read once more, in a stream).
func (b *Backend) uploadChecksum(u *upload, o *object, chosen []*part) (checksum, error) {
	h := newHash(u.CksumAlg)
	if u.CksumType == "COMPOSITE" {
		for _, p := range chosen {
			raw, err := base64.StdEncoding.DecodeString(p.Cksum.Value)
			if err != nil || p.Cksum.Alg != u.CksumAlg {
				return checksum{}, s3err.InvalidPart().With("UploadId", u.ID).With("PartNumber", strconv.Itoa(p.Num))
			}
			h.Write(raw)
		}
		return checksum{Alg: u.CksumAlg, Value: fmt.Sprintf("%s-%d", b64(h.Sum(nil)), len(chosen)), Type: "COMPOSITE"}, nil
	}
	ids := o.files()
	b.files.pin(ids)
	defer b.files.unpin(ids)
	sr := b.newSegReader(o, 0, o.Size)
	defer sr.Close()
	if _, err := copyBuffer(h, sr); err != nil {
		return checksum{}, err
	}
	return checksum{Alg: u.CksumAlg, Value: b64(h.Sum(nil)), Type: "FULL_OBJECT"}, nil
}

// location is the URL of an object, path-style on the endpoint the client used.
func location(r *http.Request, bucket, key string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/" + bucket + "/" + pathEscape(key)
}

func pathEscape(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(url.PathEscape(p), "+", "%2B")
	}
	return strings.Join(parts, "/")
}

func (b *Backend) abortUpload(rq *request) error {
	id := rq.q.Get("uploadId")
	var garbage []string
	err := b.write(rq.ctx, func(tx *sql.Tx) error {
		if err := needBucket(rq.ctx, tx, rq.bucket); err != nil {
			return err
		}
		if _, err := getUpload(rq.ctx, tx, rq.bucket, rq.key, id); err != nil {
			return err
		}
		ps, err := b.parts(rq.ctx, tx, id, 0, maxParts+1)
		if err != nil {
			return err
		}
		for _, p := range ps {
			garbage = append(garbage, p.File)
		}
		if err := unref(rq.ctx, tx, garbage); err != nil {
			return err
		}
		if _, err := tx.ExecContext(rq.ctx, `DELETE FROM parts WHERE upload = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(rq.ctx, `DELETE FROM uploads WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return err
	}
	b.files.remove(garbage)
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (b *Backend) listParts(rq *request) error {
	if err := needBucket(rq.ctx, b.r, rq.bucket); err != nil {
		return err
	}
	id := rq.q.Get("uploadId")
	u, err := getUpload(rq.ctx, b.r, rq.bucket, rq.key, id)
	if err != nil {
		return err
	}
	max, err := maxKeys(rq.q, "max-parts")
	if err != nil {
		return err
	}
	marker := 0
	if v := rq.q.Get("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return s3err.InvalidArgument("Provided part-number-marker not an integer or within integer range", "part-number-marker", v)
		}
	}
	ps, err := b.parts(rq.ctx, b.r, id, marker, max+1)
	if err != nil {
		return err
	}
	own := ownerOf(rq.r)
	res := listPartsResult{Bucket: rq.bucket, Key: rq.key, UploadID: id, PartNumberMarker: marker, MaxParts: max, Initiator: own, Owner: own, StorageClass: classOrStandard(u.Class)}
	if len(ps) > max {
		ps, res.IsTruncated = ps[:max], true
	}
	for i := range ps {
		p := &ps[i]
		e := partEntry{PartNumber: p.Num, LastModified: isoTime(p.MTime), ETag: p.ETag, Size: p.Size}
		e.partChecksums.set(&p.Cksum)
		res.Parts = append(res.Parts, e)
		res.NextPartNumberMarker = p.Num
	}
	if u.CksumAlg != "" {
		res.ChecksumAlgorithm, res.ChecksumType = u.CksumAlg, u.CksumType
	}
	return writeXML(rq.w, &res)
}

func (b *Backend) listUploads(rq *request) error {
	max, err := maxKeys(rq.q, "max-uploads")
	if err != nil {
		return err
	}
	enc, err := encodingType(rq)
	if err != nil {
		return err
	}
	prefix, delim := rq.q.Get("prefix"), rq.q.Get("delimiter")
	keyMarker, idMarker := rq.q.Get("key-marker"), rq.q.Get("upload-id-marker")
	if keyMarker == "" {
		idMarker = ""
	}
	tx, err := b.r.BeginTx(rq.ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := needBucket(rq.ctx, tx, rq.bucket); err != nil {
		return err
	}
	// The position: uploads whose (key, id) follow (fromKey, fromID); "\xff" follows every id.
	fromKey, fromID := keyMarker, idMarker
	if keyMarker != "" && idMarker == "" {
		fromID = "\xff"
	}
	if fromKey < prefix {
		fromKey, fromID = prefix, ""
	}
	own := ownerOf(rq.r)
	e := func(s string) string { return s }
	if enc {
		e = urlEncode
	}
	res := listUploadsResult{Bucket: rq.bucket, KeyMarker: e(keyMarker), UploadIDMarker: idMarker, Delimiter: e(delim), Prefix: e(prefix), MaxUploads: max}
	if enc {
		res.EncodingType = "url"
	}
	count := 0
	var lastKey, lastID string
	done := max == 0
	for !done {
		lim := max - count + 1
		rows, err := tx.QueryContext(rq.ctx, `SELECT id, key, initiated, class, cksum_alg, cksum_type FROM uploads
			WHERE bucket = ? AND (key > ? OR key = ? AND id > ?) ORDER BY key, id LIMIT ?`, rq.bucket, fromKey, fromKey, fromID, lim)
		if err != nil {
			return err
		}
		n, seek := 0, false
		for rows.Next() {
			n++
			var ue uploadEntry
			var init int64
			if err := rows.Scan(&ue.UploadID, &ue.Key, &init, &ue.StorageClass, &ue.ChecksumAlgorithm, &ue.ChecksumType); err != nil {
				rows.Close()
				return err
			}
			if !strings.HasPrefix(ue.Key, prefix) {
				done = true
				break
			}
			if delim != "" {
				if i := strings.Index(ue.Key[len(prefix):], delim); i >= 0 {
					cp := ue.Key[:len(prefix)+i+len(delim)]
					fromKey, fromID, seek = successor(cp), "", true
					if keyMarker != "" && strings.HasPrefix(keyMarker, cp) {
						break
					}
					if count == max {
						res.IsTruncated, done = true, true
						break
					}
					res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{e(cp)})
					count++
					lastKey, lastID = cp, ""
					break
				}
			}
			if count == max {
				res.IsTruncated, done = true, true
				break
			}
			lastKey, lastID = ue.Key, ue.UploadID
			fromKey, fromID = lastKey, lastID
			ue.Key = e(ue.Key)
			ue.Initiator, ue.Owner = own, own
			ue.StorageClass = classOrStandard(ue.StorageClass)
			ue.Initiated = isoTime(time.UnixMilli(init))
			res.Uploads = append(res.Uploads, ue)
			count++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if !seek && n < lim {
			done = true
		}
	}
	if res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = e(lastKey), lastID
	}
	return writeXML(rq.w, &res)
}
