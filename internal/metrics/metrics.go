// Package metrics is iamd's Prometheus instrumentation: one registry per node (never the
// global default, so that several nodes in one process do not collide), the request pipeline's
// counters and latencies, authentication failures, sessions issued, the store's latency and
// errors (a store.Store decorator), the caches' hits and misses (gencache's counters), and the
// Go runtime's and the process's own metrics, served in Prometheus's text format.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/iamd/iamd/internal/gencache"
)

// Decisions of a call's authorization, as the requests counter labels them.
const (
	Allowed      = "allowed"
	ExplicitDeny = "explicit_deny"
	ImplicitDeny = "implicit_deny"
	NotEvaluated = "not_evaluated"
)

// Other is the operation label of a call whose operation is unknown: the action comes from
// the request, and a label per made-up action would grow the registry without bound.
const Other = "other"

// latencyBuckets span a call answered from memory (about 50 µs) to one held up by the store's
// 5 s bound, about 2.5× apart.
var latencyBuckets = []float64{
	50e-6, 100e-6, 250e-6, 500e-6,
	1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3,
	1, 2.5, 5,
}

// sessionKinds are the operations that issue temporary credentials, by their (service,
// action), with the kind the sessions counter labels them with.
var sessionKinds = map[[2]string]string{
	{"sts", "AssumeRole"}:                "AssumeRole",
	{"sts", "AssumeRoleWithWebIdentity"}: "AssumeRoleWithWebIdentity",
	{"sts", "AssumeRoleWithSAML"}:        "AssumeRoleWithSAML",
	{"sts", "GetSessionToken"}:           "GetSessionToken",
	{"sts", "GetFederationToken"}:        "GetFederationToken",
	{"iamd", "GetInstanceCredentials"}:   "instance",
}

// Metrics is one node's instruments and the registry that serves them. Its methods are safe
// for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	handler      http.Handler
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	authFailures *prometheus.CounterVec
	sessions     *prometheus.CounterVec
	storeLatency *prometheus.HistogramVec
	storeErrors  *prometheus.CounterVec

	// The label children of each call and failure seen, resolved once: WithLabelValues
	// hashes its values and allocates, on every call. The maps are replaced, never changed,
	// so that a lookup takes no lock; mu serializes the rare additions.
	mu       sync.Mutex
	calls    atomic.Pointer[map[callKey]*callSeries]
	failures atomic.Pointer[map[string]prometheus.Counter]
}

type callKey struct {
	service, action, decision string
	status                    int
}

// callSeries are the instruments of one kind of call.
type callSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
	session  prometheus.Counter // nil unless the operation issues sessions
}

// New returns a node's instruments on a new registry, with the Go runtime's and the process's
// collectors and the caches' counters.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iamd_requests_total",
			Help: "API calls answered, by service, operation, HTTP status and authorization decision.",
		}, []string{"service", "operation", "status", "decision"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "iamd_request_duration_seconds",
			Help:    "Time from a call's arrival to its answer being written, by service and operation.",
			Buckets: latencyBuckets,
		}, []string{"service", "operation"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iamd_authentication_failures_total",
			Help: "Calls refused by authentication, by the AWS error code answered.",
		}, []string{"reason"}),
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iamd_sessions_issued_total",
			Help: "Temporary credentials issued, by the operation that issued them (instance: iamd's instance credentials).",
		}, []string{"kind"}),
		storeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "iamd_store_duration_seconds",
			Help:    "Time of store calls (transactions, generation reads), by call.",
			Buckets: latencyBuckets,
		}, []string{"call"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iamd_store_errors_total",
			Help: "Store calls that failed, by call (a transaction's own error, such as a name already taken, counts too).",
		}, []string{"call"}),
	}
	reg.MustRegister(m.requests, m.latency, m.authFailures, m.sessions, m.storeLatency, m.storeErrors,
		cacheCollector{},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every kind appears from the start, at zero, so that a rate over it is defined.
	for _, kind := range sessionKinds {
		m.sessions.WithLabelValues(kind)
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	empty := map[callKey]*callSeries{}
	m.calls.Store(&empty)
	noFailures := map[string]prometheus.Counter{}
	m.failures.Store(&noFailures)
	return m
}

// Registry is the node's registry, for more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// AuditDropped reports the audit trail's dropped events, read from dropped at each scrape: a
// trail that falls behind drops rather than slow requests, and an operator must see it.
func (m *Metrics) AuditDropped(dropped func() int64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "iamd_audit_events_dropped_total",
		Help: "Audit trail events dropped because the trail's writer fell behind.",
	}, func() float64 { return float64(dropped()) }))
}

// ServeHTTP serves the metrics in Prometheus's text format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// Call counts one answered call. action is Other, or "" (also counted as Other), when the
// operation is unknown; decision is one of Allowed, ExplicitDeny, ImplicitDeny, NotEvaluated.
// It allocates nothing once a call of the same kind has been counted.
func (m *Metrics) Call(service, action string, status int, decision string, latency time.Duration) {
	if action == "" {
		action = Other
	}
	k := callKey{service: service, action: action, decision: decision, status: status}
	s := (*m.calls.Load())[k]
	if s == nil {
		s = m.addCall(k)
	}
	s.requests.Inc()
	s.latency.Observe(latency.Seconds())
	if s.session != nil && status == http.StatusOK {
		s.session.Inc()
	}
}

func (m *Metrics) addCall(k callKey) *callSeries {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.calls.Load()
	if s := old[k]; s != nil {
		return s
	}
	s := &callSeries{
		requests: m.requests.WithLabelValues(k.service, k.action, strconv.Itoa(k.status), k.decision),
		latency:  m.latency.WithLabelValues(k.service, k.action),
	}
	if kind, ok := sessionKinds[[2]string{k.service, k.action}]; ok {
		s.session = m.sessions.WithLabelValues(kind)
	}
	next := make(map[callKey]*callSeries, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[k] = s
	m.calls.Store(&next)
	return s
}

// AuthFailure counts a call refused by authentication with the AWS error code code. The codes
// are authn's, a short fixed list.
func (m *Metrics) AuthFailure(code string) {
	c := (*m.failures.Load())[code]
	if c == nil {
		m.mu.Lock()
		old := *m.failures.Load()
		if c = old[code]; c == nil {
			c = m.authFailures.WithLabelValues(code)
			next := make(map[string]prometheus.Counter, len(old)+1)
			for k, v := range old {
				next[k] = v
			}
			next[code] = c
			m.failures.Store(&next)
		}
		m.mu.Unlock()
	}
	c.Inc()
}

// cacheCollector reports gencache's hits and misses. They are the process's counters: with
// several nodes in one process (tests) every node reports the sum.
type cacheCollector struct{}

var (
	cacheHits = prometheus.NewDesc("iamd_cache_hits_total",
		"Lookups answered by a cache valid for the store's current generation, by cache.", []string{"cache"}, nil)
	cacheMisses = prometheus.NewDesc("iamd_cache_misses_total",
		"Lookups a cache could not answer (absent, or read at an older generation), by cache.", []string{"cache"}, nil)
)

func (cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cacheHits
	ch <- cacheMisses
}

func (cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range gencache.Stats() {
		ch <- prometheus.MustNewConstMetric(cacheHits, prometheus.CounterValue, float64(s.Hits), s.Name)
		ch <- prometheus.MustNewConstMetric(cacheMisses, prometheus.CounterValue, float64(s.Misses), s.Name)
	}
}
