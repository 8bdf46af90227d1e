// Package session is the codec of iamd's stateless session tokens: everything needed to
// authenticate and authorize a set of temporary credentials (who, until when, the temporary secret,
// session policies, tags, source identity, MFA facts, chain depth) is encoded compactly and sealed
// with the keyring, so any node holding the keys can verify a token without a database and issuing
// one writes nothing.
package session

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/iamd/iamd/internal/seal"
)

// Origin says what produced the temporary credentials.
type Origin uint8

const (
	AssumedRole   Origin = iota + 1 // AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML
	FederatedUser                   // GetFederationToken
	UserSession                     // GetSessionToken by an IAM user
	RootSession                     // GetSessionToken by the root user
)

// Tag is a session tag.
type Tag struct{ Key, Value string }

// Session is the content of a session token.
type Session struct {
	Origin      Origin
	Account     string
	AccessKeyID string // ASIA…
	Secret      string
	IssuedAt    time.Time
	Expires     time.Time

	// The IAM identity behind the session: the role (AssumedRole) or the user
	// (UserSession, FederatedUser).
	EntityID   string // AROA…/AIDA…
	EntityName string
	EntityPath string
	// SessionName is the role session name or the federated user's name.
	SessionName string

	Policy     string   // inline session policy (JSON), "" when none
	PolicyARNs []string // managed session policies

	Tags           []Tag
	TransitiveKeys []string
	SourceIdentity string

	MFA         bool
	MFAAuthTime time.Time
	// ChainDepth counts role-chaining hops: 0 for credentials got with long-term keys.
	ChainDepth uint8
	// Console marks the session of a console sign-in (package console): a user's or the root
	// user's, without the API limits of GetSessionToken credentials (IAM only with MFA), as
	// AWS's console sessions have none.
	Console bool
	// SourceInstanceARN is the EC2-style instance ARN of a role session issued to an enrolled
	// instance (arn:aws:ec2:REGION:ACCOUNT:instance/i-…), "" for any other session.
	SourceInstanceARN string
}

// LogValue keeps the secret out of logs.
func (s *Session) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("accessKeyId", s.AccessKeyID),
		slog.String("account", s.Account),
		slog.String("entity", s.EntityName),
		slog.String("session", s.SessionName),
		slog.Time("expires", s.Expires),
	)
}

// ErrInvalid is returned for any token that does not open or decode: tampered, truncated, sealed
// with an unknown key, or of an unknown format version.
var ErrInvalid = errors.New("session: invalid token")

const formatVersion = 1

// additionalData binds sealed blobs to this use, so a blob sealed for another purpose with the same
// keyring never opens as a session token.
var additionalData = []byte("iamd/session/v1")

// flag bits
const (
	flagMFA byte = 1 << iota
	flagCompressedPolicy
	flagInstance // SourceInstanceARN follows the MFA time; older tokens lack it
	flagConsole  // a console sign-in's session (Session.Console)
)

// Encode seals s into a token string.
func Encode(kr *seal.Keyring, s *Session) (string, error) {
	// The plaintext and the sealed token are built in pooled buffers (the cipher, behind an
	// interface, would move stack ones to the heap): the token string is the call's one
	// allocation.
	bufs := encodeBufs.Get().(*[2][]byte)
	defer putBufs(&encodeBufs, bufs)
	b := bufs[0][:0]
	b = append(b, formatVersion, byte(s.Origin), s.ChainDepth)
	var flags byte
	if s.MFA {
		flags |= flagMFA
	}
	if s.SourceInstanceARN != "" {
		flags |= flagInstance
	}
	if s.Console {
		flags |= flagConsole
	}
	policy := []byte(s.Policy)
	if len(policy) > 64 {
		// Policies ride in every request's token: compress them when it pays.
		if c, err := deflate(policy); err == nil && len(c) < len(policy) {
			policy = c
			flags |= flagCompressedPolicy
		}
	}
	b = append(b, flags)
	b = appendStr(b, s.Account)
	b = appendStr(b, s.AccessKeyID)
	b = appendStr(b, s.Secret)
	b = binary.AppendVarint(b, s.IssuedAt.Unix())
	b = binary.AppendVarint(b, s.Expires.Unix())
	b = appendStr(b, s.EntityID)
	b = appendStr(b, s.EntityName)
	b = appendStr(b, s.EntityPath)
	b = appendStr(b, s.SessionName)
	b = appendBytes(b, policy)
	b = binary.AppendUvarint(b, uint64(len(s.PolicyARNs)))
	for _, a := range s.PolicyARNs {
		b = appendStr(b, a)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Tags)))
	for _, t := range s.Tags {
		b = appendStr(b, t.Key)
		b = appendStr(b, t.Value)
	}
	b = binary.AppendUvarint(b, uint64(len(s.TransitiveKeys)))
	for _, k := range s.TransitiveKeys {
		b = appendStr(b, k)
	}
	b = appendStr(b, s.SourceIdentity)
	if s.MFA {
		b = binary.AppendVarint(b, s.MFAAuthTime.Unix())
	}
	if s.SourceInstanceARN != "" {
		b = appendStr(b, s.SourceInstanceARN)
	}
	bufs[0] = b
	sealed := kr.SealTo(bufs[1][:0], b, additionalData)
	bufs[1] = sealed
	var tb [1024]byte
	return string(base64.StdEncoding.AppendEncode(tb[:0], sealed)), nil
}

var encodeBufs = sync.Pool{New: func() any { return new([2][]byte) }}

