package server

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/s3/s3err"
)

// DeleteObjects (POST ?delete) names its keys in its body, and S3 authorizes each key on its
// own: a key the caller may not delete is reported as an AccessDenied error in the answer, and
// the others are deleted. The front reads the body (small: at most 1,000 keys), decides each
// key, forwards the allowed ones to the backend, and adds the refusals to its answer.

// maxDeleteBody bounds a DeleteObjects body: 1,000 keys of up to 1,024 bytes, XML-escaped.
const maxDeleteBody = 8 << 20

type deleteRequest struct {
	XMLName xml.Name       `xml:"Delete"`
	Quiet   bool           `xml:"Quiet,omitempty"`
	Objects []deleteObject `xml:"Object"`
}

type deleteObject struct {
	Key              string `xml:"Key"`
	VersionId        string `xml:"VersionId,omitempty"`
	ETag             string `xml:"ETag,omitempty"`
	LastModifiedTime string `xml:"LastModifiedTime,omitempty"`
	Size             string `xml:"Size,omitempty"`
}

type deleteResult struct {
	XMLName xml.Name      `xml:"DeleteResult"`
	Xmlns   string        `xml:"xmlns,attr,omitempty"`
	Deleted []deletedItem `xml:"Deleted"`
	Errors  []deleteError `xml:"Error"`
}

type deletedItem struct {
	Key                   string `xml:"Key"`
	VersionId             string `xml:"VersionId,omitempty"`
	DeleteMarker          string `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionId string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteError struct {
	Key       string `xml:"Key"`
	VersionId string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

// deleteObjects runs a DeleteObjects call whose bucket-level access was authorized.
func (s *Server) deleteObjects(ctx context.Context, w *s3Writer, c *s3Call, br *http.Request, origin authz.Origin, keys []authz.Key) *s3err.Error {
	body, err := io.ReadAll(io.LimitReader(br.Body, maxDeleteBody+1))
	if c.body != nil && c.body.err != nil {
		return c.body.err
	}
	if err != nil {
		return s3err.IncompleteBody()
	}
	if len(body) > maxDeleteBody {
		return s3err.MalformedXML()
	}
	var req deleteRequest
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Objects) == 0 {
		return s3err.MalformedXML()
	}
	if len(req.Objects) > 1000 {
		return s3err.MalformedXML()
	}
	var denied []deleteError
	allowed := req.Objects[:0:0]
objects:
	for _, o := range req.Objects {
		for _, acc := range c.op.Access {
			if !acc.PerKey {
				continue
			}
			if e := s.authorizeS3(ctx, c, origin, acc.ForKey(o.Key, o.VersionId), keys); e != nil {
				if e.Code != "AccessDenied" {
					return e
				}
				denied = append(denied, deleteError{Key: o.Key, VersionId: o.VersionId, Code: "AccessDenied", Message: "Access Denied"})
				continue objects
			}
		}
		allowed = append(allowed, o)
	}
	if len(allowed) == 0 {
		// Nothing to ask the backend: the answer is the refusals.
		return writeDeleteResult(w, deleteResult{Errors: denied})
	}
	fwd := body
	if len(denied) > 0 {
		req.Objects = allowed
		if fwd, err = xml.Marshal(req); err != nil {
			return s3err.InternalError()
		}
	}
	sum := md5.Sum(fwd)
	br.Body = io.NopCloser(bytes.NewReader(fwd))
	br.ContentLength = int64(len(fwd))
	h := br.Header
	h.Set("Content-Length", strconv.Itoa(len(fwd)))
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	for k := range h {
		if len(k) > len("X-Amz-Checksum-") && k[:len("X-Amz-Checksum-")] == "X-Amz-Checksum-" || k == "X-Amz-Sdk-Checksum-Algorithm" {
			delete(h, k)
		}
	}
	if len(denied) == 0 {
		s.cfg.S3.Backend.ServeHTTP(w, br)
		return nil
	}
	rec := &bufferedResponse{header: http.Header{}}
	s.cfg.S3.Backend.ServeHTTP(rec, br)
	if rec.status/100 != 2 {
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
		return nil
	}
	var res deleteResult
	if err := xml.Unmarshal(rec.body.Bytes(), &res); err != nil {
		return s3err.InternalError()
	}
	res.Errors = append(res.Errors, denied...)
	return writeDeleteResult(w, res)
}

func writeDeleteResult(w *s3Writer, res deleteResult) *s3err.Error {
	res.Xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"
	b, err := xml.Marshal(res)
	if err != nil {
		return s3err.InternalError()
	}
	b = append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return nil
}
