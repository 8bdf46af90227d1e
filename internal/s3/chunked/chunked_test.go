package chunked

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// AWS's example of a chunked upload (S3 API reference, "Signature Calculations for the
// Authorization Header: Transferring Payload in Multiple Chunks"): 66,560 bytes of 'a' in chunks
// of 65,536 and 1,024 bytes, signed with the documentation's example secret at 20130524T000000Z
// in us-east-1/s3.
const (
	exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	exampleDate   = "20130524T000000Z"
	exampleScope  = "20130524/us-east-1/s3/aws4_request"
	exampleSeed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	exampleSig1   = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	exampleSig2   = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	exampleSig3   = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
)

func exampleSigning() *Signing {
	return &Signing{Key: SigningKey(exampleSecret, "20130524", "us-east-1", "s3"), Date: exampleDate, Scope: exampleScope, Seed: exampleSeed}
}

func exampleBody() []byte {
	var b bytes.Buffer
	b.WriteString("10000;chunk-signature=" + exampleSig1 + "\r\n")
	b.Write(bytes.Repeat([]byte("a"), 65536))
	b.WriteString("\r\n400;chunk-signature=" + exampleSig2 + "\r\n")
	b.Write(bytes.Repeat([]byte("a"), 1024))
	b.WriteString("\r\n0;chunk-signature=" + exampleSig3 + "\r\n\r\n")
	return b.Bytes()
}

// readAll reads r to its end in reads of odd sizes and returns what it released and the error
// that ended it (nil at io.EOF).
func readAll(r *Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 1000)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestAWSExample(t *testing.T) {
	body := exampleBody()
	if len(body) != 66824 { // the example's Content-Length
		t.Fatalf("example body is %d bytes, want 66824", len(body))
	}
	for _, src := range []struct {
		name string
		r    io.Reader
	}{
		{"whole", bytes.NewReader(body)},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(body))},
		{"half reads", iotest.HalfReader(bytes.NewReader(body))},
	} {
		r := anyChunks(src.r, SignedPayload, exampleSigning(), 66560, nil)
		got, err := readAll(r)
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		if !bytes.Equal(got, bytes.Repeat([]byte("a"), 66560)) {
			t.Fatalf("%s: decoded %d bytes, not the example's 66560 'a'", src.name, len(got))
		}
		if tr := r.Trailers(); len(tr) != 0 {
			t.Errorf("%s: trailers %v", src.name, tr)
		}
	}
}

// TestAWSExampleTampered flips one byte of the example in its data, its signatures and its sizes:
// each is refused with the right error, and no byte of the chunk it spoils is released.
func TestAWSExampleTampered(t *testing.T) {
	body := exampleBody()
	first := len("10000;chunk-signature=" + exampleSig1 + "\r\n")
	second := first + 65536 + 2 + len("400;chunk-signature="+exampleSig2+"\r\n")
	third := second + 1024 + 2
	cases := []struct {
		name     string
		at       int
		to       byte
		want     error
		released int // bytes released before the error
	}{
		{"data of chunk 1", first + 100, 'b', ErrSignature, 0},
		{"data of chunk 2", second + 1023, 'b', ErrSignature, 65536},
		{"signature of chunk 1", len("10000;chunk-signature="), 'b', ErrSignature, 0},
		{"signature of chunk 2", first + 65536 + 2 + len("400;chunk-signature=") + 63, '0', ErrSignature, 65536},
		{"signature of the final chunk", third + len("0;chunk-signature=") + 5, 'f', ErrSignature, 66560},
		{"size of chunk 1 (larger)", 0, '2', ErrTooLong, 0}, // 0x20000 > 66560
		{"size of chunk 1 (zero)", 0, '0', ErrSignature, 0}, // the final chunk's signature is wrong
		{"size of chunk 2 (larger)", first + 65536 + 2 + 2, '1', ErrTooLong, 65536},
		{"size of chunk 2 (smaller)", first + 65536 + 2, '3', ErrMalformed, 65536}, // no CRLF after 0x300 bytes
		{"size of chunk 2 (non-hex)", first + 65536 + 2 + 1, 'g', ErrMalformed, 65536},
		{"CRLF after chunk 1", first + 65536, '\n', ErrMalformed, 0},
		{"final CRLF", len(body) - 2, 'x', ErrMalformed, 66560},
	}
	for _, c := range cases {
		b := bytes.Clone(body)
		if b[c.at] == c.to {
			t.Fatalf("%s: byte %d is already %q", c.name, c.at, c.to)
		}
		b[c.at] = c.to
		r := anyChunks(bytes.NewReader(b), SignedPayload, exampleSigning(), 66560, nil)
		got, err := readAll(r)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
		if len(got) != c.released || !bytes.Equal(got, bytes.Repeat([]byte("a"), len(got))) {
			t.Errorf("%s: released %d bytes, want %d of 'a'", c.name, len(got), c.released)
		}
		// The error sticks.
		if n, err2 := r.Read(make([]byte, 10)); n != 0 || err2 == nil || err2 == io.EOF {
			t.Errorf("%s: read after the error gave %d, %v", c.name, n, err2)
		}
	}
}

