// Package loadgen generates load against an IAM/STS endpoint with real SigV4-signed AWS Query
// calls, or against its S3 front with signed object GETs and PUTs (s3.go), and measures it:
// requests per second, bytes per second, latency quantiles and errors by AWS error code. It
// is the engine of `iamd bench`. A run is always bounded by a request count, a duration or both,
// and it refuses AWS's own endpoints: it is for loopback and the user's own deployments.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Op names a workload.
type Op string

// The workloads. CreateDeleteUser makes two requests per step: CreateUser of a fresh name, then
// DeleteUser of it, so the store ends as it began.
const (
	GetCallerIdentity Op = "get-caller-identity"
	// GetUser is IAM's GetUser of the caller itself: the yardstick S3's small GET is held to.
	GetUser              Op = "get-user"
	AssumeRole           Op = "assume-role"
	CreateDeleteUser     Op = "create-user/delete-user"
	SimulateCustomPolicy Op = "simulate-custom-policy"
	Mix                  Op = "mix"
)

// Ops lists the workloads a Config may name.
var Ops = []Op{GetCallerIdentity, GetUser, AssumeRole, CreateDeleteUser, SimulateCustomPolicy, Mix, S3Get, S3Put, S3PutLarge, S3GetLarge}

// mixSteps is one round of the Mix workload: mostly the calls services make on every request
// (GetCallerIdentity) or every hour per workload (AssumeRole), a little administration.
var mixSteps = []Op{
	GetCallerIdentity, AssumeRole, GetCallerIdentity, GetCallerIdentity, AssumeRole,
	GetCallerIdentity, GetCallerIdentity, AssumeRole, GetCallerIdentity, SimulateCustomPolicy,
	GetCallerIdentity, AssumeRole, GetCallerIdentity, GetCallerIdentity, AssumeRole,
	GetCallerIdentity, GetCallerIdentity, AssumeRole, GetCallerIdentity, CreateDeleteUser,
}

// Config describes a run.
type Config struct {
	// Endpoint is the base URL of the IAM/STS endpoint, e.g. http://127.0.0.1:8777.
	Endpoint    string
	Region      string // signing region; "" means us-east-1
	Credentials Credentials
	Op          Op
	// N bounds the measured requests (0: no bound); Duration bounds the measured time (0: no
	// bound). At least one must be set.
	N           int
	Duration    time.Duration
	Concurrency int // workers; 0 means 1
	// Warmup is run before measuring, with the same workload, and not counted.
	Warmup time.Duration
	// RoleARN is the role AssumeRole assumes; "" makes the run create a role trusting the
	// caller's account before it starts and delete it after.
	RoleARN string
	// Prefix starts the names of the users, roles, buckets and S3 keys the run creates; ""
	// means "iamd-bench".
	Prefix string
	// Bucket is the bucket of the S3 workloads; "" makes the run create "<prefix>-<random>"
	// and delete it after. A named bucket that does not exist is created and deleted the same
	// way; one that exists is used and kept.
	Bucket string
	// ObjectSize is the size in bytes of s3-get's and s3-put's object (0: DefaultObjectSize);
	// LargeObjectSize that of s3-get-large's and s3-put-large's (0: DefaultLargeObjectSize).
	ObjectSize, LargeObjectSize int64
	// UnsignedPayload sends small PUTs with x-amz-content-sha256 UNSIGNED-PAYLOAD instead of
	// the body's SHA-256 (computed once per run). Large PUTs are always unsigned.
	UnsignedPayload bool
	// HTTPClient, when set, is used for all calls; nil means the load tool's own lean HTTP/1.1
	// client (conn.go), one kept-alive connection per worker.
	HTTPClient *http.Client
	// Progress, when set, is called about once a second while measuring.
	Progress func(Progress)
}

