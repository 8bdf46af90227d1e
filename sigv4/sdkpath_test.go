package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/go-cmp/cmp"
)

// verifySDK must decide every request exactly as verifyGeneral does. These tests sign requests
// of the shape it takes, and of shapes just beside it, change them, and hold the two paths to
// the same answer, the same Result and the same calls of the SecretFunc.

var sdkKey = propKey{id: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

// signSDKShaped signs a POST / with a form body, as the SDKs call IAM and STS, varied in every
// part the fast path looks at. key.token is set when the request carries one.
func signSDKShaped(t testing.TB, rng *rand.Rand, key propKey) []byte {
	t.Helper()
	host := []string{"sts.amazonaws.com", "127.0.0.1:8080", "iam.example.test"}[rng.IntN(3)]
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	switch rng.IntN(4) {
	case 0:
		body = "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=" +
			url.QueryEscape(randString(rng, queryRunes, 1, 20)) + "&Version=2011-06-15"
	case 1:
		body = "Action=GetCallerIdentity&Version=2011-06-15&Version=2011-06-15" // a key twice
	case 2:
		body = ""
	}
	r, err := http.NewRequest("POST", "https://"+host+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	switch rng.IntN(5) {
	case 0:
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case 1:
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded;  charset=utf-8 ") // spaces to trim and collapse
	case 2:
		// none
	default:
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	if rng.IntN(3) == 0 {
		r.Header.Set("X-Amz-User-Agent", "aws-sdk-go-v2/1.48.0") // an x-amz- header: signed
	}
	if rng.IntN(4) == 0 {
		r.Header.Add("X-Amz-Meta", "a")
		r.Header.Add("X-Amz-Meta", "b") // two values: the general path's
	}
	service := []string{"iam", "sts", "s3"}[rng.IntN(3)]
	region := regions[rng.IntN(len(regions))]
	signedAt := propNow.Add(time.Duration(rng.IntN(40*60)-20*60) * time.Second) // sometimes outside the window
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key.id, SecretAccessKey: key.secret, SessionToken: key.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, region, signedAt); err != nil {
		t.Fatal(err)
	}
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26") // not signed
	var wire bytes.Buffer
	if err := r.Write(&wire); err != nil {
		t.Fatal(err)
	}
	return wire.Bytes()
}

// checkSameAnswer verifies r both ways and fails t when they differ in any respect. It reports
// whether the fast path decided the request itself, and whether it knew its Authorization
// header from an earlier request (authCache).
func checkSameAnswer(t *testing.T, v *Verifier, r *http.Request, body []byte) (fast, known bool) {
	t.Helper()
	if auth := r.Header["Authorization"]; len(auth) == 1 {
		e, _ := v.auths.lookup(auth[0])
		known = e != nil
	}
	secret := v.Secret
	defer func() { v.Secret = secret }()
	var calls []Credential
	v.Secret = func(ctx context.Context, c Credential) (string, error) {
		calls = append(calls, c)
		return secret(ctx, c)
	}
	ctx := context.Background()
	var got, want Result
	gotErr := v.verify(ctx, r, body, newScratch(), &got)
	gotCalls := calls
	calls = nil
	wantErr := v.verifyGeneral(ctx, r, body, newScratch(), &want)
	if !sameError(gotErr, wantErr) {
		t.Fatalf("verify: %v; verifyGeneral: %v", gotErr, wantErr)
	}
	if diff := cmp.Diff(calls, gotCalls); diff != "" {
		t.Fatalf("SecretFunc calls differ (-general +verify):\n%s", diff)
	}
	if gotErr == nil {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("results differ (-general +verify):\n%s", diff)
		}
	}
	probe := errors.New("probe")
	v.Secret = func(context.Context, Credential) (string, error) { return "", probe }
	fast, _ = v.verifySDK(ctx, r, body, newScratch(), &Result{})
	return fast, known && fast
}

func sameError(a, b error) bool {
	var ea, eb *Error
	if errors.As(a, &ea) && errors.As(b, &eb) {
		return *ea == *eb
	}
	return a == b
}

// TestVerifySDKMatchesGeneral signs requests of the fast path's shape and around it, then
// changes random bytes of each, and compares the two paths on all of them.
func TestVerifySDKMatchesGeneral(t *testing.T) {
	const requests, mutationsEach = 600, 30
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SIGV4_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set SIGV4_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	var signed, signedFast, mutated, mutatedFast, mutatedKnown, accepted int
	for range requests {
		key := sdkKey
		if rng.IntN(2) == 0 {
			key = propKey{id: "ASIAIOSFODNN7EXAMPLE", secret: sdkKey.secret, token: randString(rng, tokenRunes, 20, 300)}
		}
		wire := signSDKShaped(t, rng, key)
		v := propVerifier(key)
		v.FormChecked = rng.IntN(3) == 0
		if rng.IntN(8) == 0 {
			v.Secret = func(context.Context, Credential) (string, error) { return "wrong", nil }
		}
		for m := range 1 + mutationsEach {
			b := wire
			if m > 0 {
				b = mutate(rng, wire)
			}
			r, body, ok := readRequest(b)
			if !ok {
				continue
			}
			fast, known := checkSameAnswer(t, v, r, body)
			if m == 0 {
				signed++
				if fast {
					signedFast++
				}
				continue
			}
			mutated++
			if fast {
				mutatedFast++
			}
			if known {
				mutatedKnown++
			}
			if _, err := v.Verify(context.Background(), r, body); err == nil {
				accepted++
			}
		}
	}
	t.Logf("%d signed requests, %d decided by the fast path; %d mutations, %d by the fast path (%d with a known Authorization header), %d still verify",
		signed, signedFast, mutated, mutatedFast, mutatedKnown, accepted)
	if signedFast < signed/3 || mutatedFast < mutated/8 || mutatedKnown < mutatedFast/4 {
		t.Errorf("the fast path decided too few requests to test it: %d of %d signed, %d of %d mutated, %d of those known",
			signedFast, signed, mutatedFast, mutated, mutatedKnown)
	}
}

// mutate changes a copy of wire in one of the ways a client or an attacker could: a byte
// replaced, a byte removed, a space inserted, or a header line repeated.
func mutate(rng *rand.Rand, wire []byte) []byte {
	m := bytes.Clone(wire)
	i := rng.IntN(len(m))
	switch rng.IntN(4) {
	case 0:
		m[i] ^= byte(1 + rng.IntN(255))
	case 1:
		m = append(m[:i], m[i+1:]...)
	case 2:
		m = append(m[:i], append([]byte{" \t;,/"[rng.IntN(5)]}, m[i:]...)...)
	default:
		start := bytes.LastIndex(m[:i], []byte("\r\n"))
		end := bytes.Index(m[i:], []byte("\r\n"))
		if start < 0 || end <= 0 {
			return m
		}
		line := bytes.Clone(m[start : i+end])
		m = append(m[:i+end], append(line, m[i+end:]...)...)
	}
	return m
}

// FuzzVerifySDKMatchesGeneral explores the bytes around the fast path's shape.
func FuzzVerifySDKMatchesGeneral(f *testing.F) {
	// One verifier for all inputs, which first verifies the seeds, so that inputs whose
	// Authorization header a seed had are decided from authCache.
	v := propVerifier(sdkKey)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 16 {
		wire := signSDKShaped(f, rng, sdkKey)
		if r, body, ok := readRequest(wire); ok {
			v.Verify(context.Background(), r, body)
		}
		f.Add(wire)
	}
	for _, s := range suiteSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, body, ok := readRequest(raw)
		if !ok {
			return
		}
		checkSameAnswer(t, v, r, body)
	})
}