func TestSigningKeyAndChain(t *testing.T) {
	// The chain of the example, computed from its definition.
	s := exampleSigning()
	prev := s.Seed
	for i, c := range []struct {
		data []byte
		want string
	}{{bytes.Repeat([]byte("a"), 65536), exampleSig1}, {bytes.Repeat([]byte("a"), 1024), exampleSig2}, {nil, exampleSig3}} {
		got := signChunk(s, prev, c.data)
		if got != c.want {
			t.Fatalf("chunk %d: signature %s, want %s", i, got, c.want)
		}
		prev = got
	}
}

// signChunk and signTrailer sign as a client does, written from the documentation's definition
// (the Reader verifies through its own code path).
func signChunk(s *Signing, prev string, data []byte) string {
	sum := sha256.Sum256(data)
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("AWS4-HMAC-SHA256-PAYLOAD\n" + s.Date + "\n" + s.Scope + "\n" + prev + "\n" + emptySHA256 + "\n" + hex.EncodeToString(sum[:])))
	return hex.EncodeToString(m.Sum(nil))
}

func signTrailer(s *Signing, prev, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("AWS4-HMAC-SHA256-TRAILER\n" + s.Date + "\n" + s.Scope + "\n" + prev + "\n" + hex.EncodeToString(sum[:])))
	return hex.EncodeToString(m.Sum(nil))
}

// encode builds an aws-chunked body of data in chunks of size at most chunk, with the trailer
// lines given ("name:value").
func encode(mode Mode, s *Signing, data []byte, chunk int, trailers ...string) []byte {
	var b bytes.Buffer
	prev := ""
	if s != nil {
		prev = s.Seed
	}
	emit := func(p []byte) {
		if mode.Signed() {
			prev = signChunk(s, prev, p)
			fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(p), prev)
		} else {
			fmt.Fprintf(&b, "%x\r\n", len(p))
		}
		if len(p) > 0 {
			b.Write(p)
			b.WriteString("\r\n")
		}
	}
	for len(data) > 0 {
		n := min(chunk, len(data))
		emit(data[:n])
		data = data[n:]
	}
	emit(nil)
	canonical := ""
	for _, t := range trailers {
		b.WriteString(t + "\r\n")
		canonical += t + "\n"
	}
	if mode == SignedPayloadTrailer {
		b.WriteString("x-amz-trailer-signature:" + signTrailer(s, prev, canonical) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func checksums(data []byte) map[string]string {
	be32 := func(v uint32) string { return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, v)) }
	sha1sum := sha1.Sum(data)
	sha256sum := sha256.Sum256(data)
	return map[string]string{
		"x-amz-checksum-crc32":     be32(crc32.ChecksumIEEE(data)),
		"x-amz-checksum-crc32c":    be32(crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))),
		"x-amz-checksum-crc64nvme": base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, crc64.Checksum(data, crc64NVME))),
		"x-amz-checksum-sha1":      base64.StdEncoding.EncodeToString(sha1sum[:]),
		"x-amz-checksum-sha256":    base64.StdEncoding.EncodeToString(sha256sum[:]),
	}
}

