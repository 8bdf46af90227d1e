package chunked

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReader decodes arbitrary bodies in every mode: no panic, no more data released than
// declared, a complete read only with exactly the declared length, and every error one of the
// package's. The second half encodes data and checks it decodes back unchanged. (AWS's 66 KB
// example is left out of the seeds: minimizing its mutants would take the fuzzer's time.)
func FuzzReader(f *testing.F) {
	sig := exampleSigning()
	data := []byte("hello, aws-chunked world")
	crc := checksums(data)["x-amz-checksum-crc32"]
	f.Add(encode(SignedPayload, sig, data, 7), uint8(SignedPayload), int64(len(data)), "", data)
	f.Add(encode(SignedPayloadTrailer, sig, data, 5, "x-amz-checksum-crc32:"+crc), uint8(SignedPayloadTrailer), int64(len(data)), "x-amz-checksum-crc32", data)
	f.Add(encode(UnsignedPayloadTrailer, nil, data, 8, "x-amz-checksum-crc32:"+crc), uint8(UnsignedPayloadTrailer), int64(len(data)), "x-amz-checksum-crc32", data)
	f.Add([]byte("0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), uint8(UnsignedPayloadTrailer), int64(0), "x-amz-checksum-crc32", []byte{})
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), uint8(UnsignedPayloadTrailer), int64(-1), "", []byte("x"))
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, declared int64, trailer string, plain []byte) {
		m := Mode(mode%3 + 1)
		var names []string
		if trailer != "" && m.HasTrailer() {
			names = []string{trailer}
		}
		r := anyChunks(bytes.NewReader(body), m, sig, declared, names)
		got, err := readAll(r)
		if declared >= 0 && int64(len(got)) > declared {
			t.Fatalf("released %d bytes of %d declared", len(got), declared)
		}
		if err == nil && declared >= 0 && int64(len(got)) != declared {
			t.Fatalf("complete with %d bytes of %d declared", len(got), declared)
		}
		if err != nil && !isOurs(err) {
			t.Fatalf("foreign error %v", err)
		}
		if err == nil && r.Trailers() == nil && len(names) > 0 {
			t.Fatal("no trailers after a complete read")
		}

		// Round trip.
		if len(plain) > 4096 {
			return
		}
		var tr []string
		var tn []string
		if m.HasTrailer() {
			tr, tn = []string{"x-amz-checksum-crc32c:" + checksums(plain)["x-amz-checksum-crc32c"]}, []string{"x-amz-checksum-crc32c"}
		}
		chunk := int(mode)%64 + 1
		var s *Signing
		if m.Signed() {
			s = sig
		}
		out, err := readAll(anyChunks(bytes.NewReader(encode(m, s, plain, chunk, tr...)), m, s, int64(len(plain)), tn))
		if err != nil || !bytes.Equal(out, plain) {
			t.Fatalf("round trip %v chunk %d: %q, %v", m, chunk, out, err)
		}
	})
}

func isOurs(err error) bool {
	for _, e := range []error{ErrSignature, ErrIncomplete, ErrTooLong, ErrChecksum, ErrUnsupported, ErrMalformed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
