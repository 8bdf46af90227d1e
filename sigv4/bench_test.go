package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// benchRequest is a typical SDK call as the server receives it: a header-signed form POST
// (aws-sdk-go-v2 signs content-length, content-type, host, x-amz-date).
func benchRequest(b *testing.B, presign bool) (*http.Request, []byte) {
	b.Helper()
	body := tBody
	var wire bytes.Buffer
	at := tNow.Add(-time.Minute)
	if presign {
		r, err := http.NewRequest("GET", "https://sts.example.test/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=900", nil)
		if err != nil {
			b.Fatal(err)
		}
		u, _, err := v4.NewSigner().PresignHTTP(context.Background(), tTemp, r, payloadHash(nil), "sts", "us-east-1", at)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&wire, "GET %s HTTP/1.1\r\nHost: sts.example.test\r\n\r\n", u[len("https://sts.example.test"):])
		body = nil
	} else {
		r := newPostB(b, body)
		if err := v4.NewSigner().SignHTTP(context.Background(), tCreds, r, payloadHash(body), "sts", "us-east-1", at); err != nil {
			b.Fatal(err)
		}
		r.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26 api/sts#1.52.0")
		if err := r.Write(&wire); err != nil {
			b.Fatal(err)
		}
	}
	r, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		b.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Equal(got, body) {
		b.Fatal("body mismatch")
	}
	return r, body
}

func newPostB(b *testing.B, body []byte) *http.Request {
	r, err := http.NewRequest("POST", "https://sts.example.test/", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

// BenchmarkVerify measures Verify on a server-parsed request: "cached" reuses the derived
// signing key (the steady state), "uncached" derives it on every call (four extra HMACs).
// "into" is VerifyInto with a reused Result: the same work without the result's allocation.
// "server" is VerifyInto as iamd's server configures it: its decoder has refused repeated form
// keys already (FormChecked), so the verifier does not look for them again. "new-header" is
// the server's first request with an Authorization header (up to its signature) it has not
// verified before: a client's first call of the day, or a new client's, whose signing key is
// cached.
func BenchmarkVerify(b *testing.B) {
	for _, bc := range []struct {
		name         string
		presign      bool
		into         bool
		formChecked  bool
		forgetKeys   bool // the signing key, and the headers remembered with it
		forgetHeader bool // the Authorization headers only
	}{
		{name: "header/cached"},
		{name: "header/uncached", forgetKeys: true},
		{name: "presigned/cached", presign: true},
		{name: "into/header/cached", into: true},
		{name: "server/header/cached", into: true, formChecked: true},
		{name: "server/header/new-header", into: true, formChecked: true, forgetHeader: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r, body := benchRequest(b, bc.presign)
			v := testVerifier()
			v.FormChecked = bc.formChecked
			ctx := context.Background()
			if _, err := v.Verify(ctx, r, body); err != nil {
				b.Fatal(err)
			}
			var res Result
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				if bc.forgetKeys {
					v.keys.mu.Lock()
					clear(v.keys.m)
					v.keys.n = 0
					v.keys.mu.Unlock()
				}
				if bc.forgetKeys || bc.forgetHeader {
					v.auths.mu.Lock()
					clear(v.auths.m)
					v.auths.mu.Unlock()
				}
				if bc.into {
					if err := v.VerifyInto(ctx, r, body, &res); err != nil {
						b.Fatal(err)
					}
				} else if _, err := v.Verify(ctx, r, body); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// reportCPU reports the process's CPU time per operation since cpu0: wall time per op is
// inflated when other processes share the cores, CPU time is not.
func reportCPU(b *testing.B, cpu0 int64) {
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkVerifyParallel(b *testing.B) {
	r, body := benchRequest(b, false)
	v := testVerifier()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(ctx, r, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

var floorSink [32]byte

// BenchmarkHashFloor is the SHA-256 work Verify cannot avoid for the header/cached request
// (body, canonical request, HMAC inner and outer: 12 blocks), measured beside it so the
// numbers can be compared on a loaded machine.
func BenchmarkHashFloor(b *testing.B) {
	r, body := benchRequest(b, false)
	var req request
	if err := gather(&req, r, nil); err != nil {
		b.Fatal(err)
	}
	if err := checkSignedHeaders(r, &req, nil); err != nil {
		b.Fatal(err)
	}
	canonical := appendCanonical(nil, r, &req, nil, body)
	inner := make([]byte, 64+len("AWS4-HMAC-SHA256\n20261127T121900Z\n20261127/us-east-1/sts/aws4_request\n")+64)
	outer := make([]byte, 96)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		floorSink = sha256.Sum256(body)
		floorSink = sha256.Sum256(canonical)
		floorSink = sha256.Sum256(inner)
		floorSink = sha256.Sum256(outer)
	}
	reportCPU(b, cpu0)
}

// floorVerify is not a verifier: it checks nothing a client could get wrong and knows the
// benchmark request's shape in advance. It does only what any verifier of that request must do
// with the standard library's SHA-256 and http.Header: the five header lookups, splitting the
// Authorization header and the credential, parsing X-Amz-Date, the canonical request, and then
// what Verify itself does last (sign: the secret and key-cache lookups, the digests and the
// comparison). BenchmarkVerifyFloor times it beside BenchmarkVerify, as a yardstick that moves
// with the machine.
func floorVerify(v *Verifier, r *http.Request, body []byte, s *scratch, res *Result) error {
	const credential, signedHeaders, signature = algorithm + " Credential=", " SignedHeaders=", " Signature="
	rest := r.Header["Authorization"][0][len(credential):]
	i := strings.IndexByte(rest, ',')
	cred, rest := rest[:i], rest[i+1+len(signedHeaders):]
	i = strings.IndexByte(rest, ',')
	sh, sig := rest[:i], rest[i+1+len(signature):]
	i = strings.IndexByte(cred, '/')
	sc := scope{accessKeyID: cred[:i], raw: cred[i+1:], date: cred[i+1 : i+9]}
	rest = cred[i+10:]
	i = strings.IndexByte(rest, '/')
	sc.region, rest = rest[:i], rest[i+1:]
	sc.service = rest[:strings.IndexByte(rest, '/')]
	amz := r.Header["X-Amz-Date"][0]
	if _, ok := parseAmzDate(amz); !ok {
		return errBadDate(amz)
	}
	ct, cl := r.Header["Content-Type"], r.Header["Content-Length"]
	_ = r.Header["X-Amz-Security-Token"]
	b := append(s.buf[:0], r.Method...)
	b = append(b, "\n/\n\ncontent-length:"...)
	b = append(b, cl[0]...)
	b = append(b, "\ncontent-type:"...)
	b = append(b, ct[0]...)
	b = append(b, "\nhost:"...)
	b = append(b, r.Host...)
	b = append(b, "\nx-amz-date:"...)
	b = append(b, amz...)
	b = append(b, "\n\n"...)
	b = append(b, sh...)
	b = append(b, '\n')
	res.Credential.AccessKeyID = sc.accessKeyID
	_, err := v.sign(context.Background(), s, b, body, &sc, amz, sig, res, nil)
	return err
}

func BenchmarkVerifyFloor(b *testing.B) {
	r, body := benchRequest(b, false)
	v := testVerifier()
	s := newScratch()
	var res Result
	if err := floorVerify(v, r, body, s, &res); err != nil {
		b.Fatalf("the floor does not verify the benchmark's request: %v", err)
	}
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		floorVerify(v, r, body, s, &res)
	}
	reportCPU(b, cpu0)
}