func TestCheckValues(t *testing.T) {
	// The catalogued check values of each CRC, over "123456789".
	data := []byte("123456789")
	if got := crc64.Checksum(data, crc64NVME); got != 0xae8b14860a799888 {
		t.Errorf("CRC-64/NVME check %#x, want 0xae8b14860a799888", got)
	}
	if got := crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)); got != 0xe3069283 {
		t.Errorf("CRC-32C check %#x", got)
	}
	if got := crc32.ChecksumIEEE(data); got != 0xcbf43926 {
		t.Errorf("CRC-32 check %#x", got)
	}
	// An empty object's CRC32 as boto3 sends it.
	if got := checksums(nil)["x-amz-checksum-crc32"]; got != "AAAAAA==" {
		t.Errorf("crc32 of nothing %s", got)
	}
}

func TestTrailers(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 10000) // 160,000 bytes
	sums := checksums(data)
	for _, mode := range []Mode{UnsignedPayloadTrailer, SignedPayloadTrailer} {
		var sig *Signing
		if mode.Signed() {
			sig = exampleSigning()
		}
		for name, value := range sums {
			for _, chunk := range []int{65536, 1000, 8192, len(data)} {
				body := encode(mode, sig, data, chunk, name+":"+value)
				r := NewReader(bytes.NewReader(body), mode, sig, int64(len(data)), []string{name})
				got, err := readAll(r)
				if chunk < MinChunk {
					// Only the last chunk with data may be smaller than 8 KiB.
					if !errors.Is(err, ErrChunkSize) {
						t.Fatalf("%v %s chunk %d: %v, want ErrChunkSize", mode, name, chunk, err)
					}
					continue
				}
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%v %s chunk %d: %d bytes, %v", mode, name, chunk, len(got), err)
				}
				if tr := r.Trailers(); len(tr) != 1 || tr[name] != value {
					t.Fatalf("%v %s: trailers %v", mode, name, tr)
				}
			}
			// A wrong checksum: the data of another object.
			wrong := checksums(data[1:])[name]
			body := encode(mode, sig, data, 65536, name+":"+wrong)
			r := anyChunks(bytes.NewReader(body), mode, sig, int64(len(data)), []string{name})
			var ce *ChecksumError
			if _, err := readAll(r); !errors.Is(err, ErrChecksum) || !errors.As(err, &ce) || ce.Name != name || ce.Invalid {
				t.Fatalf("%v %s wrong: %v", mode, name, err)
			}
			if r.Trailers() != nil {
				t.Fatalf("trailers exposed after a checksum error")
			}
			// A checksum that is not base64 of anything.
			body = encode(mode, sig, data, 65536, name+":not base64!")
			if _, err := readAll(anyChunks(bytes.NewReader(body), mode, sig, int64(len(data)), []string{name})); !errors.Is(err, ErrChecksum) ||
				!errors.As(err, &ce) || !ce.Invalid {
				t.Fatalf("%v %s garbage: %v", mode, name, err)
			}
		}
	}
}

// boto3's form of an empty upload, and of a small one in one chunk.
func TestUnsignedLiteral(t *testing.T) {
	for _, c := range []struct {
		body, data string
		trailers   []string
	}{
		{"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", "", []string{"x-amz-checksum-crc32"}},
		{"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n", "hello", []string{"x-amz-checksum-crc32"}},
		{"5\r\nhello\r\n0\r\n\r\n", "hello", nil},
		{"5\r\nhello\r\n0\r\nX-Amz-Checksum-CRC32:NhCmhg==\r\n\r\n", "hello", []string{"X-Amz-Checksum-Crc32"}},
	} {
		r := anyChunks(strings.NewReader(c.body), UnsignedPayloadTrailer, nil, int64(len(c.data)), c.trailers)
		got, err := readAll(r)
		if err != nil || string(got) != c.data {
			t.Errorf("%q: %q, %v", c.body, got, err)
		}
	}
}

