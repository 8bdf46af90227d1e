// Package chunked decodes the aws-chunked content encoding of S3 PUT and UploadPart bodies as a
// stream, for the S3 front of issue 18: the front authenticates the request with SigV4, then
// reads the object's bytes through a Reader, which strips the chunk framing and checks every
// chunk signature, the decoded length and the trailing checksum as the bytes go by.
//
// Three forms of x-amz-content-sha256 are decoded:
//
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD: chunks "hex-size;chunk-signature=SIG\r\nDATA\r\n", a
//     zero-size chunk (signed too) and "\r\n". Each signature chains from the previous one,
//     starting with the seed (the request's own signature). A chunk's bytes are released to the
//     caller only after its signature has been verified, so a signed chunk is held whole in
//     memory first: signed chunks are limited to MaxSignedChunk bytes.
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the same, then trailer lines
//     ("x-amz-checksum-crc32:BASE64\r\n"), a signed "x-amz-trailer-signature:SIG\r\n" and "\r\n".
//   - STREAMING-UNSIGNED-PAYLOAD-TRAILER (what current boto3 and AWS SDKs send by default):
//     chunks "hex-size\r\nDATA\r\n", "0\r\n", trailer lines and "\r\n". Unsigned chunks are
//     streamed through without being held, so their size is bounded only by the declared length.
//     The trailing checksum can only be checked at the end: the caller must treat the bytes it
//     has read as unverified until Read returns io.EOF, and discard them on any error.
//
// Memory is bounded by one header line (MaxLineLength), a small read buffer and, in the signed
// forms, one chunk. Parsing is strict: sizes are bare hex digits, lines end with CRLF exactly,
// and nothing may follow the final empty line.
//
// Errors wrap one of ErrSignature (S3's SignatureDoesNotMatch), ErrIncomplete (IncompleteBody),
// ErrChecksum (BadDigest / the checksum mismatch S3 reports), ErrTooLong (more data than
// x-amz-decoded-content-length declares), ErrUnsupported (a checksum algorithm this package
// cannot compute) and ErrMalformed (anything else wrong with the framing); test them with
// errors.Is. Errors of the underlying body are returned as they are. After an error the Reader
// returns the same error forever and releases no more data.
package chunked

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"strings"
)

// Mode is the form of an aws-chunked body, named by the request's x-amz-content-sha256.
type Mode int

const (
	// SignedPayload is STREAMING-AWS4-HMAC-SHA256-PAYLOAD.
	SignedPayload Mode = iota + 1
	// SignedPayloadTrailer is STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER.
	SignedPayloadTrailer
	// UnsignedPayloadTrailer is STREAMING-UNSIGNED-PAYLOAD-TRAILER.
	UnsignedPayloadTrailer
)

var modeNames = map[Mode]string{
	SignedPayload:          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
	SignedPayloadTrailer:   "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
	UnsignedPayloadTrailer: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
}

