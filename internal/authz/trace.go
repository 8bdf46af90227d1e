package authz

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/iamd/iamd/policy"
)

// Trace records the authorization decisions of one request, for the access log and for the
// encoded authorization message of a denial. The server puts one in the request's context;
// every evaluation made for the request (the server's own and those services make inside,
// such as AssumeRole's trust policy check) records into it.
type Trace struct {
	mu sync.Mutex
	// last is the last decision made; denied is the first denial, which is what the caller is
	// told about.
	last, denied *Evaluation
}

// slot is the storage of one evaluation: the Evaluation, its policy.Request and room for the
// statements it matches (usually one or two: the identity policy's Allow, the trust policy's).
type slot struct {
	ev      Evaluation
	req     policy.Request
	matched [2]policy.Match
}

// take returns a fresh Evaluation for one decision, with its Request and room for its first
// matches: one allocation instead of one for each and for the copies the trace used to keep.
// It is not kept inline in the Trace: that saves this allocation too, but every request's
// context grows from 96 to 896 bytes (GetCallerIdentity, which decides nothing, went from
// 1,957 to 2,914 B/op), and the GC's work follows the bytes allocated.
func take() *Evaluation {
	s := new(slot)
	s.ev.Request = &s.req
	s.ev.Result.Matched = s.matched[:0]
	return &s.ev
}

// add records ev, an Evaluation from take that is complete and is not changed afterwards.
func (t *Trace) add(ev *Evaluation) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.last = ev
	if ev.Result.Decision != policy.Allowed && t.denied == nil {
		t.denied = ev
	}
	t.mu.Unlock()
}

type traceKey struct{}

// NewRequestContext returns ctx carrying the request's transport facts (OriginFromContext) and a
// new Trace for its decisions. Every API call makes one, so both travel in one allocation.
func NewRequestContext(ctx context.Context, m Origin) (context.Context, *Trace) {
	return new(RequestContext).Init(ctx, m)
}

// RequestContext is the storage of a request context, for a caller that keeps it in its own
// per-request allocation instead of NewRequestContext's.
type RequestContext struct{ c requestContext }

// Init returns ctx carrying m and a new Trace, as NewRequestContext does, stored in rc. rc is
// used for one request only: the context and trace stay valid as long as anything holds them.
func (rc *RequestContext) Init(ctx context.Context, m Origin) (context.Context, *Trace) {
	rc.c.Context, rc.c.meta = ctx, m
	return &rc.c, &rc.c.trace
}

type requestContext struct {
	context.Context
	meta  Origin
	trace Trace
}

func (c *requestContext) Value(key any) any {
	switch key.(type) {
	case traceKey:
		return &c.trace
	case originKey:
		return &c.meta
	}
	return c.Context.Value(key)
}

// traceOf returns the Trace of ctx's request, nil when there is none.
func traceOf(ctx context.Context) *Trace {
	if c, ok := ctx.(*requestContext); ok {
		return &c.trace // the common case, without Value's walk and interface conversions
	}
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}

// Denial is the first denied evaluation of the request, nil when none was denied.
func (t *Trace) Denial() *Evaluation {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.denied
}

// LogValue is what the access log records: the action evaluated, the decision and the
// statement (or gate) that decided it. A request with no evaluation logs nothing.
func (t *Trace) LogValue() slog.Value {
	if t == nil {
		return slog.Value{}
	}
	ev := t.Logged()
	if ev == nil {
		return slog.StringValue("none")
	}
	return slog.GroupValue(
		slog.String("action", ev.Request.Action),
		slog.String("resource", ev.Request.Resource),
		slog.String("decision", ev.Result.Decision.String()),
		slog.String("by", ev.DecidedBy()),
	)
}

// Logged is the evaluation LogValue describes: the first denial, else the last decision; nil
// when there was none or t is nil. It lets a log writer format the record without building
// the group.
func (t *Trace) Logged() *Evaluation {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.denied != nil {
		return t.denied
	}
	return t.last
}

