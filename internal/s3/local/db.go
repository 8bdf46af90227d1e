package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver
)

// The index: buckets, objects, multipart uploads and their parts, and refs, the set of data
// files rows reference (the sweep's question). Keys are TEXT compared with SQLite's BINARY
// collation (memcmp), which on UTF-8 is S3's order.
const schema = `
CREATE TABLE IF NOT EXISTS buckets(
	name TEXT PRIMARY KEY,
	created INTEGER NOT NULL,
	location TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects(
	bucket TEXT NOT NULL,
	key TEXT NOT NULL,
	size INTEGER NOT NULL,
	etag TEXT NOT NULL,
	mtime INTEGER NOT NULL,
	meta TEXT NOT NULL,
	tags TEXT NOT NULL,
	class TEXT NOT NULL,
	cksum TEXT NOT NULL,
	segs TEXT NOT NULL,
	PRIMARY KEY(bucket, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads(
	id TEXT PRIMARY KEY,
	bucket TEXT NOT NULL,
	key TEXT NOT NULL,
	initiated INTEGER NOT NULL,
	meta TEXT NOT NULL,
	tags TEXT NOT NULL,
	class TEXT NOT NULL,
	cksum_alg TEXT NOT NULL,
	cksum_type TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads(bucket, key, id);
CREATE TABLE IF NOT EXISTS parts(
	upload TEXT NOT NULL,
	num INTEGER NOT NULL,
	size INTEGER NOT NULL,
	etag TEXT NOT NULL,
	mtime INTEGER NOT NULL,
	file TEXT NOT NULL,
	cksum TEXT NOT NULL,
	PRIMARY KEY(upload, num)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refs(id TEXT PRIMARY KEY) WITHOUT ROWID;
`

func openDB(dir string) (writer, reader *sql.DB, err error) {
	dsn := func(txlock string) string {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		// FULL: every commit is fsynced to the WAL before it returns (NORMAL may lose the last
		// commits on power loss, and an acknowledged write must survive it).
		q.Add("_pragma", "synchronous(FULL)")
		if txlock != "" {
			q.Set("_txlock", txlock)
		}
		return "file:" + filepath.Join(dir, "index.db") + "?" + q.Encode()
	}
	writer, err = sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		return nil, nil, err
	}
	writer.SetMaxOpenConns(1) // one writer: commits queue here instead of failing busy
	if _, err := writer.Exec(schema); err != nil {
		writer.Close()
		return nil, nil, err
	}
	reader, err = sql.Open("sqlite", dsn(""))
	if err != nil {
		writer.Close()
		return nil, nil, err
	}
	reader.SetMaxOpenConns(8)
	return writer, reader, nil
}

// object is one row of objects.
type object struct {
	Bucket, Key string
	Size        int64
	ETag        string // quoted, as S3 writes it
	MTime       time.Time
	Meta        meta
	Tags        string // the tag set in query form, as x-amz-tagging carries it
	Class       string // storage class, "" for STANDARD
	Cksum       checksum
	Segs        []segment
}

// meta are the headers an object keeps.
type meta struct {
	ContentType        string            `json:"ct,omitempty"`
	CacheControl       string            `json:"cc,omitempty"`
	ContentDisposition string            `json:"cd,omitempty"`
	ContentEncoding    string            `json:"ce,omitempty"`
	ContentLanguage    string            `json:"cl,omitempty"`
	Expires            string            `json:"ex,omitempty"`
	User               map[string]string `json:"u,omitempty"` // x-amz-meta-* without the prefix, lower case
}

// checksum is an object's or part's additional checksum.
type checksum struct {
	Alg   string `json:"a,omitempty"` // CRC32, CRC32C, CRC64NVME, SHA1, SHA256
	Value string `json:"v,omitempty"` // base64, with "-N" for a composite one
	Type  string `json:"t,omitempty"` // FULL_OBJECT or COMPOSITE
}

// segment is one data file of an object: the whole object, or one part of a multipart one.
type segment struct {
	ID   string `json:"f"`
	Part int    `json:"p,omitempty"` // part number, 0 for a single-part object
	Size int64  `json:"s"`
}

func (o *object) files() []string {
	ids := make([]string, len(o.Segs))
	for i, s := range o.Segs {
		ids[i] = s.ID
	}
	return ids
}

func (o *object) multipart() bool { return len(o.Segs) > 0 && o.Segs[0].Part > 0 }

const objectCols = `bucket, key, size, etag, mtime, meta, tags, class, cksum, segs`