// String returns the x-amz-content-sha256 value of the mode.
func (m Mode) String() string {
	if s, ok := modeNames[m]; ok {
		return s
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode returns the mode an x-amz-content-sha256 value names, and false for any other value
// (a hex digest, UNSIGNED-PAYLOAD, or a streaming form this package does not decode, such as the
// ECDSA ones).
func ParseMode(contentSHA256 string) (Mode, bool) {
	for m, s := range modeNames {
		if s == contentSHA256 {
			return m, true
		}
	}
	return 0, false
}

// Signed reports whether the chunks of the mode carry signatures.
func (m Mode) Signed() bool { return m == SignedPayload || m == SignedPayloadTrailer }

// HasTrailer reports whether the body of the mode ends with trailer lines.
func (m Mode) HasTrailer() bool { return m == SignedPayloadTrailer || m == UnsignedPayloadTrailer }

// Limits of the decoder.
const (
	// MaxLineLength bounds a chunk header or trailer line, CRLF included. A signed header is
	// about 90 bytes, a checksum trailer under 80.
	MaxLineLength = 4096
	// MaxSignedChunk bounds the data of one signed chunk, which is held whole until its
	// signature is verified. AWS sets no limit; the SDKs that sign chunks send 64 KiB or
	// 128 KiB, and AWS's documentation recommends at least 64 KiB. 16 MiB leaves ample room.
	MaxSignedChunk = 16 << 20
	// MinChunk is the least data a chunk may carry unless it is the last one with data: S3
	// refuses a smaller chunk followed by another (InvalidChunkSizeError).
	MinChunk = 8192
	// maxTrailers bounds the number of trailer lines besides the trailer signature.
	maxTrailers = 16
)

// Typed errors; the errors a Reader returns wrap them with detail.
var (
	ErrSignature   = errors.New("chunk signature does not match")
	ErrIncomplete  = errors.New("body ended before the declared length")
	ErrTooLong     = errors.New("body holds more than the declared length")
	ErrChecksum    = errors.New("trailing checksum does not match the data")
	ErrUnsupported = errors.New("unsupported checksum algorithm")
	ErrMalformed   = errors.New("malformed aws-chunked body")
	// ErrMalformedTrailer is a trailer section that is not the one x-amz-trailer declares
	// (missing, undeclared, nameless or repeated trailers); its errors also match ErrMalformed
	// or ErrIncomplete, as before it was told apart.
	ErrMalformedTrailer = errors.New("malformed trailer")
	// ErrShort is a body that ends where its framing says it may, but with fewer data bytes
	// than x-amz-decoded-content-length; its errors also match ErrIncomplete.
	ErrShort = errors.New("body shorter than the declared length")
	// ErrChunkSize is a chunk of less than MinChunk bytes followed by another with data.
	ErrChunkSize = errors.New("only the last chunk may have fewer than 8192 bytes")
)

// ChecksumError is a trailing checksum that failed: it matches ErrChecksum. Name is the
// trailer (x-amz-checksum-crc32, …); Invalid says its value is no checksum of that algorithm
// at all (not the base64 of a digest of the algorithm's size), rather than a different one.
type ChecksumError struct {
	Name    string
	Invalid bool
}

func (e *ChecksumError) Error() string {
	if e.Invalid {
		return ErrChecksum.Error() + ": " + e.Name + " is not a valid value"
	}
	return ErrChecksum.Error() + ": " + e.Name
}

func (e *ChecksumError) Unwrap() error { return ErrChecksum }

// Algorithm is the checksum's algorithm as S3 names it in its messages (CRC32, CRC64NVME, …).
func (e *ChecksumError) Algorithm() string {
	return strings.ToUpper(strings.TrimPrefix(e.Name, "x-amz-checksum-"))
}

// Signing holds what the chunk signatures chain from: the SigV4 signing key of the request
// (derived from the secret, date, region and service), its timestamp (X-Amz-Date, such as
// 20130524T000000Z), its credential scope (20130524/us-east-1/s3/aws4_request) and its
// signature in hex (the seed).
type Signing struct {
	Key   []byte
	Date  string
	Scope string
	Seed  string
}

// SigningKey derives the SigV4 signing key from a secret access key and the date (yyyymmdd),
// region and service of the credential scope.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSum([]byte("AWS4"+secret), date)
	k = hmacSum(k, region)
	k = hmacSum(k, service)
	return hmacSum(k, "aws4_request")
}

func hmacSum(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// emptySHA256 is hex(sha256("")), a fixed line of every chunk's string to sign.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

const trailerSignatureName = "x-amz-trailer-signature"

// crc64NVME is the table of CRC-64/NVME (polynomial 0xad93d23594c93659, reflected
// 0x9a6c9329ac4bc9b5, initial value and final xor all ones), the form hash/crc64 computes.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// newChecksum returns the hash a checksum trailer names, or nil for a name that is no
// checksum S3 knows.
func newChecksum(name string) (hash.Hash, bool) {
	switch name {
	case "x-amz-checksum-crc32":
		return crc32.NewIEEE(), true
	case "x-amz-checksum-crc32c":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli)), true
	case "x-amz-checksum-crc64nvme":
		return crc64.New(crc64NVME), true
	case "x-amz-checksum-sha1":
		return sha1.New(), true
	case "x-amz-checksum-sha256":
		return sha256.New(), true
	}
	return nil, strings.HasPrefix(name, "x-amz-checksum-")
}

type state int

const (
	stHeader state = iota // next: a chunk header line
	stData                // inside an unsigned chunk's data
	stDone                // the body has been read and verified
)

