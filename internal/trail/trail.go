// Package trail is iamd's audit trail, in CloudTrail's shape: every authenticated call, allowed
// or denied, becomes an event with CloudTrail's fields (who called, from where, what was asked,
// what was answered — secrets removed — and the error). Events are written as JSON lines to
// size-bounded, rotated files in the data directory, which LookupEvents reads on a single node;
// nodes that share a PostgreSQL store write them to the store too, so that a lookup on any node
// sees them all. The request pays for queuing the call only: events are built and written by one
// background writer.
package trail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/store"
)

// Defaults of Config.
const (
	DefaultRetention    = 90 * 24 * time.Hour // CloudTrail's event history keeps 90 days
	DefaultMaxFileBytes = 64 << 20
	DefaultMaxFiles     = 10
	defaultFlushEvery   = 100 * time.Millisecond
	queueSize           = 1 << 16
	maxBatch            = 2000
)

// Hidden is what CloudTrail writes in place of a secret.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// Config is what a Trail needs.
type Config struct {
	// Store keeps the events for LookupEvents, shared by the nodes of an installation; nil
	// keeps them in the files only, which LookupEvents then reads (a single node: far cheaper
	// per call than a database row).
	Store store.Store
	// Dir receives the JSON lines files (trail.jsonl, rotated to trail.jsonl.1, …); "" writes
	// none.
	Dir string
	// MaxFileBytes bounds a file before it is rotated; MaxFiles how many rotated files are
	// kept. Zero means the defaults.
	MaxFileBytes int64
	MaxFiles     int
	// Retention is how long events stay in the store; 0 means DefaultRetention.
	Retention time.Duration
	// FlushEvery is how long an event may wait before it is written; 0 means 100 ms.
	FlushEvery time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
}

// Call is what the request pipeline knows of one call when it has answered it. The values it
// points at must not change afterwards (the writer reads them later).
type Call struct {
	Time      time.Time
	RequestID string
	Service   string // "iam", "sts", "iamd", "cloudtrail"
	Action    string
	Region    string
	SourceIP  string
	UserAgent string
	Principal *authn.Principal
	// Params are the request's parameters by name (Action and Version left out).
	Params func(yield func(name, value string))
	// Response is the operation's result (nil for errors and for operations without one).
	Response any
	// Resource is the ARN the call was authorized on, "" or "*" for none.
	Resource     string
	ErrorCode    string
	ErrorMessage string
}

// Trail records calls. It is safe for concurrent use.
type Trail struct {
	cfg Config
	// mu guards queue against Close: Record holds it shared, so no call is sent on a closed
	// queue.
	mu      sync.RWMutex
	closed  bool
	queue   chan Call
	flushes chan chan struct{}
	dropped atomic.Int64
	done    chan struct{}
	closing sync.Once

	fileMu   sync.Mutex // the files, between the writer and lookups
	file     *os.File
	fileSize int64

	// The writer goroutine's alone: secret's answers by field name, and when retention last ran.
	secrets   map[string]bool
	lastPrune time.Time
}

// New starts a trail's writer; Close stops it after writing what is queued.
func New(cfg Config) (*Trail, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Retention == 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.MaxFileBytes == 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.MaxFiles == 0 {
		cfg.MaxFiles = DefaultMaxFiles
	}
	if cfg.FlushEvery == 0 {
		cfg.FlushEvery = defaultFlushEvery
	}
	t := &Trail{cfg: cfg, queue: make(chan Call, queueSize), flushes: make(chan chan struct{}), done: make(chan struct{}),
		secrets: map[string]bool{}}
	if cfg.Dir != "" {
		if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("trail: %w", err)
		}
		if err := t.openFile(); err != nil {
			return nil, err
		}
	}
	go t.run()
	return t, nil
}

// Record queues a call. It never blocks: when the writer is that far behind, the event is
// dropped and counted (Dropped), and the drop is logged.
func (t *Trail) Record(c Call) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.closed {
		return
	}
	select {
	case t.queue <- c:
	default:
		if n := t.dropped.Add(1); n&(n-1) == 0 { // logged at 1, 2, 4, 8, … drops
			t.cfg.Logger.Error("audit trail behind: events dropped", "dropped", n)
		}
	}
}

