package local

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

func (e *env) upload(bucket, key string) string {
	e.t.Helper()
	out, err := e.c.CreateMultipartUpload(e.ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ContentType: aws.String("video/mp4"), Metadata: map[string]string{"m": "v"}, Tagging: aws.String("k=v")})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.UploadId)
}

func (e *env) part(bucket, key, id string, n int32, body []byte) string {
	e.t.Helper()
	out, err := e.c.UploadPart(e.ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id), PartNumber: aws.Int32(n), Body: bytes.NewReader(body)})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.ETag)
}

func completed(etags ...string) *types.CompletedMultipartUpload {
	c := &types.CompletedMultipartUpload{}
	for i, t := range etags {
		c.Parts = append(c.Parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(t)})
	}
	return c
}

func TestMultipart(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("mpu")
	p1, p2, p3 := pattern(5<<20, 1), pattern(5<<20, 2), pattern(1000, 3)
	id := e.upload(bk, "big")
	e1 := e.part(bk, "big", id, 1, p1)
	e.part(bk, "big", id, 2, pattern(10, 9)) // replaced below
	e2 := e.part(bk, "big", id, 2, p2)
	e3 := e.part(bk, "big", id, 3, p3)
	if e1 != md5hex(p1) {
		t.Fatalf("part ETag %s", e1)
	}
	// ListParts, paged.
	lp, err := e.c.ListParts(e.ctx, &s3.ListPartsInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String(id), MaxParts: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Parts) != 2 || !aws.ToBool(lp.IsTruncated) || aws.ToString(lp.NextPartNumberMarker) != "2" || aws.ToInt64(lp.Parts[1].Size) != 5<<20 || aws.ToString(lp.Parts[1].ETag) != e2 {
		t.Fatalf("ListParts: %+v", lp)
	}
	lp, err = e.c.ListParts(e.ctx, &s3.ListPartsInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String(id), PartNumberMarker: aws.String("2")})
	if err != nil || len(lp.Parts) != 1 || aws.ToInt32(lp.Parts[0].PartNumber) != 3 || aws.ToBool(lp.IsTruncated) {
		t.Fatalf("ListParts page 2: %v %+v", err, lp)
	}
	// Bad completions.
	bad := completed(e1, e2, e3)
	bad.Parts[0], bad.Parts[1] = bad.Parts[1], bad.Parts[0]
	_, err = e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String(id), MultipartUpload: bad})
	wantCode(t, err, "InvalidPartOrder", 400)
	_, err = e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String(id), MultipartUpload: completed(e1, md5hex([]byte("x")), e3)})
	wantCode(t, err, "InvalidPart", 400)
	_, err = e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{
		Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(e1)}, {PartNumber: aws.Int32(3), ETag: aws.String(e3)}, {PartNumber: aws.Int32(4), ETag: aws.String(e3)}}}})
	wantCode(t, err, "InvalidPart", 400)
	_, err = e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String("nope"), MultipartUpload: completed(e1)})
	wantCode(t, err, "NoSuchUpload", 404)
	if r := e.raw("POST", "/mpu/big?uploadId="+id, []byte("<CompleteMultipartUpload><Part>")); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "MalformedXML") {
		t.Fatalf("malformed Complete: %d", r.StatusCode)
	}
	e.put(bk, "big", []byte("old"))
	_, err = e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String(id), MultipartUpload: completed(e1, e2, e3), IfNoneMatch: aws.String("*")})
	wantCode(t, err, "PreconditionFailed", 412)
	// Complete.
	out, err := e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String(id), MultipartUpload: completed(e1, e2, e3)})
	if err != nil {
		t.Fatal(err)
	}
	var cat []byte
	for _, p := range [][]byte{p1, p2, p3} {
		s := md5.Sum(p)
		cat = append(cat, s[:]...)
	}
	sum := md5.Sum(cat)
	wantETag := fmt.Sprintf(`"%s-3"`, hex.EncodeToString(sum[:]))
	if aws.ToString(out.ETag) != wantETag || aws.ToString(out.Key) != "big" || aws.ToString(out.Bucket) != bk || !strings.HasSuffix(aws.ToString(out.Location), "/mpu/big") {
		t.Fatalf("Complete: %+v, want ETag %s", out, wantETag)
	}
	all := append(append(append([]byte(nil), p1...), p2...), p3...)
	if got := e.get(bk, "big"); !bytes.Equal(got, all) {
		t.Fatalf("GET after Complete: %d bytes", len(got))
	}
	g, err := e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	if aws.ToString(g.ContentType) != "video/mp4" || g.Metadata["m"] != "v" || aws.ToInt32(g.TagCount) != 1 || aws.ToString(g.ETag) != wantETag {
		t.Fatalf("multipart object: %+v", g)
	}
	// partNumber and a range across parts.
	g, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("big"), PartNumber: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(g.Body)
	if !bytes.Equal(got, p2) || aws.ToInt32(g.PartsCount) != 3 || aws.ToString(g.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", 5<<20, 10<<20-1, len(all)) {
		t.Fatalf("partNumber 2: %d bytes, %+v", len(got), g)
	}
	from := int64(5<<20 - 10)
	g, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("big"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", from, from+5<<20+100))})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(g.Body)
	if !bytes.Equal(got, all[from:from+5<<20+101]) {
		t.Fatalf("range across parts: %d bytes", len(got))
	}
	_, err = e.c.ListParts(e.ctx, &s3.ListPartsInput{Bucket: aws.String(bk), Key: aws.String("big"), UploadId: aws.String(id)})
	wantCode(t, err, "NoSuchUpload", 404)
	// Copy of a multipart object keeps its bytes.
	if _, err := e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(bk), Key: aws.String("big-copy"), CopySource: aws.String("mpu/big")}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(bk, "big-copy"); !bytes.Equal(got, all) {
		t.Fatal("copy of a multipart object")
	}

	// Every part but the last must be 5 MiB.
	id2 := e.upload(bk, "small")
	s1 := e.part(bk, "small", id2, 1, []byte("aaa"))
	s2 := e.part(bk, "small", id2, 2, []byte("bbb"))
	_, err = e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("small"), UploadId: aws.String(id2), MultipartUpload: completed(s1, s2)})
	wantCode(t, err, "EntityTooSmall", 400)
	// One small part alone is fine.
	if _, err := e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("small"), UploadId: aws.String(id2), MultipartUpload: completed(s1)}); err != nil {
		t.Fatal(err)
	}
	if got := string(e.get(bk, "small")); got != "aaa" {
		t.Fatalf("small: %q", got)
	}

	// Part numbers.
	id3 := e.upload(bk, "nums")
	for _, n := range []string{"0", "10001", "x", "-1"} {
		r := e.raw("PUT", "/mpu/nums?partNumber="+n+"&uploadId="+id3, []byte("x"))
		if b := readBody(t, r); r.StatusCode != 400 || !strings.Contains(b, "InvalidArgument") {
			t.Errorf("part number %s: %d %s", n, r.StatusCode, b)
		}
	}
	_, err = e.c.UploadPart(e.ctx, &s3.UploadPartInput{Bucket: aws.String(bk), Key: aws.String("nums"), UploadId: aws.String("nope"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchUpload", 404)
	_, err = e.c.UploadPart(e.ctx, &s3.UploadPartInput{Bucket: aws.String(bk), Key: aws.String("other"), UploadId: aws.String(id3), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchUpload", 404)

	// UploadPartCopy with a range.
	cp, err := e.c.UploadPartCopy(e.ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bk), Key: aws.String("nums"), UploadId: aws.String(id3), PartNumber: aws.Int32(1),
		CopySource: aws.String("mpu/big"), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", from, from+5<<20))})
	if err != nil {
		t.Fatal(err)
	}
	ranged := all[from : from+5<<20+1]
	if aws.ToString(cp.CopyPartResult.ETag) != md5hex(ranged) {
		t.Fatalf("UploadPartCopy ETag %s", aws.ToString(cp.CopyPartResult.ETag))
	}
	_, err = e.c.UploadPartCopy(e.ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bk), Key: aws.String("nums"), UploadId: aws.String(id3), PartNumber: aws.Int32(2),
		CopySource: aws.String("mpu/small"), CopySourceRange: aws.String("bytes=0-3")})
	wantCode(t, err, "InvalidRequest", 400)
	_, err = e.c.UploadPartCopy(e.ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bk), Key: aws.String("nums"), UploadId: aws.String(id3), PartNumber: aws.Int32(2),
		CopySource: aws.String("mpu/small"), CopySourceRange: aws.String("0-3")})
	wantCode(t, err, "InvalidArgument", 400)
	tail := e.part(bk, "nums", id3, 2, []byte("tail"))
	if _, err := e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("nums"), UploadId: aws.String(id3), MultipartUpload: completed(aws.ToString(cp.CopyPartResult.ETag), tail)}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(bk, "nums"); !bytes.Equal(got, append(append([]byte(nil), ranged...), "tail"...)) {
		t.Fatal("object of a copied part")
	}

	// Abort.
	id4 := e.upload(bk, "gone")
	e.part(bk, "gone", id4, 1, []byte("x"))
	if _, err := e.c.AbortMultipartUpload(e.ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("gone"), UploadId: aws.String(id4)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.AbortMultipartUpload(e.ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("gone"), UploadId: aws.String(id4)})
	wantCode(t, err, "NoSuchUpload", 404)
	assertNoStrayFiles(t, e.b)
}

