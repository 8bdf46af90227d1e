package upstream

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

// The backend names objects by its own address: CompleteMultipartUpload's <Location>, and a
// Location header, read http://BACKEND/bucket/key. S3 names them by the address the client
// used, so these are rewritten to the client's scheme and Host.

// clientBase is the scheme and host of the address the client sent r to.
func clientBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// rewriteLocationHeader points a Location header naming the backend at the client's address.
func (b *Backend) rewriteLocationHeader(h http.Header, r *http.Request) {
	base := b.scheme + "://" + b.host
	if loc := h.Get("Location"); strings.HasPrefix(loc, base+"/") {
		h.Set("Location", clientBase(r)+loc[len(base):])
	}
}

// locationRewriter rewrites the first "<Location>OLD" of a streamed body to "<Location>NEW",
// holding back no more than the bytes a match could still span.
type locationRewriter struct {
	src      io.Reader
	old, new []byte
	buf      []byte // read, not yet returned
	done     bool   // rewritten once: pass the rest through
	err      error  // the source's end or failure, after buf
}

func newLocationRewriter(src io.Reader, oldBase, newBase string) *locationRewriter {
	return &locationRewriter{src: src, old: []byte("<Location>" + oldBase + "/"), new: []byte("<Location>" + newBase + "/")}
}

func (l *locationRewriter) Read(p []byte) (int, error) {
	for {
		if !l.done {
			if i := bytes.Index(l.buf, l.old); i >= 0 {
				l.buf = append(l.buf[:i:i], append(l.new, l.buf[i+len(l.old):]...)...)
				l.done = true
			}
		}
		safe := len(l.buf)
		if !l.done && l.err == nil {
			safe -= len(l.old) - 1
		}
		if safe > 0 {
			n := copy(p, l.buf[:safe])
			l.buf = l.buf[n:]
			return n, nil
		}
		if l.err != nil {
			return 0, l.err
		}
		var tmp [4096]byte
		n, err := l.src.Read(tmp[:])
		l.buf = append(l.buf, tmp[:n]...)
		if err != nil {
			l.err = err
		}
	}
}