// Dropped is how many events were dropped because the writer fell behind.
func (t *Trail) Dropped() int64 { return t.dropped.Load() }

// Close writes what is queued and stops the writer.
func (t *Trail) Close() error {
	t.closing.Do(func() {
		t.mu.Lock()
		t.closed = true
		close(t.queue)
		t.mu.Unlock()
	})
	<-t.done
	if t.file != nil {
		if err := t.file.Sync(); err != nil {
			return err
		}
		return t.file.Close()
	}
	return nil
}

// Flush returns once every call recorded before it is written.
func (t *Trail) Flush() {
	ch := make(chan struct{})
	select {
	case t.flushes <- ch:
		<-ch
	case <-t.done:
	}
}

func (t *Trail) run() {
	defer close(t.done)
	tick := time.NewTicker(t.cfg.FlushEvery)
	defer tick.Stop()
	var batch []store.Event
	var lines []byte
	flush := func() {
		if len(batch) == 0 {
			return
		}
		t.write(batch, lines)
		batch, lines = batch[:0], lines[:0]
	}
	add := func(c Call) {
		e, err := t.event(c)
		if err != nil {
			t.cfg.Logger.Error("audit event not built", "requestId", c.RequestID, "err", err)
			return
		}
		batch = append(batch, e)
		lines = append(append(lines, e.Data...), '\n')
		if len(batch) >= maxBatch {
			flush()
		}
	}
	for {
		select {
		case c, ok := <-t.queue:
			if !ok {
				flush()
				return
			}
			add(c)
		case ch := <-t.flushes:
			for n := len(t.queue); n > 0; n-- {
				add(<-t.queue)
			}
			flush()
			close(ch)
		case <-tick.C:
			flush()
		}
	}
}

// write stores a batch and appends its lines to the file; failures are logged, and the store's
// batch is tried once more in the next write (events are idempotent by id).
func (t *Trail) write(batch []store.Event, lines []byte) {
	ctx := context.Background()
	if t.file != nil {
		t.fileMu.Lock()
		err := t.appendLines(lines)
		t.fileMu.Unlock()
		if err != nil {
			t.cfg.Logger.Error("audit trail file", "err", err)
		}
	}
	if t.cfg.Store != nil {
		if err := t.cfg.Store.AppendEvents(ctx, batch); err != nil {
			t.cfg.Logger.Error("audit trail store", "events", len(batch), "err", err)
		}
		if now := t.cfg.Now(); now.Sub(t.lastPrune) > time.Hour {
			t.lastPrune = now
			if err := t.cfg.Store.DeleteEventsBefore(ctx, now.Add(-t.cfg.Retention)); err != nil {
				t.cfg.Logger.Error("audit trail retention", "err", err)
			}
		}
	}
}

const fileName = "trail.jsonl"

