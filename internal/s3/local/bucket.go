package local

import (
	"database/sql"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// validBucketName applies S3's rules for new general purpose buckets: 3 to 63 characters of
// lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit, no
// two adjacent dots, not an IP address, none of the reserved prefixes and suffixes.
func validBucketName(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(s[0]) || !alnum(s[len(s)-1]) || strings.Contains(s, "..") {
		return false
	}
	if strings.HasPrefix(s, "xn--") || strings.HasPrefix(s, "sthree-") || strings.HasPrefix(s, "amzn-s3-demo-") ||
		strings.HasSuffix(s, "-s3alias") || strings.HasSuffix(s, "--ol-s3") || strings.HasSuffix(s, ".mrap") ||
		strings.HasSuffix(s, "--x-s3") || strings.HasSuffix(s, "--table-s3") {
		return false
	}
	dots, digits := 0, true
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			dots++
		} else if s[i] < '0' || s[i] > '9' {
			digits = false
		}
	}
	return !(dots == 3 && digits)
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

func (b *Backend) createBucket(rq *request) error {
	if !validBucketName(rq.bucket) {
		return s3err.InvalidBucketName(rq.bucket)
	}
	var cfg createBucketConfiguration
	body, err := readAllLimit(rq.r, 64<<10)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := decodeXML(body, &cfg); err != nil {
			return err
		}
	}
	now := b.opt.Now()
	err = b.write(rq.ctx, func(tx *sql.Tx) error {
		ok, err := bucketExists(rq.ctx, tx, rq.bucket)
		if err != nil {
			return err
		}
		if ok {
			return s3err.BucketAlreadyOwnedByYou(rq.bucket)
		}
		_, err = tx.ExecContext(rq.ctx, `INSERT INTO buckets(name, created, location) VALUES(?,?,?)`, rq.bucket, now.UnixMilli(), cfg.LocationConstraint)
		return err
	})
	if err != nil {
		return err
	}
	rq.w.Header().Set("Location", "/"+rq.bucket)
	rq.w.Header().Set("Content-Length", "0")
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

func (b *Backend) deleteBucket(rq *request) error {
	var garbage []string
	err := b.write(rq.ctx, func(tx *sql.Tx) error {
		if err := needBucket(rq.ctx, tx, rq.bucket); err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(rq.ctx, `SELECT 1 FROM objects WHERE bucket = ? LIMIT 1`, rq.bucket).Scan(&one)
		if err == nil {
			return s3err.BucketNotEmpty(rq.bucket)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// In-progress multipart uploads do not keep a bucket alive on S3: they go with it.
		rows, err := tx.QueryContext(rq.ctx, `SELECT p.file FROM parts p JOIN uploads u ON p.upload = u.id WHERE u.bucket = ?`, rq.bucket)
		if err != nil {
			return err
		}
		for rows.Next() {
			var f string
			if err := rows.Scan(&f); err != nil {
				rows.Close()
				return err
			}
			garbage = append(garbage, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := unref(rq.ctx, tx, garbage); err != nil {
			return err
		}
		for _, stmt := range []string{
			`DELETE FROM parts WHERE upload IN (SELECT id FROM uploads WHERE bucket = ?)`,
			`DELETE FROM uploads WHERE bucket = ?`,
			`DELETE FROM buckets WHERE name = ?`,
		} {
			if _, err := tx.ExecContext(rq.ctx, stmt, rq.bucket); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.files.remove(garbage)
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (b *Backend) headBucket(rq *request) error {
	var loc string
	err := b.r.QueryRowContext(rq.ctx, `SELECT location FROM buckets WHERE name = ?`, rq.bucket).Scan(&loc)
	if errors.Is(err, sql.ErrNoRows) {
		return s3err.NoSuchBucket(rq.bucket)
	} else if err != nil {
		return err
	}
	if loc != "" {
		rq.w.Header().Set("X-Amz-Bucket-Region", loc)
	}
	rq.w.WriteHeader(http.StatusOK)
	return nil
}