// putBufs returns bufs to pool unless a rare large token grew them: the pool keeps only the
// usual sizes.
func putBufs(pool *sync.Pool, bufs *[2][]byte) {
	if cap(bufs[0]) <= 16<<10 && cap(bufs[1]) <= 16<<10 {
		pool.Put(bufs)
	}
}

// Decode opens a token. It does not check expiry: callers compare Expires with their clock, so
// that an expired token gets ExpiredToken rather than InvalidClientTokenId.
func Decode(kr *seal.Keyring, token string) (*Session, error) {
	if len(token) == 0 || len(token) > maxTokenLen {
		return nil, ErrInvalid
	}
	bufs := decodeBufs.Get().(*[2][]byte)
	defer putBufs(&decodeBufs, bufs)
	raw := slices.Grow(bufs[0][:0], base64.StdEncoding.DecodedLen(len(token)))
	n, err := base64.StdEncoding.Decode(raw[:cap(raw)], []byte(token))
	if err != nil {
		return nil, ErrInvalid
	}
	raw = raw[:n]
	bufs[0] = raw
	b, err := kr.OpenTo(bufs[1][:0], raw, additionalData)
	if err != nil {
		return nil, ErrInvalid
	}
	bufs[1] = b
	// One string for the whole plaintext; the fields are substrings of it.
	d := decoder{b: b, full: string(b)}
	s := &Session{}
	if d.byte() != formatVersion {
		return nil, ErrInvalid
	}
	s.Origin = Origin(d.byte())
	s.ChainDepth = d.byte()
	flags := d.byte()
	s.MFA = flags&flagMFA != 0
	s.Console = flags&flagConsole != 0
	s.Account = d.str()
	s.AccessKeyID = d.str()
	s.Secret = d.str()
	s.IssuedAt = time.Unix(d.varint(), 0).UTC()
	s.Expires = time.Unix(d.varint(), 0).UTC()
	s.EntityID = d.str()
	s.EntityName = d.str()
	s.EntityPath = d.str()
	s.SessionName = d.str()
	policy := d.str()
	if n := d.count(); n > 0 {
		s.PolicyARNs = make([]string, n)
		for i := range s.PolicyARNs {
			s.PolicyARNs[i] = d.str()
		}
	}
	if n := d.count(); n > 0 {
		s.Tags = make([]Tag, n)
		for i := range s.Tags {
			s.Tags[i] = Tag{Key: d.str(), Value: d.str()}
		}
	}
	if n := d.count(); n > 0 {
		s.TransitiveKeys = make([]string, n)
		for i := range s.TransitiveKeys {
			s.TransitiveKeys[i] = d.str()
		}
	}
	s.SourceIdentity = d.str()
	if s.MFA {
		s.MFAAuthTime = time.Unix(d.varint(), 0).UTC()
	}
	if flags&flagInstance != 0 {
		s.SourceInstanceARN = d.str()
	}
	if d.err || len(d.b) != 0 || s.Origin < AssumedRole || s.Origin > RootSession {
		return nil, ErrInvalid
	}
	if flags&flagCompressedPolicy != 0 {
		p, err := inflate([]byte(policy))
		if err != nil {
			return nil, ErrInvalid
		}
		policy = string(p)
	}
	s.Policy = policy
	return s, nil
}

// maxTokenLen bounds the work done on a token from the wire. A session policy of 2,048 characters
// plus 10 policy ARNs and 50 tags stays far below it.
const maxTokenLen = 16 << 10

// maxPolicyLen bounds inflation of a compressed policy (a decompression bomb needs a valid seal,
// but bound it anyway).
const maxPolicyLen = 64 << 10

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// deflaters reuses compressors: a flate.Writer carries several hundred KB of state, too much to
// build per AssumeRole.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestCompression)
	return w
}}

// compressed remembers the compressed form of recent session policies: callers tend to pass the
// same policy with every AssumeRole, and compressing costs far more than the rest of Encode.
var compressed struct {
	sync.RWMutex
	m map[string][]byte
}

const maxCompressed = 4096

func deflate(p []byte) ([]byte, error) {
	compressed.RLock()
	c, ok := compressed.m[string(p)]
	compressed.RUnlock()
	if ok {
		return c, nil
	}
	c, err := deflateNow(p)
	if err != nil {
		return nil, err
	}
	compressed.Lock()
	if compressed.m == nil || len(compressed.m) >= maxCompressed {
		compressed.m = make(map[string][]byte)
	}
	compressed.m[string(p)] = c
	compressed.Unlock()
	return c, nil
}

func deflateNow(p []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(p); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func inflate(p []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(p))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, maxPolicyLen+1))
	if err != nil || len(out) > maxPolicyLen {
		return nil, ErrInvalid
	}
	return out, nil
}

// decoder reads the fields in order; the first error sticks and yields zero values.
type decoder struct {
	b    []byte
	full string // the whole input as a string, so that str allocates nothing
	err  bool
}

// decodeBufs holds the base64 and plaintext buffers of Decode between calls.
var decodeBufs = sync.Pool{New: func() any { return new([2][]byte) }}

func (d *decoder) byte() byte {
	if d.err || len(d.b) == 0 {
		d.err = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err || n > uint64(len(d.b)) {
		d.err = true
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string { return d.sub(d.bytes()) }

// sub returns v, a slice just read from d.b, as the same bytes of d.full.
func (d *decoder) sub(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	end := len(d.full) - len(d.b)
	return d.full[end-len(v) : end]
}

// count reads a list length; each element takes at least one byte, which bounds allocation.
func (d *decoder) count() int {
	n := d.uvarint()
	if d.err || n > uint64(len(d.b)) {
		d.err = true
		return 0
	}
	return int(n)
}