// Reader decodes an aws-chunked body. It is not safe for concurrent use.
type Reader struct {
	br       *bufio.Reader
	mode     Mode
	sig      *Signing
	mac      hash.Hash // HMAC-SHA256 with the signing key, reset for each signature
	prev     string    // the previous signature in the chain, hex
	declared int64     // x-amz-decoded-content-length; negative: not checked
	decoded  int64     // data bytes accepted so far
	names    []string  // declared trailer names, lower case
	sums     map[string]hash.Hash
	trailers map[string]string

	st        state
	lastSize  int64  // the data size of the previous chunk; -1 before the first
	minChunk  int64  // MinChunk (tests of the framing lower it)
	remaining int64  // unread bytes of the current unsigned chunk
	pending   []byte // verified bytes not yet returned
	buf       []byte // the current signed chunk
	err       error
}

// NewReader returns a Reader of the decoded data of body. sig is required for the signed modes
// and ignored otherwise. decodedLength is x-amz-decoded-content-length (negative: not checked).
// trailerNames are the names x-amz-trailer declares; the body's trailers must be exactly those,
// and every checksum among them is verified. A declared checksum this package cannot compute
// makes every Read fail with ErrUnsupported.
func NewReader(body io.Reader, mode Mode, sig *Signing, decodedLength int64, trailerNames []string) *Reader {
	r := &Reader{br: bufio.NewReaderSize(body, MaxLineLength), mode: mode, sig: sig, declared: decodedLength, lastSize: -1, minChunk: MinChunk}
	switch {
	case modeNames[mode] == "":
		r.err = fmt.Errorf("%w: unknown mode %d", ErrMalformed, int(mode))
		return r
	case mode.Signed() && (sig == nil || len(sig.Key) == 0):
		r.err = fmt.Errorf("%w: %v needs the request's signing key", ErrMalformed, mode)
		return r
	case !mode.HasTrailer() && len(trailerNames) > 0:
		r.err = fmt.Errorf("%w: %v carries no trailer", ErrMalformed, mode)
		return r
	case len(trailerNames) > maxTrailers:
		r.err = fmt.Errorf("%w: more than %d trailers declared", ErrMalformed, maxTrailers)
		return r
	}
	if mode.Signed() {
		r.mac = hmac.New(sha256.New, sig.Key)
		r.prev = sig.Seed
	}
	for _, n := range trailerNames {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" || n == trailerSignatureName || contains(r.names, n) {
			r.err = fmt.Errorf("%w: trailer name %q declared", ErrMalformed, n)
			return r
		}
		r.names = append(r.names, n)
		h, isChecksum := newChecksum(n)
		if h != nil {
			if r.sums == nil {
				r.sums = map[string]hash.Hash{}
			}
			r.sums[n] = h
		} else if isChecksum {
			r.err = fmt.Errorf("%w: %s", ErrUnsupported, n)
			return r
		}
	}
	return r
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Trailers returns the trailers of the body by lower-case name (without the trailer signature),
// once Read has returned io.EOF; nil before.
func (r *Reader) Trailers() map[string]string {
	if r.st != stDone || r.err != nil {
		return nil
	}
	out := make(map[string]string, len(r.trailers))
	for k, v := range r.trailers {
		out[k] = v
	}
	return out
}

// DecodedLength returns the number of data bytes accepted so far.
func (r *Reader) DecodedLength() int64 { return r.decoded }

// Read reads decoded data. It returns io.EOF only once the whole body has been read and every
// signature, the length and the checksums have been verified.
func (r *Reader) Read(p []byte) (int, error) {
	for {
		if len(r.pending) > 0 {
			n := copy(p, r.pending)
			r.pending = r.pending[n:]
			return n, nil
		}
		if r.err != nil {
			return 0, r.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		switch r.st {
		case stDone:
			return 0, io.EOF
		case stData:
			return r.readData(p)
		case stHeader:
			r.err = r.nextChunk()
		}
	}
}

// readData reads from the current unsigned chunk.
func (r *Reader) readData(p []byte) (int, error) {
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	n, err := r.br.Read(p)
	if n > 0 {
		r.remaining -= int64(n)
		r.decoded += int64(n)
		for _, h := range r.sums {
			h.Write(p[:n])
		}
		if r.remaining == 0 {
			if err := r.crlf("chunk data"); err != nil {
				r.err = err
			} else {
				r.st = stHeader
			}
		}
		return n, nil
	}
	if err == nil {
		return 0, nil
	}
	r.err = r.bodyErr(err, "chunk data")
	return 0, r.err
}

// bodyErr turns an error of the underlying body into the Reader's: an end of the body before
// the end of the encoding is ErrIncomplete.
func (r *Reader) bodyErr(err error, where string) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: the body ends in the %s (%d of %d bytes decoded)", ErrIncomplete, where, r.decoded, r.declared)
	}
	return err
}