func TestListMultipartUploads(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("lmu")
	var want []string
	for _, k := range []string{"a/1", "a/2", "a/2", "b", "c/d/e", "c/x", "z"} {
		id := e.upload(bk, k)
		want = append(want, k+" "+id)
	}
	// All, two at a time.
	var got []string
	km, um := "", ""
	for {
		out, err := e.c.ListMultipartUploads(e.ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bk), MaxUploads: aws.Int32(2), KeyMarker: aws.String(km), UploadIdMarker: aws.String(um)})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Uploads {
			got = append(got, aws.ToString(u.Key)+" "+aws.ToString(u.UploadId))
			if aws.ToString(u.Initiator.ID) != testOwner || u.Initiated == nil {
				t.Fatalf("upload entry %+v", u)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		km, um = aws.ToString(out.NextKeyMarker), aws.ToString(out.NextUploadIdMarker)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("uploads\n%v\nwant\n%v", got, want)
	}
	out, err := e.c.ListMultipartUploads(e.ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bk), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range out.CommonPrefixes {
		names = append(names, "P:"+aws.ToString(p.Prefix))
	}
	for _, u := range out.Uploads {
		names = append(names, aws.ToString(u.Key))
	}
	if strings.Join(names, ",") != "P:a/,P:c/,b,z" {
		t.Fatalf("with delimiter: %v", names)
	}
	out, err = e.c.ListMultipartUploads(e.ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bk), Prefix: aws.String("c/"), Delimiter: aws.String("/")})
	if err != nil || len(out.Uploads) != 1 || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "c/d/" {
		t.Fatalf("prefix c/: %v %+v", err, out)
	}
	out, err = e.c.ListMultipartUploads(e.ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bk), KeyMarker: aws.String("b")})
	if err != nil || len(out.Uploads) != 3 {
		t.Fatalf("key-marker b: %v %d", err, len(out.Uploads))
	}
}

