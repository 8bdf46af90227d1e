package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/go-cmp/cmp"
)

// The SDK's signer is the oracle here: requests it signs must verify, whatever their shape.

var propNow = time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)

type propKey struct{ id, secret, token string }

func randString(rng *rand.Rand, alphabet []rune, minLen, maxLen int) string {
	n := minLen + rng.IntN(maxLen-minLen+1)
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

var (
	pathRunes   = []rune("abcXYZ019-_.~ !$&'()*+,;=:@%é日")
	queryRunes  = []rune("abcXYZ019-_.~ !$&'()*+,;=:@%/?#é日")
	headerRunes = []rune("abcXYZ019-_.~ !$&'()*+,;=:@/\"   ")
	tokenRunes  = []rune("ABCDEFabcdef0123456789+/=")
	regions     = []string{"us-east-1", "eu-west-3", "ap-southeast-2", "cn-north-1", "local", "x"}
	methods     = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"}
)

// randomPath builds an already-normalized path: the SDK signs paths as given, while IAM and STS
// normalize, so "." segments and empty segments are out of scope here (the suite covers them).
func randomPath(rng *rand.Rand) string {
	n := rng.IntN(4)
	var b strings.Builder
	for range n {
		b.WriteByte('/')
		for {
			seg := randString(rng, pathRunes, 1, 8)
			if seg != "." && seg != ".." {
				b.WriteString(seg)
				break
			}
		}
	}
	if n == 0 || rng.IntN(3) == 0 {
		b.WriteByte('/')
	}
	return b.String()
}

// signRandom builds and signs one random request and returns its bytes as they would go on the
// wire, with the credentials it was signed with.
func signRandom(t testing.TB, rng *rand.Rand) ([]byte, propKey, string) {
	t.Helper()
	method := methods[rng.IntN(len(methods))]
	u := &url.URL{Scheme: "https", Host: "iam.example.test", Path: randomPath(rng)}
	if rng.IntN(4) == 0 {
		u.Host = "127.0.0.1:" + strconv.Itoa(1024+rng.IntN(60000))
	}
	q := url.Values{}
	for i := range rng.IntN(5) {
		q.Set(fmt.Sprintf("%s%d", randString(rng, queryRunes, 0, 6), i), randString(rng, queryRunes, 0, 10))
	}
	u.RawQuery = q.Encode()
	var body []byte
	isForm := false
	if method != "GET" && method != "HEAD" && rng.IntN(4) != 0 {
		if isForm = rng.IntN(2) == 0; isForm {
			body = []byte("Action=CreateUser&Version=2010-05-08&UserName=" + url.QueryEscape(randString(rng, queryRunes, 1, 20)))
		} else {
			body = make([]byte, rng.IntN(300))
			for i := range body {
				body[i] = byte(rng.IntN(256))
			}
		}
	}
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if isForm {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for i := range rng.IntN(4) {
		name := fmt.Sprintf("X-Test-%d", i)
		for range 1 + rng.IntN(2) {
			req.Header.Add(name, randString(rng, headerRunes, 0, 12))
		}
	}
	key := propKey{id: "AKIA" + randString(rng, []rune("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 16, 16), secret: randString(rng, tokenRunes, 40, 40)}
	if rng.IntN(2) == 0 {
		key.id = "ASIA" + key.id[4:]
		key.token = randString(rng, tokenRunes, 20, 400)
	}
	service := []string{"iam", "sts"}[rng.IntN(2)]
	region := regions[rng.IntN(len(regions))]
	signedAt := propNow.Add(time.Duration(rng.IntN(28*60)-14*60) * time.Second)
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	creds := aws.Credentials{AccessKeyID: key.id, SecretAccessKey: key.secret, SessionToken: key.token}
	signer := v4.NewSigner()
	form := "header"
	if rng.IntN(2) == 0 {
		form = "query"
		if rng.IntN(2) == 0 {
			qq := req.URL.Query()
			qq.Set("X-Amz-Expires", strconv.Itoa(1+rng.IntN(MaxExpires)))
			req.URL.RawQuery = qq.Encode()
		}
		signedURL, hdr, err := signer.PresignHTTP(context.Background(), creds, req, payload, service, region, signedAt)
		if err != nil {
			t.Fatal(err)
		}
		preq, err := http.NewRequest(method, signedURL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range hdr {
			if k != "Host" && k != "Content-Length" {
				preq.Header[k] = vs
			}
		}
		req = preq
	} else if err := signer.SignHTTP(context.Background(), creds, req, payload, service, region, signedAt); err != nil {
		t.Fatal(err)
	}
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	return wire.Bytes(), key, form
}

// readWire parses request bytes with the same code Go's HTTP server uses.
func readWire(b []byte) (*http.Request, []byte, error) {
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, nil, err
	}
	return r, body, nil
}

func propVerifier(key propKey) *Verifier {
	return &Verifier{
		Services: []string{"iam", "sts"},
		Now:      func() time.Time { return propNow },
		Secret: func(_ context.Context, c Credential) (string, error) {
			if c.AccessKeyID != key.id || c.SessionToken != key.token {
				return "", InvalidClientTokenID()
			}
			return key.secret, nil
		},
	}
}

// TestSDKSignedRequests signs random requests with aws-sdk-go-v2 (random methods, paths,
// queries, headers, bodies, regions, services, signing times within the skew window, with and
// without session tokens, header and presigned forms), verifies them as the server receives
// them, then changes random bytes and expects a refusal unless the request still means the same.
func TestSDKSignedRequests(t *testing.T) {
	const requests, mutationsEach = 1500, 20
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SIGV4_SEED"); s != "" { // reproduce a failure
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set SIGV4_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	forms := map[string]int{}
	mutated, same := 0, 0
	for n := range requests {
		wire, key, form := signRandom(t, rng)
		forms[form]++
		r, body, err := readWire(wire)
		if err != nil {
			t.Fatalf("request %d: %v\n%s", n, err, wire)
		}
		v := propVerifier(key)
		res, err := v.Verify(context.Background(), r, body)
		if err != nil {
			t.Fatalf("request %d (%s form): %v\n%q", n, form, err, wire)
		}
		if res.Credential.AccessKeyID != key.id || res.Credential.SessionToken != key.token || res.Presigned != (form == "query") {
			t.Fatalf("request %d: result %+v", n, res)
		}
		want := canonicalFor(t, r, body)
		for range mutationsEach {
			m := bytes.Clone(wire)
			i := rng.IntN(len(m))
			m[i] ^= byte(1 + rng.IntN(255))
			mr, mbody, err := readWire(m)
			if err != nil {
				continue // the server would answer 400 before authentication
			}
			mutated++
			mres, err := v.Verify(context.Background(), mr, mbody)
			if err != nil {
				continue
			}
			// Accepted: only bytes the signature does not cover may have changed (the protocol
			// version, unsigned headers such as User-Agent, letter case of header names).
			if got := canonicalFor(t, mr, mbody); got != want {
				t.Fatalf("request %d: mutation at %d accepted with a different canonical request:\n%s\nwant\n%s", n, i, got, want)
			}
			if diff := cmp.Diff(res, mres); diff != "" {
				t.Fatalf("request %d: mutation at %d accepted with a different result (-want +got):\n%s", n, i, diff)
			}
			same++
		}
	}
	t.Logf("verified %d SDK-signed requests %v; %d mutated: all refused but %d whose signed content is unchanged", requests, forms, mutated, same)
}