// crlf consumes the CRLF that ends a chunk's data.
func (r *Reader) crlf(where string) error {
	var b [2]byte
	if _, err := io.ReadFull(r.br, b[:]); err != nil {
		return r.bodyErr(err, where)
	}
	if b != [2]byte{'\r', '\n'} {
		return fmt.Errorf("%w: no CRLF after the %s", ErrMalformed, where)
	}
	return nil
}

// line reads one CRLF-terminated line and returns it without the CRLF. The slice is valid
// until the next read.
func (r *Reader) line(where string) ([]byte, error) {
	l, err := r.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return nil, fmt.Errorf("%w: %s longer than %d bytes", ErrMalformed, where, MaxLineLength)
	case err != nil:
		return nil, r.bodyErr(err, where)
	case len(l) < 2 || l[len(l)-2] != '\r':
		return nil, fmt.Errorf("%w: %s not ended by CRLF", ErrMalformed, where)
	}
	return l[:len(l)-2], nil
}

// nextChunk reads a chunk header and, for a signed chunk, its data, verifying it; for the
// zero-size chunk, the rest of the body.
func (r *Reader) nextChunk() error {
	l, err := r.line("chunk header")
	if err != nil {
		return err
	}
	sizeHex, sig := l, []byte(nil)
	if r.mode.Signed() {
		i := bytes.IndexByte(l, ';')
		if i < 0 || !bytes.HasPrefix(l[i+1:], []byte("chunk-signature=")) {
			return fmt.Errorf("%w: chunk header without chunk-signature", ErrMalformed)
		}
		sizeHex, sig = l[:i], l[i+1+len("chunk-signature="):]
		if len(sig) != 64 {
			return fmt.Errorf("%w: chunk signature of %d characters", ErrMalformed, len(sig))
		}
		sig = bytes.Clone(sig) // l is overwritten by the next read
	}
	size, ok := parseHex(sizeHex)
	if !ok {
		return fmt.Errorf("%w: chunk size %q", ErrMalformed, truncate(sizeHex))
	}
	if r.declared >= 0 && size > r.declared-r.decoded {
		return fmt.Errorf("%w: a chunk of %d bytes after %d of %d", ErrTooLong, size, r.decoded, r.declared)
	}
	if size > 0 {
		if r.lastSize >= 0 && r.lastSize < r.minChunk {
			return fmt.Errorf("%w: a chunk of %d bytes after one of %d", ErrChunkSize, size, r.lastSize)
		}
		r.lastSize = size
	}
	if !r.mode.Signed() {
		if size == 0 {
			return r.finish()
		}
		r.remaining, r.st = size, stData
		return nil
	}
	if size > MaxSignedChunk {
		return fmt.Errorf("%w: a signed chunk of %d bytes (at most %d)", ErrMalformed, size, MaxSignedChunk)
	}
	if err := r.readSigned(int(size)); err != nil {
		return err
	}
	if size > 0 {
		if err := r.crlf("chunk data"); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(r.buf)
	if !r.verify(sig, "AWS4-HMAC-SHA256-PAYLOAD", emptySHA256, hex.EncodeToString(sum[:])) {
		return fmt.Errorf("%w: chunk %d bytes after %d", ErrSignature, size, r.decoded)
	}
	if size == 0 {
		return r.finish()
	}
	r.decoded += size
	for _, h := range r.sums {
		h.Write(r.buf)
	}
	r.pending = r.buf
	return nil
}

// readSigned reads the size bytes of a signed chunk into r.buf, growing it as the bytes arrive
// (so that a header alone does not allocate MaxSignedChunk).
func (r *Reader) readSigned(size int) error {
	r.buf = r.buf[:0]
	for len(r.buf) < size {
		if len(r.buf) == cap(r.buf) {
			c := min(size, max(2*cap(r.buf), 64<<10))
			r.buf = append(make([]byte, 0, c), r.buf...)
		}
		n, err := r.br.Read(r.buf[len(r.buf):min(size, cap(r.buf))])
		r.buf = r.buf[:len(r.buf)+n]
		if err != nil && len(r.buf) < size {
			return r.bodyErr(err, "chunk data")
		}
	}
	return nil
}

// verify computes the signature of the string to sign made of kind, the date, the scope, the
// previous signature and the lines, and compares it with got in constant time. On a match, got
// becomes the previous signature.
func (r *Reader) verify(got []byte, kind string, lines ...string) bool {
	r.mac.Reset()
	for i, s := range append([]string{kind, r.sig.Date, r.sig.Scope, r.prev}, lines...) {
		if i > 0 {
			r.mac.Write([]byte{'\n'})
		}
		r.mac.Write([]byte(s))
	}
	var want [64]byte
	hex.Encode(want[:], r.mac.Sum(nil))
	if subtle.ConstantTimeCompare(want[:], got) != 1 {
		return false
	}
	r.prev = string(got)
	return true
}

// finish reads what follows the zero-size chunk: the trailers and the final CRLF, and checks the
// length, the trailer signature and the checksums.
func (r *Reader) finish() error {
	var canonical []byte // the trailer lines as signed: name:value\n each
	var trailerSig []byte
	for {
		l, err := r.line("trailer")
		if err != nil {
			return err
		}
		if len(l) == 0 {
			break
		}
		if !r.mode.HasTrailer() {
			return fmt.Errorf("%w: %w: data after the final chunk", ErrMalformedTrailer, ErrMalformed)
		}
		if trailerSig != nil {
			return fmt.Errorf("%w: %w: a trailer after the trailer signature", ErrMalformedTrailer, ErrMalformed)
		}
		i := bytes.IndexByte(l, ':')
		if i <= 0 {
			return fmt.Errorf("%w: %w: trailer line without a name", ErrMalformedTrailer, ErrMalformed)
		}
		name, value := strings.ToLower(string(l[:i])), string(l[i+1:])
		if name == trailerSignatureName && r.mode == SignedPayloadTrailer {
			trailerSig = []byte(value)
			continue
		}
		if !contains(r.names, name) {
			return fmt.Errorf("%w: %w: trailer %q not declared in x-amz-trailer", ErrMalformedTrailer, ErrMalformed, truncate(l[:i]))
		}
		if _, dup := r.trailers[name]; dup {
			return fmt.Errorf("%w: %w: trailer %s twice", ErrMalformedTrailer, ErrMalformed, name)
		}
		if r.trailers == nil {
			r.trailers = map[string]string{}
		}
		r.trailers[name] = value
		canonical = append(append(append(append(canonical, name...), ':'), value...), '\n')
	}
	if _, err := r.br.ReadByte(); err == nil {
		return fmt.Errorf("%w: data after the final CRLF", ErrMalformed)
	} else if err != io.EOF {
		return err
	}
	for _, n := range r.names {
		if _, ok := r.trailers[n]; !ok {
			return fmt.Errorf("%w: %w: declared trailer %s missing", ErrMalformedTrailer, ErrIncomplete, n)
		}
	}
	if r.mode == SignedPayloadTrailer {
		if trailerSig == nil {
			return fmt.Errorf("%w: no %s", ErrSignature, trailerSignatureName)
		}
		sum := sha256.Sum256(canonical)
		if !r.verify(trailerSig, "AWS4-HMAC-SHA256-TRAILER", hex.EncodeToString(sum[:])) {
			return fmt.Errorf("%w: trailer signature", ErrSignature)
		}
	}
	if r.declared >= 0 && r.decoded < r.declared {
		return fmt.Errorf("%w: %w: %d of %d bytes", ErrShort, ErrIncomplete, r.decoded, r.declared)
	}
	for name, h := range r.sums {
		if got := r.trailers[name]; got != base64.StdEncoding.EncodeToString(h.Sum(nil)) {
			raw, err := base64.StdEncoding.DecodeString(got)
			return &ChecksumError{Name: name, Invalid: err != nil || len(raw) != h.Size()}
		}
	}
	r.st = stDone
	return nil
}

// parseHex parses a chunk size: 1 to 16 hex digits, nothing else, at most 2^63-1.
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// truncate bounds client text quoted in an error.
func truncate(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "…"
	}
	return string(b)
}
