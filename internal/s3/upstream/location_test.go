package upstream

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// TestCompleteLocation: CompleteMultipartUpload's <Location>, and a Location header, name the
// object by the address the client used, not the backend's.
func TestCompleteLocation(t *testing.T) {
	var fake *httptest.Server
	fake = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", fake.URL+"/b/k")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Location>`+fake.URL+
			`/b/k</Location><Bucket>b</Bucket><Key>k</Key><ETag>"x-2"</ETag></CompleteMultipartUploadResult>`)
	}))
	defer fake.Close()
	b := newBackend(t, fake.URL, nil)
	r := httptest.NewRequest("POST", "/b/k?uploadId=u1", strings.NewReader("<CompleteMultipartUpload/>"))
	r.Host = "s3.example.test:8443"
	w := httptest.NewRecorder()
	b.ServeHTTP(w, r)
	body := w.Body.String()
	if !strings.Contains(body, "<Location>http://s3.example.test:8443/b/k</Location>") || strings.Contains(body, fake.URL) {
		t.Errorf("body: %s", body)
	}
	if got := w.Header().Get("Location"); got != "http://s3.example.test:8443/b/k" {
		t.Errorf("Location header %q", got)
	}
}

// TestLocationRewriter: the rewrite finds a match split across reads, once.
func TestLocationRewriter(t *testing.T) {
	in := "<a><Location>http://up:1/b/k</Location><Location>http://up:1/again</Location></a>"
	got, err := io.ReadAll(newLocationRewriter(iotest.OneByteReader(strings.NewReader(in)), "http://up:1", "https://front"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "<a><Location>https://front/b/k</Location><Location>http://up:1/again</Location></a>"; string(got) != want {
		t.Errorf("got %s", got)
	}
}
