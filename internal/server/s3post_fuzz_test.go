package server

import (
	"bytes"
	"mime/multipart"
	"testing"
	"time"
)

// FuzzPostForm: any browser upload body and policy document is read and checked without a
// panic, and a policy that passes bounds the object within [0, 5 GiB].
func FuzzPostForm(f *testing.F) {
	f.Add([]byte(`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key","up/"],["content-length-range",0,10],{"x-amz-date":"d"}]}`), "up/x", "d")
	f.Add([]byte(`{"expiration":"bad","conditions":[]}`), "k", "")
	f.Add([]byte(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$Content-Type","a,b"],["starts-with","$content-type",""]]}`), "k", "")
	f.Fuzz(func(t *testing.T, policy []byte, key, date string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("key", key)
		if date != "" {
			mw.WriteField("x-amz-date", date)
		}
		fw, _ := mw.CreateFormFile("file", "f.txt")
		fw.Write([]byte("hello"))
		mw.Close()
		form, e := readPostForm(multipart.NewReader(&body, mw.Boundary()))
		if e != nil {
			return
		}
		lr, e := checkPostPolicy(policy, form, "b", key, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if e == nil && (lr[0] < 0 || lr[1] > maxPostObject || lr[0] > lr[1]) {
			t.Fatalf("range %v", lr)
		}
	})
}