func TestSignedTrailerTampered(t *testing.T) {
	data := []byte("hello, world")
	sig := exampleSigning()
	crc := checksums(data)["x-amz-checksum-crc32"]
	body := encode(SignedPayloadTrailer, sig, data, 5, "x-amz-checksum-crc32:"+crc)
	names := []string{"x-amz-checksum-crc32"}
	if _, err := readAll(anyChunks(bytes.NewReader(body), SignedPayloadTrailer, sig, 12, names)); err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(body, []byte("x-amz-trailer-signature:")) + len("x-amz-trailer-signature:") + 10
	b := bytes.Clone(body)
	b[i] ^= 1
	if _, err := readAll(anyChunks(bytes.NewReader(b), SignedPayloadTrailer, sig, 12, names)); !errors.Is(err, ErrSignature) {
		t.Errorf("tampered trailer signature: %v", err)
	}
	// A checksum changed along with the data is caught by the trailer signature.
	b = bytes.Replace(body, []byte(crc), []byte(checksums([]byte("hello, World"))["x-amz-checksum-crc32"]), 1)
	if _, err := readAll(anyChunks(bytes.NewReader(b), SignedPayloadTrailer, sig, 12, names)); !errors.Is(err, ErrSignature) {
		t.Errorf("tampered trailer: %v", err)
	}
	// No trailer signature at all.
	b = bytes.Replace(body, body[bytes.Index(body, []byte("x-amz-trailer-signature:")):len(body)-2], nil, 1)
	if _, err := readAll(anyChunks(bytes.NewReader(b), SignedPayloadTrailer, sig, 12, names)); !errors.Is(err, ErrSignature) {
		t.Errorf("no trailer signature: %v", err)
	}
}

func TestLengths(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 1000)
	for _, mode := range []Mode{SignedPayload, SignedPayloadTrailer, UnsignedPayloadTrailer} {
		var sig *Signing
		if mode.Signed() {
			sig = exampleSigning()
		}
		body := encode(mode, sig, data, 300)
		// Declared longer than the body: IncompleteBody, after the data.
		got, err := readAll(anyChunks(bytes.NewReader(body), mode, sig, 1001, nil))
		if !errors.Is(err, ErrIncomplete) {
			t.Errorf("%v short: %v", mode, err)
		}
		if len(got) > 1000 {
			t.Errorf("%v short: released %d", mode, len(got))
		}
		// Declared shorter: ErrTooLong before the chunk that passes the length is released.
		got, err = readAll(anyChunks(bytes.NewReader(body), mode, sig, 999, nil))
		if !errors.Is(err, ErrTooLong) || len(got) != 900 {
			t.Errorf("%v long: %d bytes, %v", mode, len(got), err)
		}
		// Unknown length: no check.
		if got, err := readAll(anyChunks(bytes.NewReader(body), mode, sig, -1, nil)); err != nil || len(got) != 1000 {
			t.Errorf("%v unchecked: %d bytes, %v", mode, len(got), err)
		}
		// Bytes after the end.
		if _, err := readAll(anyChunks(bytes.NewReader(append(bytes.Clone(body), 'x')), mode, sig, 1000, nil)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%v trailing byte: %v", mode, err)
		}
	}
}

// TestTruncated cuts each kind of body at every point: the decoder fails with IncompleteBody
// (or Malformed where the cut leaves a line without its CRLF), never panics, and releases
// nothing beyond the data it was given.
func TestTruncated(t *testing.T) {
	data := []byte("The quick brown fox jumps over the lazy dog")
	crc := checksums(data)["x-amz-checksum-crc32c"]
	names := []string{"x-amz-checksum-crc32c"}
	for _, mode := range []Mode{SignedPayload, SignedPayloadTrailer, UnsignedPayloadTrailer} {
		var sig *Signing
		var tr []string
		var n []string
		if mode.Signed() {
			sig = exampleSigning()
		}
		if mode.HasTrailer() {
			tr, n = []string{"x-amz-checksum-crc32c:" + crc}, names
		}
		body := encode(mode, sig, data, 10, tr...)
		for cut := 0; cut < len(body); cut++ {
			got, err := readAll(anyChunks(bytes.NewReader(body[:cut]), mode, sig, int64(len(data)), n))
			if !errors.Is(err, ErrIncomplete) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("%v cut at %d: %v", mode, cut, err)
			}
			if !bytes.HasPrefix(data, got) {
				t.Fatalf("%v cut at %d: released %q", mode, cut, got)
			}
		}
	}
}