type scanner interface{ Scan(...any) error }

func scanObject(s scanner) (*object, error) {
	var o object
	var mtime int64
	var m, ck, segs string
	if err := s.Scan(&o.Bucket, &o.Key, &o.Size, &o.ETag, &mtime, &m, &o.Tags, &o.Class, &ck, &segs); err != nil {
		return nil, err
	}
	o.MTime = time.UnixMilli(mtime).UTC()
	if err := json.Unmarshal([]byte(m), &o.Meta); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ck), &o.Cksum); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(segs), &o.Segs); err != nil {
		return nil, err
	}
	return &o, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// getObject returns the object, or nil.
func getObject(ctx context.Context, q querier, bucket, key string) (*object, error) {
	o, err := scanObject(q.QueryRowContext(ctx, `SELECT `+objectCols+` FROM objects WHERE bucket = ? AND key = ?`, bucket, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return o, err
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs and maps of strings are marshalled
	}
	return string(b)
}

// putObject inserts or replaces o, and returns the data files the row it replaced referenced.
func putObject(ctx context.Context, tx *sql.Tx, o *object) (old []string, err error) {
	prev, err := getObject(ctx, tx, o.Bucket, o.Key)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		old = prev.files()
		if err := unref(ctx, tx, old); err != nil {
			return nil, err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO objects(`+objectCols+`) VALUES(?,?,?,?,?,?,?,?,?,?)`,
		o.Bucket, o.Key, o.Size, o.ETag, o.MTime.UnixMilli(), mustJSON(o.Meta), o.Tags, o.Class, mustJSON(o.Cksum), mustJSON(o.Segs))
	if err != nil {
		return nil, err
	}
	for _, s := range o.Segs {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO refs(id) VALUES(?)`, s.ID); err != nil {
			return nil, err
		}
	}
	// A file of the old row the new one still uses (a multipart part kept) is no garbage.
	keep := make(map[string]bool, len(o.Segs))
	for _, s := range o.Segs {
		keep[s.ID] = true
	}
	var gone []string
	for _, id := range old {
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	return gone, nil
}

// deleteObject removes the row and returns its data files.
func deleteObject(ctx context.Context, tx *sql.Tx, bucket, key string) ([]string, error) {
	prev, err := getObject(ctx, tx, bucket, key)
	if err != nil || prev == nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM objects WHERE bucket = ? AND key = ?`, bucket, key); err != nil {
		return nil, err
	}
	ids := prev.files()
	return ids, unref(ctx, tx, ids)
}

func unref(ctx context.Context, tx *sql.Tx, ids []string) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM refs WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

func bucketExists(ctx context.Context, q querier, bucket string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM buckets WHERE name = ?`, bucket).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// prepared is the readers' pool with each query prepared once and kept: SQLite parses a
// statement given as text every time it runs, and that parse was a fifth of a small GET's CPU
// (pprof of `iamd bench --op s3-get`). The queries are the package's own constants, so the
// cache is bounded by their number.
type prepared struct {
	*sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (p *prepared) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.m[query]; ok {
		return st, nil
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if p.m == nil {
		p.m = map[string]*sql.Stmt{}
	}
	p.m[query] = st
	return st, nil
}

// QueryRowContext runs query through its prepared statement.
func (p *prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return p.DB.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs query through its prepared statement.
func (p *prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRow is QueryRowContext without a context.
func (p *prepared) QueryRow(query string, args ...any) *sql.Row {
	return p.QueryRowContext(context.Background(), query, args...)
}

func (p *prepared) close() error {
	p.mu.Lock()
	for _, st := range p.m {
		st.Close()
	}
	p.m = nil
	p.mu.Unlock()
	return p.DB.Close()
}

// rowCache keeps object rows by "bucket\x00key", each valid for the write generation it was
// read at: a small GET then costs no SQL query while nothing is written. It is bounded; when
// full it is emptied.
type rowCache struct {
	mu sync.RWMutex
	m  map[string]cachedRow
}

type cachedRow struct {
	gen uint64
	o   *object
}

const maxCachedRows = 10000

func (c *rowCache) get(k string, gen uint64) *object {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || e.gen != gen {
		return nil
	}
	return e.o
}

func (c *rowCache) put(k string, gen uint64, o *object) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedRows {
		c.m = make(map[string]cachedRow, 256)
	}
	c.m[k] = cachedRow{gen, o}
	c.mu.Unlock()
}