// Progress is a live view of a run.
type Progress struct {
	Elapsed  time.Duration
	Requests uint64
	Errors   uint64
	// Rate is the requests per second over the last interval, ByteRate the object bytes per
	// second (S3 workloads).
	Rate, ByteRate float64
}

// Stats are the measurements of one operation, or of all.
type Stats struct {
	Requests uint64            `json:"requests"`
	Errors   map[string]uint64 `json:"errors,omitempty"` // by AWS error code, "HTTP nnn" or "transport"
	RPS      float64           `json:"requestsPerSecond"`
	// Bytes counts the object bytes the successful calls moved (S3: a PUT's body sent, a GET's
	// received); MBPS is them per second, in MB (10^6 bytes).
	Bytes uint64  `json:"bytes,omitempty"`
	MBPS  float64 `json:"megabytesPerSecond,omitempty"`
	P50   Micros  `json:"p50Micros"`
	P90   Micros  `json:"p90Micros"`
	P99   Micros  `json:"p99Micros"`
	Max   Micros  `json:"maxMicros"`
}

// Micros is a duration reported in microseconds.
type Micros float64

// Duration converts m back to a time.Duration.
func (m Micros) Duration() time.Duration { return time.Duration(float64(m) * 1e3) }

func micros(d time.Duration) Micros { return Micros(float64(d) / 1e3) }