func TestMalformed(t *testing.T) {
	sig := exampleSigning()
	okSig := signChunk(sig, sig.Seed, []byte("abc"))
	for _, c := range []struct {
		name string
		mode Mode
		body string
	}{
		{"leading space", UnsignedPayloadTrailer, " 3\r\nabc\r\n0\r\n\r\n"},
		{"plus sign", UnsignedPayloadTrailer, "+3\r\nabc\r\n0\r\n\r\n"},
		{"0x", UnsignedPayloadTrailer, "0x3\r\nabc\r\n0\r\n\r\n"},
		{"bare LF", UnsignedPayloadTrailer, "3\nabc\r\n0\r\n\r\n"},
		{"no CRLF after data", UnsignedPayloadTrailer, "3\r\nabcd\r\n0\r\n\r\n"},
		{"extension on unsigned", UnsignedPayloadTrailer, "3;x=y\r\nabc\r\n0\r\n\r\n"},
		{"17 digits", UnsignedPayloadTrailer, "00000000000000003\r\nabc\r\n0\r\n\r\n"},
		{"overflow", UnsignedPayloadTrailer, "ffffffffffffffff\r\nabc\r\n0\r\n\r\n"},
		{"undeclared trailer", UnsignedPayloadTrailer, "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n"},
		{"trailer without colon", UnsignedPayloadTrailer, "3\r\nabc\r\n0\r\nfoo\r\n\r\n"},
		{"long line", UnsignedPayloadTrailer, strings.Repeat("0", MaxLineLength) + "3\r\nabc\r\n0\r\n\r\n"},
		{"unsigned chunk on signed", SignedPayload, "3\r\nabc\r\n0\r\n\r\n"},
		{"short signature", SignedPayload, "3;chunk-signature=" + okSig[:63] + "\r\nabc\r\n"},
		{"other extension", SignedPayload, "3;chunk-sig=" + okSig + "\r\nabc\r\n"},
		{"space before extension", SignedPayload, "3 ;chunk-signature=" + okSig + "\r\nabc\r\n"},
		{"huge signed chunk", SignedPayload, fmt.Sprintf("%x;chunk-signature=%s\r\nabc\r\n", MaxSignedChunk+1, okSig)},
	} {
		got, err := readAll(anyChunks(strings.NewReader(c.body), c.mode, sig, -1, nil))
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.mode.Signed() && len(got) > 0 {
			t.Errorf("%s: released %q", c.name, got)
		}
	}
}