// DecidedBy names what decided: the deciding statement ("identityPolicies[1] Sid=DenyAll
// (arn:aws:iam::…:policy/P) statement 0"), for an implicit deny the gate without an Allow, and
// "root user" for the root user's calls.
func (ev *Evaluation) DecidedBy() string {
	by := ev.Result.By
	var m *policy.Match
	want := policy.Allow
	if ev.Result.Decision == policy.ExplicitDeny {
		want = policy.Deny
	}
	for i := range ev.Result.Matched {
		x := &ev.Result.Matched[i]
		if x.Effect != want {
			continue
		}
		if ev.Result.Decision == policy.ExplicitDeny && x.Policy != by {
			continue
		}
		if ev.Result.Decision == policy.Allowed && x.Policy.Place != by.Place {
			continue
		}
		m = x
		break
	}
	if ev.Result.Decision == policy.Allowed && m == nil {
		// Only the account root user is allowed without an allowing statement: identity
		// policies do not limit it.
		return "root user"
	}
	if ev.Result.Decision == policy.ImplicitDeny || m == nil {
		return "no Allow in " + by.String()
	}
	// Built in one buffer: this runs for the access-log line of every authorized request.
	src := ev.Sources.Of(m.Policy)
	var b strings.Builder
	b.Grow(48 + len(src.ID) + len(m.Sid))
	b.WriteString(m.Policy.String())
	if src.ID != "" {
		b.WriteString(" (")
		b.WriteString(src.ID)
		b.WriteByte(')')
	}
	b.WriteString(" statement ")
	b.WriteString(strconv.Itoa(m.Statement))
	if m.Sid != "" {
		b.WriteString(" Sid=")
		b.WriteString(m.Sid)
	}
	return b.String()
}

// Message is an authorization message as DecodeAuthorizationMessage returns it, in AWS's JSON
// shape.
type Message struct {
	Allowed           bool          `json:"allowed"`
	ExplicitDeny      bool          `json:"explicitDeny"`
	MatchedStatements msgStatements `json:"matchedStatements"`
	Failures          msgItems      `json:"failures"`
	Context           msgContext    `json:"context"`
	// account is who may decode the message: the account of the denied principal.
	account string
}

type msgStatements struct {
	Items []msgStatement `json:"items"`
}

type msgStatement struct {
	StatementID     string   `json:"statementId"`
	Effect          string   `json:"effect"`
	Principals      msgItems `json:"principals"`
	PrincipalGroups msgItems `json:"principalGroups"`
	Actions         msgItems `json:"actions"`
	Resources       msgItems `json:"resources"`
	Conditions      msgItems `json:"conditions"`
}

type msgItems struct {
	Items []msgValue `json:"items"`
}

type msgValue struct {
	Value string `json:"value"`
}

type msgContext struct {
	Principal  msgPrincipal  `json:"principal"`
	Action     string        `json:"action"`
	Resource   string        `json:"resource"`
	Conditions msgConditions `json:"conditions"`
}

type msgPrincipal struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

type msgConditions struct {
	Items []msgCondition `json:"items"`
}

type msgCondition struct {
	Key    string   `json:"key"`
	Values msgItems `json:"values"`
}

// sealedMessage is what the encoded message carries: the JSON plus the account allowed to read it.
type sealedMessage struct {
	Account string          `json:"a"`
	JSON    json.RawMessage `json:"m"`
}

// messageAD binds sealed messages to their use, so no other sealed iamd blob opens as one.
var messageAD = []byte("iamd authorization message v1")

