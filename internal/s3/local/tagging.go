package local

import (
	"crypto/md5"
	"database/sql"
	"net/http"
	"strings"

	"github.com/iamd/iamd/internal/s3/s3err"
)

func (b *Backend) getTagging(rq *request) error {
	o, release, err := b.openObject(rq.ctx, rq.bucket, rq.key)
	if err != nil {
		return err
	}
	release()
	var res taggingResult
	res.TagSet.Tags = decodeTags(o.Tags)
	return writeXML(rq.w, &res)
}

// setTags replaces an object's tag set.
func (b *Backend) setTags(rq *request, tags string) error {
	return b.write(rq.ctx, func(tx *sql.Tx) error {
		if err := needBucket(rq.ctx, tx, rq.bucket); err != nil {
			return err
		}
		res, err := tx.ExecContext(rq.ctx, `UPDATE objects SET tags = ? WHERE bucket = ? AND key = ?`, tags, rq.bucket, rq.key)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return s3err.NoSuchKey(rq.key)
		}
		return nil
	})
}

func (b *Backend) putTagging(rq *request) error {
	body, err := readAllLimit(rq.r, 64<<10)
	if err != nil {
		return err
	}
	if want, err := contentMD5(rq.r.Header); err != nil {
		return err
	} else if want != nil {
		if sum := md5.Sum(body); string(sum[:]) != string(want) {
			return s3err.BadDigest()
		}
	}
	if err := checkBodyChecksum(rq.r.Header, body); err != nil {
		return err
	}
	var t tagging
	if err := decodeXML(body, &t); err != nil {
		return err
	}
	if err := checkTags(t.TagSet.Tags); err != nil {
		return err
	}
	if err := b.setTags(rq, encodeTags(t.TagSet.Tags)); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

func (b *Backend) deleteTagging(rq *request) error {
	if err := b.setTags(rq, ""); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkBodyChecksum verifies an x-amz-checksum-* header against a small body read whole.
func checkBodyChecksum(h http.Header, body []byte) error {
	want, err := requestChecksum(h)
	if err != nil || want.value == "" {
		return err
	}
	hh := newHash(want.alg)
	hh.Write(body)
	if b64(hh.Sum(nil)) != want.value {
		return badChecksum(want.alg)
	}
	return nil
}

const maxDeleteKeys = 1000

func (b *Backend) deleteObjects(rq *request) error {
	h := rq.r.Header
	want, err := requestChecksum(h)
	if err != nil {
		return err
	}
	// A checksum in a trailer was verified by the front, which decoded the body.
	_, hasMD5 := h["Content-Md5"]
	if !hasMD5 && want.value == "" && trailerChecksum(rq.r, want.alg) == "" && !strings.Contains(strings.ToLower(h.Get("X-Amz-Trailer")), "x-amz-checksum-") {
		return s3err.InvalidRequest("Missing required header for this request: Content-MD5")
	}
	body, err := readAllLimit(rq.r, 2<<20)
	if err != nil {
		return err
	}
	if wantMD5, err := contentMD5(h); err != nil {
		return err
	} else if wantMD5 != nil {
		if sum := md5.Sum(body); string(sum[:]) != string(wantMD5) {
			return s3err.BadDigest()
		}
	}
	if want.value == "" {
		want.value = trailerChecksum(rq.r, want.alg)
	}
	if want.value != "" {
		hh := newHash(want.alg)
		hh.Write(body)
		if b64(hh.Sum(nil)) != want.value {
			return badChecksum(want.alg)
		}
	}
	var req deleteRequest
	if err := decodeXML(body, &req); err != nil {
		return err
	}
	if len(req.Objects) == 0 || len(req.Objects) > maxDeleteKeys {
		return s3err.MalformedXML()
	}
	if err := needBucket(rq.ctx, b.r, rq.bucket); err != nil {
		return err
	}
	res := deleteResult{}
	var garbage []string
	err = b.write(rq.ctx, func(tx *sql.Tx) error {
		if err := needBucket(rq.ctx, tx, rq.bucket); err != nil {
			return err
		}
		garbage, res = nil, deleteResult{}
		for _, ob := range req.Objects {
			if ob.Key == nil {
				return s3err.MalformedXML()
			}
			key := *ob.Key
			switch {
			case len(key) > maxKeyLen:
				res.Errors = append(res.Errors, deleteError{Key: key, VersionID: ob.VersionID, Code: "KeyTooLongError", Message: "Your key is too long"})
				continue
			case ob.VersionID != "" && ob.VersionID != "null":
				res.Errors = append(res.Errors, deleteError{Key: key, VersionID: ob.VersionID, Code: "NoSuchVersion", Message: "The specified version does not exist."})
				continue
			}
			old, err := deleteObject(rq.ctx, tx, rq.bucket, key)
			if err != nil {
				return err
			}
			garbage = append(garbage, old...)
			if !req.Quiet {
				res.Deleted = append(res.Deleted, deleted{Key: key, VersionID: ob.VersionID})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.files.remove(garbage)
	return writeXML(rq.w, &res)
}
