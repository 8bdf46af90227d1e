package local

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// listing is one page of a key-ordered walk of a bucket's objects.
type listing struct {
	prefix, delimiter string
	from              string // the first key that may be listed
	strict            bool   // keys must be > from, not >=
	marker            string // a common prefix holding marker was listed before: skip it
	max               int
}

// item is one entry of a page: an object, or a common prefix.
type item struct {
	o      *object // key, size, etag, mtime, class, checksum only
	prefix string
}

func (it item) name() string {
	if it.o != nil {
		return it.o.Key
	}
	return it.prefix
}

// page is what list returns: the items, whether more follow, and where the next page starts.
type page struct {
	items      []item
	truncated  bool
	nextFrom   string
	nextStrict bool
}

// successor is the least string greater than every string that begins with p (p non-empty,
// its last byte below 0xFF, as it is in UTF-8).
func successor(p string) string {
	return p[:len(p)-1] + string([]byte{p[len(p)-1] + 1})
}

// list walks the bucket's keys in S3's (byte) order with SQL range queries. A common prefix
// costs one query that seeks past it, never a read of the keys under it.
func (b *Backend) list(ctx context.Context, bucket string, l listing) (*page, error) {
	tx, err := b.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := needBucket(ctx, tx, bucket); err != nil {
		return nil, err
	}
	p := &page{}
	from, strict := l.from, l.strict
	if from < l.prefix {
		from, strict = l.prefix, false
	}
	if l.max <= 0 {
		return p, nil
	}
	for {
		op := ">="
		if strict {
			op = ">"
		}
		lim := l.max - len(p.items) + 1
		rows, err := tx.QueryContext(ctx, `SELECT key, size, etag, mtime, class, cksum FROM objects WHERE bucket = ? AND key `+op+` ? ORDER BY key LIMIT ?`,
			bucket, from, lim)
		if err != nil {
			return nil, err
		}
		seek, n := false, 0
		for rows.Next() {
			n++
			o := &object{}
			var mtime int64
			var ck string
			if err := rows.Scan(&o.Key, &o.Size, &o.ETag, &mtime, &o.Class, &ck); err != nil {
				rows.Close()
				return nil, err
			}
			o.MTime = time.UnixMilli(mtime).UTC()
			json.Unmarshal([]byte(ck), &o.Cksum)
			if !strings.HasPrefix(o.Key, l.prefix) {
				rows.Close()
				return p, nil
			}
			it := item{o: o}
			if l.delimiter != "" {
				if i := strings.Index(o.Key[len(l.prefix):], l.delimiter); i >= 0 {
					cp := o.Key[:len(l.prefix)+i+len(l.delimiter)]
					it = item{prefix: cp}
					from, strict, seek = successor(cp), false, true
					if l.marker != "" && strings.HasPrefix(l.marker, cp) {
						break // listed on an earlier page
					}
				}
			}
			if len(p.items) == l.max {
				p.truncated = true
				rows.Close()
				return p, nil
			}
			p.items = append(p.items, it)
			p.nextFrom, p.nextStrict = successorOf(it)
			if seek {
				break
			}
			from, strict = o.Key, true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if !seek && n < lim || n == 0 {
			return p, nil
		}
	}
}

// successorOf is where the page after it starts.
func successorOf(it item) (string, bool) {
	if it.o != nil {
		return it.o.Key, true
	}
	return successor(it.prefix), false
}

// maxKeys reads max-keys (or max-uploads, max-parts): default and ceiling 1000.
func maxKeys(q map[string][]string, name string) (int, error) {
	v, ok := q[name]
	if !ok {
		return 1000, nil
	}
	n, err := strconv.Atoi(strings.Join(v, ""))
	if err != nil || n < 0 {
		return 0, s3err.InvalidArgument("Provided "+name+" not an integer or within integer range", name, strings.Join(v, ""))
	}
	return min(n, 1000), nil
}

func encodingType(rq *request) (bool, error) {
	v, ok := rq.q["encoding-type"]
	if !ok {
		return false, nil
	}
	if len(v) != 1 || v[0] != "url" {
		return false, s3err.InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", strings.Join(v, ""))
	}
	return true, nil
}

func entry(o *object, own *owner) listEntry {
	e := listEntry{Key: o.Key, LastModified: isoTime(o.MTime), ETag: o.ETag, Size: o.Size, Owner: own, StorageClass: classOrStandard(o.Class)}
	if o.Cksum.Alg != "" {
		e.ChecksumAlgorithm, e.ChecksumType = o.Cksum.Alg, o.Cksum.Type
	}
	return e
}

func (b *Backend) listObjects(rq *request) error {
	max, err := maxKeys(rq.q, "max-keys")
	if err != nil {
		return err
	}
	enc, err := encodingType(rq)
	if err != nil {
		return err
	}
	l := listing{prefix: rq.q.Get("prefix"), delimiter: rq.q.Get("delimiter"), from: rq.q.Get("marker"), strict: true, marker: rq.q.Get("marker"), max: max}
	p, err := b.list(rq.ctx, rq.bucket, l)
	if err != nil {
		return err
	}
	e := func(s string) string { return s }
	if enc {
		e = urlEncode
	}
	res := listBucketResult{Name: rq.bucket, Prefix: e(l.prefix), Marker: e(l.marker), MaxKeys: max, Delimiter: e(l.delimiter), IsTruncated: p.truncated}
	if enc {
		res.EncodingType = "url"
	}
	own := ownerOf(rq.r)
	for _, it := range p.items {
		if it.o != nil {
			en := entry(it.o, own)
			en.Key = e(en.Key)
			res.Contents = append(res.Contents, en)
		} else {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{e(it.prefix)})
		}
	}
	if p.truncated && l.delimiter != "" && len(p.items) > 0 {
		res.NextMarker = e(p.items[len(p.items)-1].name())
	}
	return writeXML(rq.w, &res)
}