// TestAuthCache: a verified header is remembered in strings of its own, a known header is
// verified with the key's current secret, and the cache stays bounded.
func TestAuthCache(t *testing.T) {
	at := tNow.Add(-time.Minute)
	current := "first-secret-0123456789012345678901234567"
	signWith := func(secret string) (*http.Request, []byte) {
		c := aws.Credentials{AccessKeyID: tCreds.AccessKeyID, SecretAccessKey: secret}
		return overTheWire(t, signed(t, c, "sts", "us-east-1", at, tBody, nil))
	}
	v := testVerifier()
	v.Secret = func(context.Context, Credential) (string, error) { return current, nil }
	r, body := signWith(current)
	if _, err := v.Verify(context.Background(), r, body); err != nil {
		t.Fatalf("first request: %v", err)
	}
	h := r.Header["Authorization"][0]
	e, _ := v.auths.lookup(h)
	if e == nil {
		t.Fatal("a verified header of the SDKs' shape is not remembered")
	}
	if unsafe.StringData(e.credential) == unsafe.StringData(h[len(algorithm+" Credential="):]) {
		t.Error("the remembered credential shares the request's memory")
	}
	if !strings.HasPrefix(h, algorithm+" Credential="+e.credential+", SignedHeaders="+e.signedHeaders+sigSep) {
		t.Errorf("remembered %q and %q from %q", e.credential, e.signedHeaders, h)
	}

	// The secret changes under the same access key id: the old signature no longer verifies,
	// a new one does, though the header's first part is the same.
	current = "second-secret-012345678901234567890123456"
	if _, err := v.Verify(context.Background(), r, body); err == nil {
		t.Error("a request signed with the old secret verified")
	}
	r2, body2 := signWith(current)
	if h2 := r2.Header["Authorization"][0]; h2[:len(h2)-64] != h[:len(h)-64] {
		t.Fatalf("the test needs the same header part: %q, %q", h, h2)
	}
	if _, err := v.Verify(context.Background(), r2, body2); err != nil {
		t.Errorf("a request signed with the new secret: %v", err)
	}

	var c authCache
	for i := range authCacheSize + 10 {
		cred := "AKID" + strconv.Itoa(i) + "/20261127/us-east-1/sts/aws4_request"
		c.add(algorithm+" Credential="+cred+", SignedHeaders=host", cred, "host", nil)
		if len(c.m) > authCacheSize {
			t.Fatalf("%d headers remembered, bound is %d", len(c.m), authCacheSize)
		}
	}
}
