package bucket

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// ns is S3's XML namespace; every document iamd answers is in it.
const ns = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxConfigBody bounds the configuration documents a Put may send. S3's own limits are smaller
// (a CORS configuration is at most 64 KB, a policy 20 KB); this only keeps memory bounded.
const maxConfigBody = 1 << 20

// writeXML answers v as an XML document with status.
func writeXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		panic(err) // only iamd's own types are marshalled
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	w.Write(body)
}

// noContent answers 204, as S3 answers the Deletes and some Puts of configurations.
func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

func ok(w http.ResponseWriter) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

var errTooLarge = errors.New("body too large")

// readBody reads req's body up to limit bytes; more is errTooLarge.
func readBody(req *http.Request, limit int) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, errTooLarge
	}
	if v, ok := req.Header["Content-Md5"]; ok {
		// S3 checks a Content-MD5 on every request that has one.
		want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v[0]))
		if err != nil || len(want) != md5.Size {
			return nil, s3err.InvalidDigest()
		}
		if got := md5.Sum(b); !bytes.Equal(got[:], want) {
			return nil, s3err.BadDigest()
		}
	}
	return b, nil
}

// readConfig reads a configuration document: a missing body is MissingRequestBodyError, one
// too large MalformedXML. Failures to read are returned as they are (the front answers them).
func readConfig(req *http.Request) ([]byte, error) {
	b, err := readBody(req, maxConfigBody)
	if errors.Is(err, errTooLarge) {
		return nil, s3err.MalformedXML()
	}
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, missingBody()
	}
	return b, nil
}

// decodeXML decodes an input document into v, whose XMLName names the root element (in any
// namespace, as S3 accepts); anything that is not one well-formed document is MalformedXML.
func decodeXML(body []byte, v any) *s3err.Error {
	d := xml.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(v); err != nil {
		return s3err.MalformedXML()
	}
	// Nothing but white space, comments and processing instructions may follow the root.
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s3err.MalformedXML()
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return s3err.MalformedXML()
			}
		case xml.Comment, xml.ProcInst:
		default:
			return s3err.MalformedXML()
		}
	}
}

// parseBool reads an XML boolean as S3's schema allows it ("true", "false"; xsd also allows 1
// and 0); anything else is MalformedXML.
func parseBool(s string) (bool, bool) {
	switch string(bytes.TrimSpace([]byte(s))) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// owner is S3's Owner element. DisplayName is left out: S3 stopped returning it in 2025.
type owner struct {
	ID string `xml:"ID"`
}