func TestMultipartChecksums(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("mck")
	cu, err := e.c.CreateMultipartUpload(e.ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("k"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatal(err)
	}
	id := cu.UploadId
	p1, p2 := pattern(5<<20, 4), pattern(100, 5)
	var parts []types.CompletedPart
	var raw []byte
	for i, p := range [][]byte{p1, p2} {
		out, err := e.c.UploadPart(e.ctx, &s3.UploadPartInput{Bucket: aws.String(bk), Key: aws.String("k"), UploadId: id, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(p)
		if aws.ToString(out.ChecksumSHA256) != base64.StdEncoding.EncodeToString(s[:]) {
			t.Fatalf("part checksum %q", aws.ToString(out.ChecksumSHA256))
		}
		raw = append(raw, s[:]...)
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256})
	}
	out, err := e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("k"), UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(raw)
	if want := base64.StdEncoding.EncodeToString(s[:]) + "-2"; aws.ToString(out.ChecksumSHA256) != want || out.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("composite checksum %q %q, want %q", aws.ToString(out.ChecksumSHA256), out.ChecksumType, want)
	}
	// A part with a checksum that does not match.
	cu, _ = e.c.CreateMultipartUpload(e.ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("k2"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	r := e.raw("PUT", "/mck/k2?partNumber=1&uploadId="+aws.ToString(cu.UploadId), []byte("abc"), "X-Amz-Checksum-Crc32", "AAAAAA==")
	if b := readBody(t, r); r.StatusCode != 400 || !strings.Contains(b, "The CRC32 you specified did not match the calculated checksum.") {
		t.Fatalf("bad part checksum: %d %s", r.StatusCode, b)
	}
	// FULL_OBJECT CRC64NVME is computed over the whole object.
	cu, err = e.c.CreateMultipartUpload(e.ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("k3"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme})
	if err != nil {
		t.Fatal(err)
	}
	etag := e.part(bk, "k3", aws.ToString(cu.UploadId), 1, p2)
	out, err = e.c.CompleteMultipartUpload(e.ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bk), Key: aws.String("k3"), UploadId: cu.UploadId, MultipartUpload: completed(etag)})
	if err != nil {
		t.Fatal(err)
	}
	h := newHash("CRC64NVME")
	h.Write(p2)
	if aws.ToString(out.ChecksumCRC64NVME) != base64.StdEncoding.EncodeToString(h.Sum(nil)) || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("full-object checksum %q %q", aws.ToString(out.ChecksumCRC64NVME), out.ChecksumType)
	}
}