func TestConstruction(t *testing.T) {
	for _, c := range []struct {
		name  string
		mode  Mode
		sig   *Signing
		names []string
		want  error
	}{
		{"unknown mode", Mode(9), nil, nil, ErrMalformed},
		{"signed without key", SignedPayload, nil, nil, ErrMalformed},
		{"trailer names without trailer", SignedPayload, exampleSigning(), []string{"x-amz-checksum-crc32"}, ErrMalformed},
		{"duplicate name", UnsignedPayloadTrailer, nil, []string{"x-amz-checksum-crc32", "X-Amz-Checksum-CRC32"}, ErrMalformed},
		{"unknown checksum", UnsignedPayloadTrailer, nil, []string{"x-amz-checksum-md5"}, ErrUnsupported},
	} {
		if _, err := anyChunks(strings.NewReader("0\r\n\r\n"), c.mode, c.sig, 0, c.names).Read(make([]byte, 1)); !errors.Is(err, c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	for m, s := range modeNames {
		if got, ok := ParseMode(s); !ok || got != m || m.String() != s {
			t.Errorf("ParseMode(%q) = %v, %v", s, got, ok)
		}
	}
	if _, ok := ParseMode("UNSIGNED-PAYLOAD"); ok {
		t.Error("UNSIGNED-PAYLOAD parsed as a streaming mode")
	}
}

// TestMissingTrailer: a declared trailer that does not come is IncompleteBody.
func TestMissingTrailer(t *testing.T) {
	_, err := readAll(anyChunks(strings.NewReader("3\r\nabc\r\n0\r\n\r\n"), UnsignedPayloadTrailer, nil, 3, []string{"x-amz-checksum-crc32"}))
	if !errors.Is(err, ErrIncomplete) || !errors.Is(err, ErrMalformedTrailer) {
		t.Fatal(err)
	}
}

// TestMalformedTrailer: trailers other than those declared are ErrMalformedTrailer; a body
// that ends well-formed but short is ErrShort, one cut off is not.
func TestMalformedTrailer(t *testing.T) {
	decl := []string{"x-amz-checksum-crc64nvme"}
	for name, tc := range map[string]struct {
		body string
		decl []string
	}{
		"nameless":   {"5\r\nhello\r\n0\r\n:M3eFcAZSQlc=\r\n\r\n", decl},
		"undeclared": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", nil},
		"other name": {"5\r\nhello\r\n0\r\ninvalid_trailer:M3eFcAZSQlc=\r\n\r\n", decl},
		"missing":    {"5\r\nhello\r\n0\r\n\r\n", decl},
		"twice":      {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", decl},
	} {
		_, err := readAll(anyChunks(strings.NewReader(tc.body), UnsignedPayloadTrailer, nil, 5, tc.decl))
		if !errors.Is(err, ErrMalformedTrailer) {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := readAll(anyChunks(strings.NewReader("5\r\nhello\r\n0\r\n\r\n"), UnsignedPayloadTrailer, nil, 9, nil))
	if !errors.Is(err, ErrShort) || !errors.Is(err, ErrIncomplete) {
		t.Errorf("short: %v", err)
	}
	_, err = readAll(anyChunks(strings.NewReader("5\r\nhel"), UnsignedPayloadTrailer, nil, 5, nil))
	if errors.Is(err, ErrShort) || !errors.Is(err, ErrIncomplete) {
		t.Errorf("cut off: %v", err)
	}
}

// TestBodyError: an error of the body itself is returned as it is.
func TestBodyError(t *testing.T) {
	boom := errors.New("connection reset")
	r := anyChunks(io.MultiReader(strings.NewReader("3\r\nab"), iotest.ErrReader(boom)), UnsignedPayloadTrailer, nil, 3, nil)
	if _, err := readAll(r); !errors.Is(err, boom) {
		t.Fatal(err)
	}
}

// AWS's example of a chunked upload with a signed trailer (S3 API reference, "Signature
// calculations for trailing headers (chunked uploads)"): the same 66,560 bytes with a CRC32C
// trailer, seed 106e2a8a….
func TestAWSTrailerExample(t *testing.T) {
	s := exampleSigning()
	s.Seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
	var b bytes.Buffer
	b.WriteString("10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n")
	b.Write(bytes.Repeat([]byte("a"), 65536))
	b.WriteString("\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n")
	b.Write(bytes.Repeat([]byte("a"), 1024))
	b.WriteString("\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n")
	b.WriteString("x-amz-checksum-crc32c:sOO8/Q==\r\n")
	b.WriteString("x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n")
	r := anyChunks(&b, SignedPayloadTrailer, s, 66560, []string{"x-amz-checksum-crc32c"})
	got, err := readAll(r)
	if err != nil || !bytes.Equal(got, bytes.Repeat([]byte("a"), 66560)) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	if tr := r.Trailers(); tr["x-amz-checksum-crc32c"] != "sOO8/Q==" {
		t.Fatalf("trailers %v", tr)
	}
}

// anyChunks is NewReader without S3's least chunk size, for the tests of the framing that use
// small chunks.
func anyChunks(body io.Reader, mode Mode, sig *Signing, decodedLength int64, trailerNames []string) *Reader {
	r := NewReader(body, mode, sig, decodedLength, trailerNames)
	r.minChunk = 0
	return r
}