// NewMessage builds the authorization message of an evaluation. Statements of policies that
// belong to another account than the principal's are listed without their content.
func NewMessage(ev *Evaluation) *Message {
	r := ev.Request
	m := &Message{
		Allowed:      ev.Result.Decision == policy.Allowed,
		ExplicitDeny: ev.Result.Decision == policy.ExplicitDeny,
		account:      r.Principal.Account,
	}
	m.MatchedStatements.Items = []msgStatement{}
	m.Failures.Items = []msgValue{}
	for _, mt := range ev.Result.Matched {
		src := ev.Sources.Of(mt.Policy)
		st := msgStatement{StatementID: mt.Sid, Effect: strings.ToUpper(mt.Effect.String())}
		st.Principals.Items, st.PrincipalGroups.Items, st.Actions.Items, st.Resources.Items, st.Conditions.Items =
			[]msgValue{}, []msgValue{}, []msgValue{}, []msgValue{}, []msgValue{}
		own := src.Account == "" || src.Account == r.Principal.Account || src.Account == "aws"
		if own && src.Doc != "" {
			fillStatement(&st, src.Doc, mt.Statement)
		}
		m.MatchedStatements.Items = append(m.MatchedStatements.Items, st)
	}
	userID, _ := r.Context.Lookup("aws:userid")
	name, _ := r.Context.Lookup("aws:username")
	m.Context.Principal = msgPrincipal{ARN: r.Principal.ARN}
	if len(userID) == 1 {
		m.Context.Principal.ID = userID[0]
	}
	if len(name) == 1 {
		m.Context.Principal.Name = name[0]
	} else if i := strings.LastIndexByte(r.Principal.ARN, '/'); i >= 0 {
		m.Context.Principal.Name = r.Principal.ARN[i+1:]
	}
	m.Context.Action, m.Context.Resource = r.Action, r.Resource
	m.Context.Conditions.Items = []msgCondition{}
	for _, k := range r.Context.Keys() {
		vals, _ := r.Context.Lookup(k)
		c := msgCondition{Key: k}
		c.Values.Items = make([]msgValue, len(vals))
		for i, v := range vals {
			c.Values.Items[i] = msgValue{v}
		}
		m.Context.Conditions.Items = append(m.Context.Conditions.Items, c)
	}
	return m
}

// fillStatement copies a statement's Principal, Action, Resource and Condition from its document.
func fillStatement(st *msgStatement, doc string, index int) {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(d.Statement, &list) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &one) != nil {
			return
		}
		list = []map[string]json.RawMessage{one}
	}
	if index < 0 || index >= len(list) {
		return
	}
	s := list[index]
	values := func(keys ...string) []msgValue {
		out := []msgValue{}
		for _, k := range keys {
			out = append(out, stringsOf(s[k])...)
		}
		return out
	}
	st.Actions.Items = values("Action", "NotAction")
	st.Resources.Items = values("Resource", "NotResource")
	st.Principals.Items = values("Principal", "NotPrincipal")
	if c, ok := s["Condition"]; ok {
		st.Conditions.Items = []msgValue{{string(c)}}
	}
}

// stringsOf flattens a policy element (a string, a list, or a principal map) to its values.
func stringsOf(raw json.RawMessage) []msgValue {
	if len(raw) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []msgValue{{one}}
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		out := make([]msgValue, len(list))
		for i, v := range list {
			out[i] = msgValue{v}
		}
		return out
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil {
		var out []msgValue
		for _, v := range m {
			out = append(out, stringsOf(v)...)
		}
		return out
	}
	return nil
}

// EncodeMessage seals ev's authorization message; "" when the authorizer has no keyring.
func (a *Authorizer) EncodeMessage(ev *Evaluation) string {
	if a.cfg.Seal == nil || ev == nil || ev.Request == nil {
		return ""
	}
	m := NewMessage(ev)
	js, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	blob, err := json.Marshal(sealedMessage{Account: m.account, JSON: js})
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(a.cfg.Seal(append(append([]byte(nil), messageAD...), blob...)))
}

// ErrBadMessage is returned for an encoded message iamd did not issue or the caller's account
// may not read.
var ErrBadMessage = errors.New("authz: invalid authorization message")

// DecodeMessage opens an encoded authorization message for a caller of account and returns
// its JSON.
func (a *Authorizer) DecodeMessage(encoded, account string) (string, error) {
	if a.cfg.Open == nil {
		return "", ErrBadMessage
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return "", ErrBadMessage
	}
	plain, err := a.cfg.Open(raw)
	if err != nil {
		return "", ErrBadMessage
	}
	body, ok := strings.CutPrefix(string(plain), string(messageAD))
	if !ok {
		return "", ErrBadMessage
	}
	var sm sealedMessage
	if json.Unmarshal([]byte(body), &sm) != nil || sm.Account != account {
		return "", ErrBadMessage
	}
	return string(sm.JSON), nil
}
