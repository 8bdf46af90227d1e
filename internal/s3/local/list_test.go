package local

import (
	"bytes"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func readDirNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, err
}

func dataFiles(t *testing.T, b *Backend) []string {
	t.Helper()
	var ids []string
	dirs, _ := readDirNames(b.files.dataDir())
	for _, d := range dirs {
		names, _ := readDirNames(filepath.Join(b.files.dataDir(), d))
		ids = append(ids, names...)
	}
	return ids
}

// expected computes a listing the slow way: every key, sorted, grouped.
func expected(keys []string, prefix, delim, after string) (items []string) {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	seen := map[string]bool{}
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) || k <= after {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if !seen[cp] && !strings.HasPrefix(after, cp) {
					seen[cp] = true
					items = append(items, "P:"+cp)
				}
				continue
			}
		}
		items = append(items, "K:"+k)
	}
	return items
}

func testKeys() []string {
	rnd := rand.New(rand.NewSource(1))
	parts := []string{"a", "b", "photos", "2024", "x y", "é", "z", "-", ".", "Z"}
	seen := map[string]bool{}
	var keys []string
	for len(keys) < 400 {
		n := 1 + rnd.Intn(4)
		var segs []string
		for i := 0; i < n; i++ {
			segs = append(segs, parts[rnd.Intn(len(parts))])
		}
		k := strings.Join(segs, "/")
		if rnd.Intn(5) == 0 {
			k += "/"
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

func TestListings(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("list")
	keys := testKeys()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String(k), Body: bytes.NewReader([]byte(k))}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, c := range []struct{ prefix, delim string }{
		{"", ""}, {"", "/"}, {"a/", "/"}, {"photos/", "/"}, {"a", ""}, {"x y/", "/"}, {"", "2024"}, {"é/", "/"}, {"nope", "/"}, {"", "é"},
	} {
		want := expected(keys, c.prefix, c.delim, "")
		for _, max := range []int32{1, 7, 1000} {
			if max == 1 && len(want) > 60 {
				continue // paging one by one through hundreds is slow under -race, and 7 pages too
			}
			// V2 with continuation tokens.
			var got []string
			var token *string
			for pages := 0; ; pages++ {
				out, err := e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bk), Prefix: aws.String(c.prefix), Delimiter: aws.String(c.delim), MaxKeys: aws.Int32(max), ContinuationToken: token})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, o := range out.Contents {
					got = append(got, "K:"+aws.ToString(o.Key))
					n++
				}
				for _, p := range out.CommonPrefixes {
					got = append(got, "P:"+aws.ToString(p.Prefix))
					n++
				}
				if int(aws.ToInt32(out.KeyCount)) != n || n > int(max) {
					t.Fatalf("KeyCount %d, %d entries, max %d", aws.ToInt32(out.KeyCount), n, max)
				}
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				token = out.NextContinuationToken
				if pages > 1000 {
					t.Fatal("no end")
				}
			}
			sort.Strings(got)
			w := append([]string(nil), want...)
			sort.Strings(w)
			if strings.Join(got, "\n") != strings.Join(w, "\n") {
				t.Fatalf("V2 prefix %q delim %q max %d:\n got %q\nwant %q", c.prefix, c.delim, max, got, w)
			}
			// V1 with markers.
			got = nil
			marker := ""
			for {
				out, err := e.c.ListObjects(e.ctx, &s3.ListObjectsInput{Bucket: aws.String(bk), Prefix: aws.String(c.prefix), Delimiter: aws.String(c.delim), MaxKeys: aws.Int32(max), Marker: aws.String(marker)})
				if err != nil {
					t.Fatal(err)
				}
				last := ""
				for _, o := range out.Contents {
					got = append(got, "K:"+aws.ToString(o.Key))
					last = aws.ToString(o.Key)
					if o.Owner == nil || aws.ToString(o.Owner.ID) != testOwner {
						t.Fatalf("V1 entry without owner: %+v", o)
					}
				}
				for _, p := range out.CommonPrefixes {
					got = append(got, "P:"+aws.ToString(p.Prefix))
				}
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				if c.delim != "" {
					marker = aws.ToString(out.NextMarker)
				} else {
					marker = last
				}
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(w, "\n") {
				t.Fatalf("V1 prefix %q delim %q max %d:\n got %q\nwant %q", c.prefix, c.delim, max, got, w)
			}
			// Versions.
			got = nil
			km, vm := "", ""
			for {
				out, err := e.c.ListObjectVersions(e.ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bk), Prefix: aws.String(c.prefix), Delimiter: aws.String(c.delim), MaxKeys: aws.Int32(max), KeyMarker: aws.String(km), VersionIdMarker: aws.String(vm)})
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range out.Versions {
					if aws.ToString(v.VersionId) != "null" || !aws.ToBool(v.IsLatest) {
						t.Fatalf("version %+v", v)
					}
					got = append(got, "K:"+aws.ToString(v.Key))
				}
				for _, p := range out.CommonPrefixes {
					got = append(got, "P:"+aws.ToString(p.Prefix))
				}
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				km, vm = aws.ToString(out.NextKeyMarker), aws.ToString(out.NextVersionIdMarker)
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(w, "\n") {
				t.Fatalf("versions prefix %q delim %q max %d:\n got %q\nwant %q", c.prefix, c.delim, max, got, w)
			}
		}
	}
	// Start-after, and the order of one page (S3's byte order).
	out, err := e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bk), StartAfter: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	want := expected(keys, "", "", "b")
	if len(out.Contents) != len(want) {
		t.Fatalf("start-after: %d, want %d", len(out.Contents), len(want))
	}
	for i, o := range out.Contents {
		if "K:"+aws.ToString(o.Key) != want[i] {
			t.Fatalf("order at %d: %q, want %q", i, aws.ToString(o.Key), want[i])
		}
		if o.Owner != nil {
			t.Fatal("V2 without fetch-owner has owners")
		}
	}
	out, err = e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bk), FetchOwner: aws.Bool(true), MaxKeys: aws.Int32(1)})
	if err != nil || aws.ToString(out.Contents[0].Owner.ID) != testOwner {
		t.Fatalf("fetch-owner: %v", err)
	}
	// encoding-type=url.
	out, err = e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bk), Prefix: aws.String("x y/"), EncodingType: types.EncodingTypeUrl, Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Prefix) != "x+y/" {
		t.Fatalf("encoded prefix %q", aws.ToString(out.Prefix))
	}
	for _, o := range out.Contents {
		if k, err := url.QueryUnescape(aws.ToString(o.Key)); err != nil || !strings.HasPrefix(k, "x y/") {
			t.Fatalf("encoded key %q", aws.ToString(o.Key))
		}
	}
	// max-keys 0 and over 1000.
	out, err = e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bk), MaxKeys: aws.Int32(0)})
	if err != nil || len(out.Contents) != 0 {
		t.Fatalf("max-keys 0: %v", err)
	}
	r := e.raw("GET", "/list?max-keys=5000", nil)
	if b := readBody(t, r); !strings.Contains(b, "<MaxKeys>1000</MaxKeys>") || !strings.HasPrefix(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) {
		t.Fatalf("max-keys 5000: %.300s", b)
	}
	_, err = e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nobucket")})
	wantCode(t, err, "NoSuchBucket", 404)
}

func TestManyKeysPagination(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("many")
	// Rows straight into the index: 2500 keys, to page through without 2500 PUTs.
	var keys []string
	tx, _ := e.b.w.Begin()
	for i := 0; i < 2500; i++ {
		k := fmt.Sprintf("d%02d/k%05d", i%30, i)
		keys = append(keys, k)
		if _, err := tx.Exec(`INSERT INTO objects(`+objectCols+`) VALUES(?,?,0,'"x"',0,'{}','','','{}','[]')`, bk, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	p := s3.NewListObjectsV2Paginator(e.c, &s3.ListObjectsV2Input{Bucket: aws.String(bk)})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(keys, ",") {
		t.Fatalf("%d pages, %d keys", pages, len(got))
	}
	out, err := e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bk), Delimiter: aws.String("/")})
	if err != nil || len(out.CommonPrefixes) != 30 || len(out.Contents) != 0 {
		t.Fatalf("delimiter: %v %d", err, len(out.CommonPrefixes))
	}
}
