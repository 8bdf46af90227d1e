package local

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// The additional checksums S3 knows, by algorithm name as x-amz-checksum-algorithm spells it.
var checksumAlgs = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

var (
	crc32cTable    = crc32.MakeTable(crc32.Castagnoli)
	crc64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5) // CRC-64/NVME, reflected
)

func newHash(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32cTable)
	case "CRC64NVME":
		return crc64.New(crc64NVMETable)
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

func checksumHeader(alg string) string { return "X-Amz-Checksum-" + strings.ToLower(alg) }

func validAlg(alg string) bool {
	for _, a := range checksumAlgs {
		if a == alg {
			return true
		}
	}
	return false
}

// wantChecksum is the checksum a request asks to verify: the algorithm and, if the client gave
// it, the value (base64).
type wantChecksum struct {
	alg, value string
}

// requestChecksum reads x-amz-checksum-* (at most one) and x-amz-sdk-checksum-algorithm.
// A value that is no checksum of its algorithm is InvalidRequest, as S3 answers it.
func requestChecksum(h http.Header) (wantChecksum, error) {
	var c wantChecksum
	for _, alg := range checksumAlgs {
		v := h.Get(checksumHeader(alg))
		if v == "" {
			continue
		}
		if c.alg != "" {
			return c, s3err.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(raw) != newHash(alg).Size() {
			return c, s3err.InvalidRequest("Value for " + strings.ToLower(checksumHeader(alg)) + " header is invalid.")
		}
		c = wantChecksum{alg, v}
	}
	if sdk := strings.ToUpper(h.Get("X-Amz-Sdk-Checksum-Algorithm")); sdk != "" {
		if !validAlg(sdk) {
			return c, s3err.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		if c.alg == "" {
			c.alg = sdk
		} else if c.alg != sdk {
			return c, s3err.InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	return c, nil
}

// badChecksum is S3's answer to a checksum that does not match the body.
func badChecksum(alg string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "BadDigest", "The "+alg+" you specified did not match the calculated checksum.")
}

// trailerChecksum is a checksum the front passed as a trailer of the (decoded) body, read
// after the body's end.
func trailerChecksum(r *http.Request, alg string) string {
	if r.Trailer == nil || alg == "" {
		return ""
	}
	return r.Trailer.Get(checksumHeader(alg))
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