// Result is the outcome of a run.
type Result struct {
	Endpoint    string  `json:"endpoint"`
	Op          Op      `json:"op"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	Stats
	// ByAction breaks the run down per API action when it made more than one kind of call.
	ByAction map[string]Stats `json:"byAction,omitempty"`
	// Leftovers lists what the run created and could not delete afterwards.
	Leftovers []string `json:"leftovers,omitempty"`
}

// ErrorCount is the total of all errors.
func (s Stats) ErrorCount() uint64 {
	var n uint64
	for _, c := range s.Errors {
		n += c
	}
	return n
}

// Run performs the run cfg describes. Errors the endpoint answers are counted, not returned;
// Run fails only for a bad configuration or when setting up the workload fails.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	if err := r.setup(ctx); err != nil {
		r.teardown() // what setup made before it failed
		return nil, err
	}
	if cfg.Warmup > 0 {
		r.phase(ctx, 0, cfg.Warmup, nil)
	}
	res := r.phase(ctx, cfg.N, cfg.Duration, cfg.Progress)
	res.Leftovers = r.teardown()
	return res, nil
}

type runner struct {
	cfg    Config
	url    string
	scheme string
	host   string
	path   string
	client *http.Client  // nil: each worker uses a conn
	seq    atomic.Uint64 // unique suffix of created names
	// What the run made for AssumeRole, deleted by teardown; assumeCreds sign AssumeRole.
	createdRole, createdUser, createdKey string
	assumeCreds                          *Credentials
	s3                                   *s3State // the S3 workloads' bucket and objects
}

// CheckEndpoint refuses what the load tool must not be pointed at: anything but http(s), and
// AWS's own service endpoints.
func CheckEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q: want http://HOST[:PORT] or https://HOST[:PORT]", endpoint)
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	for _, aws := range []string{"amazonaws.com", "amazonaws.com.cn", "api.aws"} {
		if h == aws || strings.HasSuffix(h, "."+aws) {
			return nil, fmt.Errorf("endpoint %q is AWS itself; the load tool is for your own endpoints", endpoint)
		}
	}
	return u, nil
}

func newRunner(cfg Config) (*runner, error) {
	u, err := CheckEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.N < 0 || cfg.Duration < 0 || cfg.Concurrency < 0 || cfg.Warmup < 0 || cfg.ObjectSize < 0 || cfg.LargeObjectSize < 0 {
		return nil, errors.New("counts and durations must not be negative")
	}
	if cfg.N == 0 && cfg.Duration == 0 {
		return nil, errors.New("bound the run: give a request count, a duration or both")
	}
	known := false
	for _, op := range Ops {
		known = known || op == cfg.Op
	}
	if !known {
		return nil, fmt.Errorf("unknown op %q", cfg.Op)
	}
	if cfg.Credentials.AccessKeyID == "" || cfg.Credentials.SecretAccessKey == "" {
		return nil, errors.New("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 1
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "iamd-bench"
	}
	if cfg.ObjectSize == 0 {
		cfg.ObjectSize = DefaultObjectSize
	}
	if cfg.LargeObjectSize == 0 {
		cfg.LargeObjectSize = DefaultLargeObjectSize
	}
	path := strings.TrimSuffix(u.Path, "/") + "/"
	return &runner{cfg: cfg, url: u.Scheme + "://" + u.Host + path, scheme: u.Scheme, host: u.Host, path: path,
		client: cfg.HTTPClient}, nil
}

// usesAssumeRole reports whether the workload calls AssumeRole.
func (r *runner) usesAssumeRole() bool { return r.cfg.Op == AssumeRole || r.cfg.Op == Mix }

// setup prepares what AssumeRole needs when no role was named: a user with an access key (AWS
// refuses AssumeRole to root credentials) and a role whose trust policy names that user. The
// AssumeRole calls are then signed with the user's key. For the S3 workloads, it makes the
// bucket and the object GETs read (setupS3).
func (r *runner) setup(ctx context.Context) error {
	if r.cfg.Op.isS3() {
		return r.setupS3(ctx)
	}
	if !r.usesAssumeRole() || r.cfg.RoleARN != "" {
		return nil
	}
	w := r.newWorker(0)
	defer w.close()
	call := func(service, what string, body []byte) ([]byte, error) {
		st, resp, err := w.do(ctx, service, body, false)
		if err != nil || st != http.StatusOK {
			return nil, fmt.Errorf("setup: %s: %s", what, describe(st, resp, err))
		}
		return bytes.Clone(resp), nil
	}
	body, err := call("sts", "GetCallerIdentity", form("GetCallerIdentity", "2011-06-15"))
	if err != nil {
		return err
	}
	account := xmlText(body, "Account")
	if account == "" {
		return errors.New("setup: GetCallerIdentity: no Account in the response")
	}
	name := fmt.Sprintf("%s-%d", r.cfg.Prefix, time.Now().UnixNano())
	if _, err := call("iam", "CreateUser", form("CreateUser", "2010-05-08", "UserName", name)); err != nil {
		return err
	}
	r.createdUser = name
	body, err = call("iam", "CreateAccessKey", form("CreateAccessKey", "2010-05-08", "UserName", name))
	if err != nil {
		return err
	}
	creds := Credentials{AccessKeyID: xmlText(body, "AccessKeyId"), SecretAccessKey: xmlText(body, "SecretAccessKey")}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return errors.New("setup: CreateAccessKey: no key in the response")
	}
	r.createdKey = creds.AccessKeyID
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		account + `:user/` + name + `"},"Action":"sts:AssumeRole"}]}`
	body, err = call("iam", "CreateRole", form("CreateRole", "2010-05-08", "RoleName", name, "AssumeRolePolicyDocument", trust))
	if err != nil {
		return err
	}
	arn := xmlText(body, "Arn")
	if arn == "" {
		return errors.New("setup: CreateRole: no Arn in the response")
	}
	r.createdRole, r.cfg.RoleARN, r.assumeCreds = name, arn, &creds
	return nil
}

// teardown deletes what setup created, in the order IAM requires, and what the S3 workloads
// wrote; it returns what it failed to delete in S3.
func (r *runner) teardown() []string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := r.newWorker(0)
	defer w.close()
	if r.s3 != nil {
		return r.teardownS3(ctx, w)
	}
	if r.createdRole != "" {
		w.do(ctx, "iam", form("DeleteRole", "2010-05-08", "RoleName", r.createdRole), false)
	}
	if r.createdKey != "" {
		w.do(ctx, "iam", form("DeleteAccessKey", "2010-05-08", "UserName", r.createdUser, "AccessKeyId", r.createdKey), false)
	}
	if r.createdUser != "" {
		w.do(ctx, "iam", form("DeleteUser", "2010-05-08", "UserName", r.createdUser), false)
	}
	return nil
}