func (t *Trail) openFile() error {
	path := filepath.Join(t.cfg.Dir, fileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("trail: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("trail: %w", err)
	}
	t.file, t.fileSize = f, fi.Size()
	return nil
}

// appendLines writes lines (each ending in a newline), rotating whenever the next line would
// overflow the file: trail.jsonl becomes trail.jsonl.1, and so on, the oldest beyond MaxFiles
// removed. Lines that fit go out in one write.
func (t *Trail) appendLines(lines []byte) error {
	start, size := 0, t.fileSize
	for i := 0; i < len(lines); {
		end := len(lines)
		if j := bytes.IndexByte(lines[i:], '\n'); j >= 0 {
			end = i + j + 1
		}
		if size > 0 && size+int64(end-i) > t.cfg.MaxFileBytes {
			if err := t.writeFile(lines[start:i]); err != nil {
				return err
			}
			if err := t.rotate(); err != nil {
				return err
			}
			start, size = i, 0
		}
		size += int64(end - i)
		i = end
	}
	return t.writeFile(lines[start:])
}

func (t *Trail) writeFile(b []byte) error {
	n, err := t.file.Write(b)
	t.fileSize += int64(n)
	return err
}

func (t *Trail) rotate() error {
	if err := t.file.Sync(); err != nil {
		return err
	}
	if err := t.file.Close(); err != nil {
		return err
	}
	base := filepath.Join(t.cfg.Dir, fileName)
	os.Remove(fmt.Sprintf("%s.%d", base, t.cfg.MaxFiles))
	for i := t.cfg.MaxFiles - 1; i >= 1; i-- {
		if err := os.Rename(fmt.Sprintf("%s.%d", base, i), fmt.Sprintf("%s.%d", base, i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(base, base+".1"); err != nil {
		return err
	}
	return t.openFile()
}

type identity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *sessionContext `json:"sessionContext,omitempty"`
}

type sessionContext struct {
	SessionIssuer  *issuer          `json:"sessionIssuer,omitempty"`
	Attributes     sessionAttribute `json:"attributes"`
	SourceIdentity string           `json:"sourceIdentity,omitempty"`
}

type issuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

type sessionAttribute struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

type resource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

// event builds the stored event of a call.
func (t *Trail) event(c Call) (store.Event, error) {
	id := newEventID()
	p := c.Principal
	account, accessKey := "", ""
	if p != nil {
		account, accessKey = p.Account(), p.AccessKeyID()
	}
	source, ro := eventSource(c.Service), readOnly(c.Action)
	ident, err := json.Marshal(identityOf(p))
	if err != nil {
		return store.Event{}, err
	}
	// The event is written field by field, in CloudTrail's order: one pass, where
	// encoding/json would take a map and a RawMessage apart again.
	var b bytes.Buffer
	b.Grow(1024)
	b.WriteString(`{"eventVersion":"1.08","userIdentity":`)
	b.Write(ident)
	field := func(name, value string) {
		b.WriteString(`,"` + name + `":`)
		appendString(&b, value)
	}
	field("eventTime", c.Time.UTC().Format(time.RFC3339))
	field("eventSource", source)
	field("eventName", c.Action)
	field("awsRegion", orDefault(c.Region, "us-east-1"))
	field("sourceIPAddress", c.SourceIP)
	field("userAgent", c.UserAgent)
	if c.ErrorCode != "" {
		field("errorCode", c.ErrorCode)
		field("errorMessage", c.ErrorMessage)
	}
	b.WriteString(`,"requestParameters":`)
	if c.Params == nil {
		b.WriteString("null")
	} else {
		b.WriteByte('{')
		n := 0
		c.Params(func(name, value string) {
			if name == "Action" || name == "Version" {
				return
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			appendString(&b, lowerFirst(name))
			b.WriteByte(':')
			if t.secret(name) {
				value = Hidden
			}
			appendString(&b, value)
		})
		b.WriteByte('}')
	}
	b.WriteString(`,"responseElements":`)
	if c.Response != nil && c.ErrorCode == "" && !ro {
		t.appendResponse(&b, reflect.ValueOf(c.Response))
	} else {
		b.WriteString("null")
	}
	field("requestID", c.RequestID)
	field("eventID", id)
	b.WriteString(`,"readOnly":` + strconv.FormatBool(ro))
	rtype, rname := resourceOf(c.Resource)
	if rtype != "" {
		b.WriteString(`,"resources":[{"accountId":`)
		appendString(&b, account)
		b.WriteString(`,"type":`)
		appendString(&b, rtype)
		b.WriteString(`,"ARN":`)
		appendString(&b, c.Resource)
		b.WriteString(`}]`)
	}
	b.WriteString(`,"eventType":"AwsApiCall","managementEvent":true`)
	field("recipientAccountId", account)
	b.WriteString(`,"eventCategory":"Management"}`)
	return store.Event{ID: id, Account: account, Time: c.Time, Name: c.Action, Source: source,
		Username: usernameOf(p), AccessKeyID: accessKey, ReadOnly: ro,
		ResourceType: rtype, ResourceName: rname, Data: b.Bytes()}, nil
}

func identityOf(p *authn.Principal) identity {
	if p == nil || p.Kind() == authn.Anonymous {
		return identity{Type: "Unknown"}
	}
	id := identity{PrincipalID: p.UserID(), ARN: p.ARN(), AccountID: p.Account(), AccessKeyID: p.AccessKeyID()}
	switch p.Kind() {
	case authn.Root, authn.RootSession:
		id.Type = "Root"
	case authn.User, authn.UserSession:
		id.Type, id.UserName = "IAMUser", p.UserName()
	case authn.AssumedRole:
		id.Type = "AssumedRole"
	case authn.FederatedUser:
		id.Type = "FederatedUser"
	}
	s := p.Session()
	if s == nil {
		return id
	}
	sc := &sessionContext{SourceIdentity: s.SourceIdentity,
		Attributes: sessionAttribute{CreationDate: s.IssuedAt.UTC().Format(time.RFC3339), MFAAuthenticated: fmt.Sprint(s.MFA)}}
	switch p.Kind() {
	case authn.AssumedRole:
		sc.SessionIssuer = &issuer{Type: "Role", PrincipalID: s.EntityID, AccountID: s.Account, UserName: s.EntityName,
			ARN: "arn:aws:iam::" + s.Account + ":role" + orDefault(s.EntityPath, "/") + s.EntityName}
	case authn.FederatedUser:
		if s.EntityID != "" {
			sc.SessionIssuer = &issuer{Type: "IAMUser", PrincipalID: s.EntityID, AccountID: s.Account, UserName: s.EntityName,
				ARN: "arn:aws:iam::" + s.Account + ":user" + orDefault(s.EntityPath, "/") + s.EntityName}
		} else {
			sc.SessionIssuer = &issuer{Type: "Root", PrincipalID: s.Account, AccountID: s.Account, ARN: "arn:aws:iam::" + s.Account + ":root"}
		}
	}
	id.SessionContext = sc
	return id
}

// usernameOf is the Username LookupEvents looks events up by: the IAM user, "root", or the
// session name of a role session or federated user.
func usernameOf(p *authn.Principal) string {
	if p == nil {
		return ""
	}
	switch p.Kind() {
	case authn.Root, authn.RootSession:
		return "root"
	case authn.User, authn.UserSession:
		return p.UserName()
	case authn.AssumedRole, authn.FederatedUser:
		return p.Session().SessionName
	}
	return ""
}

func eventSource(service string) string {
	if service == "iamd" {
		return "iamd"
	}
	return service + ".amazonaws.com"
}

// readOnly reports what CloudTrail marks read-only: the calls that only read.
func readOnly(action string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Lookup", "Simulate", "Decode"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// secret reports whether a parameter or response field holds a secret: passwords, secret keys,
// session and web identity tokens, SAML assertions, private keys, MFA seeds and codes.
func secret(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"password", "secret", "token", "privatekey", "seed", "qrcode", "assertion", "authenticationcode"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// secret is the package's secret, remembered by name.
func (t *Trail) secret(name string) bool {
	v, ok := t.secrets[name]
	if !ok {
		v = secret(name)
		if len(t.secrets) < 4096 {
			t.secrets[name] = v
		}
	}
	return v
}

// resourceTypes maps an IAM resource type in an ARN to CloudTrail's resource type.
var resourceTypes = map[string]string{
	"user": "AWS::IAM::User", "role": "AWS::IAM::Role", "group": "AWS::IAM::Group",
	"policy": "AWS::IAM::Policy", "instance-profile": "AWS::IAM::InstanceProfile",
	"oidc-provider": "AWS::IAM::OIDCProvider", "saml-provider": "AWS::IAM::SAMLProvider",
	"server-certificate": "AWS::IAM::ServerCertificate", "mfa": "AWS::IAM::VirtualMFADevice",
	"federated-user": "AWS::STS::FederatedUser", "assumed-role": "AWS::STS::AssumedRole",
}

// resourceOf is the CloudTrail type and the name of the resource an ARN names.
func resourceOf(arn string) (typ, name string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "", ""
	}
	kind, rest, _ := strings.Cut(parts[5], "/")
	typ = resourceTypes[kind]
	if typ == "" || rest == "" {
		return "", ""
	}
	return typ, rest[strings.LastIndexByte(rest, '/')+1:]
}

func lowerFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToLower(r)) + s[i+len(string(r)):]
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// newEventID is a random UUID (version 4), the form of CloudTrail's event ids.
func newEventID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
