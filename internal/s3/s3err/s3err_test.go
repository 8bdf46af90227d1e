package s3err

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, httptest.NewRequest("GET", "/b/k", nil), NoSuchKey("a<b&c"), "RID", "HID")
	if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != "application/xml" || rec.Header().Get("X-Amz-Request-Id") != "RID" {
		t.Fatalf("answer %d %v", rec.Code, rec.Header())
	}
	var doc struct {
		XMLName                               xml.Name `xml:"Error"`
		Code, Message, Key, RequestId, HostId string
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err, rec.Body.String())
	}
	if doc.Code != "NoSuchKey" || doc.Key != "a<b&c" || doc.RequestId != "RID" || doc.HostId != "HID" {
		t.Fatalf("%+v", doc)
	}
}

func TestWriteHeadHasNoBody(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, httptest.NewRequest("HEAD", "/b/k", nil), NoSuchKey("k"), "RID", "HID")
	if rec.Code != http.StatusNotFound || rec.Body.Len() != 0 {
		t.Fatalf("%d %q", rec.Code, rec.Body.String())
	}
}

func TestWithCopies(t *testing.T) {
	base := New(400, "X", "m")
	a, b := base.With("A", "1"), base.With("B", "2")
	if len(base.Extra) != 0 || len(a.Extra) != 1 || a.Extra[0].Name != "A" || b.Extra[0].Name != "B" {
		t.Fatalf("%v %v %v", base.Extra, a.Extra, b.Extra)
	}
}