// A continuation token is opaque to clients: base64 of where the next page starts.
func encodeToken(from string, strict bool) string {
	flag := "i"
	if strict {
		flag = "x"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(flag + from))
}

func decodeToken(t string) (from string, strict bool, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || len(raw) == 0 || raw[0] != 'i' && raw[0] != 'x' {
		return "", false, false
	}
	return string(raw[1:]), raw[0] == 'x', true
}

func (b *Backend) listObjectsV2(rq *request) error {
	max, err := maxKeys(rq.q, "max-keys")
	if err != nil {
		return err
	}
	enc, err := encodingType(rq)
	if err != nil {
		return err
	}
	startAfter := rq.q.Get("start-after")
	l := listing{prefix: rq.q.Get("prefix"), delimiter: rq.q.Get("delimiter"), from: startAfter, strict: true, marker: startAfter, max: max}
	token, hasToken := rq.q["continuation-token"]
	if hasToken {
		from, strict, ok := decodeToken(strings.Join(token, ""))
		if !ok {
			return s3err.InvalidArgument("The continuation token provided is incorrect", "continuation-token", strings.Join(token, ""))
		}
		l.from, l.strict, l.marker = from, strict, ""
	}
	p, err := b.list(rq.ctx, rq.bucket, l)
	if err != nil {
		return err
	}
	e := func(s string) string { return s }
	if enc {
		e = urlEncode
	}
	res := listBucketResultV2{Name: rq.bucket, Prefix: e(l.prefix), KeyCount: len(p.items), MaxKeys: max, Delimiter: e(l.delimiter), IsTruncated: p.truncated, StartAfter: e(startAfter)}
	if hasToken {
		res.ContinuationToken = strings.Join(token, "")
	}
	if enc {
		res.EncodingType = "url"
	}
	var own *owner
	if rq.q.Get("fetch-owner") == "true" {
		own = ownerOf(rq.r)
	}
	for _, it := range p.items {
		if it.o != nil {
			en := entry(it.o, own)
			en.Key = e(en.Key)
			res.Contents = append(res.Contents, en)
		} else {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{e(it.prefix)})
		}
	}
	if p.truncated {
		res.NextContinuationToken = encodeToken(p.nextFrom, p.nextStrict)
	}
	return writeXML(rq.w, &res)
}

// listVersions answers ListObjectVersions for a bucket without versioning: every object is
// its only, latest version, "null".
func (b *Backend) listVersions(rq *request) error {
	max, err := maxKeys(rq.q, "max-keys")
	if err != nil {
		return err
	}
	enc, err := encodingType(rq)
	if err != nil {
		return err
	}
	keyMarker, vm := rq.q.Get("key-marker"), rq.q.Get("version-id-marker")
	if vm != "" && keyMarker == "" {
		return s3err.InvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", vm)
	}
	if vm != "" && vm != "null" {
		return s3err.InvalidArgument("Invalid version id specified", "version-id-marker", vm)
	}
	l := listing{prefix: rq.q.Get("prefix"), delimiter: rq.q.Get("delimiter"), from: keyMarker, strict: true, marker: keyMarker, max: max}
	p, err := b.list(rq.ctx, rq.bucket, l)
	if err != nil {
		return err
	}
	e := func(s string) string { return s }
	if enc {
		e = urlEncode
	}
	res := listVersionsResult{Name: rq.bucket, Prefix: e(l.prefix), KeyMarker: e(keyMarker), VersionIDMarker: vm, MaxKeys: max, Delimiter: e(l.delimiter), IsTruncated: p.truncated}
	if enc {
		res.EncodingType = "url"
	}
	own := ownerOf(rq.r)
	for _, it := range p.items {
		if it.o == nil {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{e(it.prefix)})
			continue
		}
		en := entry(it.o, own)
		res.Versions = append(res.Versions, versionEntry{Key: e(en.Key), VersionID: "null", IsLatest: true, LastModified: en.LastModified, ETag: en.ETag,
			ChecksumAlgorithm: en.ChecksumAlgorithm, ChecksumType: en.ChecksumType, Size: en.Size, Owner: own, StorageClass: en.StorageClass})
	}
	if p.truncated && len(p.items) > 0 {
		last := p.items[len(p.items)-1]
		res.NextKeyMarker = e(last.name())
		if last.o != nil {
			res.NextVersionIDMarker = "null"
		}
	}
	return writeXML(rq.w, &res)
}