func describe(status int, body []byte, err error) string {
	if err != nil {
		return err.Error()
	}
	if code := ErrorCode(body); code != "" {
		return fmt.Sprintf("HTTP %d %s: %s", status, code, xmlText(body, "Message"))
	}
	return fmt.Sprintf("HTTP %d", status)
}

// form encodes an Action, a Version and name/value pairs as a Query-protocol body.
func form(action, version string, kv ...string) []byte {
	v := url.Values{"Action": {action}, "Version": {version}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return []byte(v.Encode())
}

// worker is one connection's worth of load; it records into its own histograms.
type worker struct {
	r        *runner
	conn     *conn              // nil when the run has an HTTPClient
	signers  map[string]*signer // by service
	assume   *signer            // AssumeRole's, when setup made a user for it
	s3signer *signer
	hists    map[string]*histogram
	errs     map[string]map[string]uint64 // action → code → count
	bytes    map[string]uint64            // action → object bytes moved
	buf      bytes.Buffer
	req      request // the S3 call on the wire
	step     int
	// assumeBody is this worker's AssumeRole request body, built on first use.
	assumeBody []byte
	// s3Step is this worker's S3 call, built on first use.
	s3Step []call
}

func (r *runner) newWorker(int) *worker {
	var assume *signer
	if r.assumeCreds != nil {
		assume = newSigner(*r.assumeCreds, r.cfg.Region, "sts", r.host)
	}
	var c *conn
	if r.client == nil {
		c = newConn(r.scheme, r.host, r.path)
	}
	return &worker{r: r, assume: assume, conn: c,
		signers: map[string]*signer{
			"sts": newSigner(r.cfg.Credentials, r.cfg.Region, "sts", r.host),
			"iam": newSigner(r.cfg.Credentials, r.cfg.Region, "iam", r.host),
		},
		s3signer: newSigner(r.cfg.Credentials, r.cfg.Region, "s3", r.host),
		hists:    map[string]*histogram{},
		errs:     map[string]map[string]uint64{},
		bytes:    map[string]uint64{},
	}
}

// do sends one signed call and returns the status and body (valid until the next call). With
// assume, it signs with the credentials setup made for AssumeRole, when it made them.
func (w *worker) do(ctx context.Context, service string, body []byte, assume bool) (int, []byte, error) {
	sg, tok := w.signers[service], w.r.cfg.Credentials.SessionToken
	if assume && w.assume != nil {
		sg, tok = w.assume, ""
	}
	date, auth := sg.sign(body, time.Now())
	if w.conn != nil {
		return w.conn.roundTrip(ctx, date, auth, tok, body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.r.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = http.Header{
		"Content-Type":  {formContentType},
		"X-Amz-Date":    {date},
		"Authorization": {auth},
	}
	if tok != "" {
		req.Header["X-Amz-Security-Token"] = []string{tok}
	}
	resp, err := w.r.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	w.buf.Reset()
	_, err = w.buf.ReadFrom(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, w.buf.Bytes(), err
}

// close drops the worker's connection.
func (w *worker) close() {
	if w.conn != nil {
		w.conn.close()
	}
}

// call is one measured request.
type call struct {
	action, service string
	body            []byte
	s3              *s3call // an S3 call, instead of a Query-protocol one
}

// assumes reports whether c is signed with AssumeRole's credentials.
func (c call) assumes() bool { return c.action == "AssumeRole" }

// next returns the calls of the worker's next step (two for CreateDeleteUser).
func (w *worker) next(id int) []call {
	op := w.r.cfg.Op
	if op.isS3() {
		if w.s3Step == nil {
			w.s3Step = w.s3Calls(id)
		}
		return w.s3Step
	}
	if op == Mix {
		op = mixSteps[w.step%len(mixSteps)]
	}
	w.step++
	switch op {
	case AssumeRole:
		if w.assumeBody == nil { // the same for every call of this worker
			w.assumeBody = form("AssumeRole", "2011-06-15", "RoleArn", w.r.cfg.RoleARN, "RoleSessionName", "iamd-bench-"+strconv.Itoa(id))
		}
		return []call{{action: "AssumeRole", service: "sts", body: w.assumeBody}}
	case CreateDeleteUser:
		name := w.r.cfg.Prefix + "-" + strconv.FormatUint(w.r.seq.Add(1), 36) + "-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
		return []call{
			{action: "CreateUser", service: "iam", body: form("CreateUser", "2010-05-08", "UserName", name)},
			{action: "DeleteUser", service: "iam", body: form("DeleteUser", "2010-05-08", "UserName", name)},
		}
	case GetUser:
		return []call{{action: "GetUser", service: "iam", body: getUserBody}}
	case SimulateCustomPolicy:
		return []call{{action: "SimulateCustomPolicy", service: "iam", body: form("SimulateCustomPolicy", "2010-05-08",
			"PolicyInputList.member.1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`,
			"ActionNames.member.1", "s3:GetObject", "ActionNames.member.2", "s3:PutObject")}}
	default:
		return []call{{action: "GetCallerIdentity", service: "sts", body: getCallerIdentityBody}}
	}
}

var getCallerIdentityBody = form("GetCallerIdentity", "2011-06-15")

var getUserBody = form("GetUser", "2010-05-08")

// counters are shared by the workers for the bounds and the progress line.
type counters struct {
	issued atomic.Int64
	done   atomic.Uint64
	errors atomic.Uint64
	bytes  atomic.Uint64
}

// phase runs the workload until n requests were issued (n > 0) or d has passed (d > 0) or ctx
// ends, and returns what it measured.
func (r *runner) phase(ctx context.Context, n int, d time.Duration, progress func(Progress)) *Result {
	var cnt counters
	start := time.Now()
	var deadline time.Time
	if d > 0 {
		deadline = start.Add(d)
	}
	stopProgress := make(chan struct{})
	var pwg sync.WaitGroup
	if progress != nil {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			last, lastBytes, lastAt := uint64(0), uint64(0), start
			for {
				select {
				case <-stopProgress:
					return
				case now := <-t.C:
					done, moved, secs := cnt.done.Load(), cnt.bytes.Load(), now.Sub(lastAt).Seconds()
					progress(Progress{Elapsed: now.Sub(start), Requests: done, Errors: cnt.errors.Load(),
						Rate: float64(done-last) / secs, ByteRate: float64(moved-lastBytes) / secs})
					last, lastBytes, lastAt = done, moved, now
				}
			}
		}()
	}
	workers := make([]*worker, r.cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range workers {
		w := r.newWorker(i)
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, i, n, deadline, &cnt)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, w := range workers {
		w.close()
	}
	close(stopProgress)
	pwg.Wait()
	return r.result(workers, elapsed)
}

func (w *worker) loop(ctx context.Context, id, n int, deadline time.Time, cnt *counters) {
	for ctx.Err() == nil {
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return
		}
		calls := w.next(id)
		// A step is issued whole or not at all: CreateDeleteUser's DeleteUser must follow its
		// CreateUser, or the run would leave users behind when the count runs out mid-step.
		if n > 0 && cnt.issued.Add(int64(len(calls))) > int64(n) {
			return
		}
		for _, c := range calls {
			t0 := time.Now()
			var (
				status int
				body   []byte
				n      int64
				err    error
			)
			if c.s3 != nil {
				status, body, n, err = w.s3do(ctx, c.s3)
			} else {
				status, body, err = w.do(ctx, c.service, c.body, c.assumes())
			}
			lat := time.Since(t0)
			if ctx.Err() != nil {
				return // a call cut short by cancellation says nothing about the server
			}
			h := w.hists[c.action]
			if h == nil {
				h = new(histogram)
				w.hists[c.action] = h
			}
			h.record(lat)
			code := classify(status, body, err)
			if code == "" && c.s3 != nil {
				moved := n // a GET's body
				if c.s3.body != nil {
					moved = c.s3.body.size
				} else if c.s3.want >= 0 && n != c.s3.want {
					code = "size mismatch"
				}
				if code == "" {
					w.bytes[c.action] += uint64(moved)
					cnt.bytes.Add(uint64(moved))
				}
			}
			if code != "" {
				m := w.errs[c.action]
				if m == nil {
					m = map[string]uint64{}
					w.errs[c.action] = m
				}
				m[code]++
				cnt.errors.Add(1)
			}
			cnt.done.Add(1)
		}
	}
}

// classify names the error of a call, "" for success (any 2xx: S3 answers a DELETE with 204).
func classify(status int, body []byte, err error) string {
	switch {
	case err != nil:
		return "transport"
	case status/100 == 2:
		return ""
	}
	if code := ErrorCode(body); code != "" {
		return code
	}
	return "HTTP " + strconv.Itoa(status)
}

func (r *runner) result(workers []*worker, elapsed time.Duration) *Result {
	total := new(histogram)
	per := map[string]*histogram{}
	errs := map[string]map[string]uint64{}
	moved, allMoved := map[string]uint64{}, uint64(0)
	for _, w := range workers {
		for a, n := range w.bytes {
			moved[a] += n
			allMoved += n
		}
		for a, h := range w.hists {
			if per[a] == nil {
				per[a] = new(histogram)
			}
			per[a].merge(h)
			total.merge(h)
		}
		for a, m := range w.errs {
			if errs[a] == nil {
				errs[a] = map[string]uint64{}
			}
			for c, k := range m {
				errs[a][c] += k
			}
		}
	}
	secs := elapsed.Seconds()
	stats := func(h *histogram, e map[string]uint64, b uint64) Stats {
		return Stats{Requests: h.n, Errors: e, RPS: float64(h.n) / secs, Bytes: b, MBPS: float64(b) / 1e6 / secs,
			P50: micros(h.quantile(.50)), P90: micros(h.quantile(.90)), P99: micros(h.quantile(.99)), Max: micros(h.max)}
	}
	all := map[string]uint64{}
	for _, m := range errs {
		for c, k := range m {
			all[c] += k
		}
	}
	if len(all) == 0 {
		all = nil
	}
	res := &Result{Endpoint: r.cfg.Endpoint, Op: r.cfg.Op, Concurrency: r.cfg.Concurrency, Seconds: secs, Stats: stats(total, all, allMoved)}
	if len(per) > 1 {
		res.ByAction = map[string]Stats{}
		for a, h := range per {
			res.ByAction[a] = stats(h, errs[a], moved[a])
		}
	}
	return res
}

// ErrorCode extracts the Code of an AWS Query-protocol error response, or of S3's
// (<Error><Code>…, no ErrorResponse around it); "" when there is none.
// It looks for the first <Code>…</Code> and does not otherwise parse the XML: it runs on every
// failed call and must cost little.
func ErrorCode(body []byte) string { return xmlText(body, "Code") }

// xmlText returns the text of the first <tag>…</tag> in body, "" if absent or not plain text.
func xmlText(body []byte, tag string) string {
	open := "<" + tag + ">"
	i := bytes.Index(body, []byte(open))
	if i < 0 {
		return ""
	}
	rest := body[i+len(open):]
	j := bytes.IndexByte(rest, '<')
	if j < 0 || !bytes.HasPrefix(rest[j:], []byte("</"+tag+">")) {
		return ""
	}
	return string(rest[:j])
}
