package authz

import (
	"strings"
	"testing"

	"github.com/iamd/iamd/policy"
)

// FuzzDecodeMessage feeds arbitrary encoded messages to the decoder: it must refuse, not panic,
// and open only what it sealed.
func FuzzDecodeMessage(f *testing.F) {
	key := byte(0x5a)
	seal := func(b []byte) []byte {
		out := append([]byte("k1"), b...)
		for i := range out[2:] {
			out[2+i] ^= key
		}
		return out
	}
	open := func(b []byte) ([]byte, error) {
		if len(b) < 2 || string(b[:2]) != "k1" {
			return nil, ErrBadMessage
		}
		out := append([]byte(nil), b[2:]...)
		for i := range out {
			out[i] ^= key
		}
		return out, nil
	}
	a := New(Config{Seal: seal, Open: open})
	r := &policy.Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/r", Principal: policy.Principal{ARN: "arn:aws:iam::123456789012:user/u", Account: "123456789012"}}
	r.SetPrincipalKeys()
	good := a.EncodeMessage(&Evaluation{Request: r})
	f.Add(good)
	f.Add("")
	f.Add("!!!")
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, s string) {
		msg, err := a.DecodeMessage(s, "123456789012")
		if err == nil && !strings.Contains(msg, `"allowed"`) {
			t.Fatalf("decoded a message without its shape: %q", msg)
		}
	})
}

// FuzzContextKeys runs the context-key scanner and the statement span finder over arbitrary
// documents: errors are answers, panics are bugs.
func FuzzContextKeys(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::*:user/${aws:username}","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":"*"}}`)
	f.Add("{\n\"Statement\":[\n{\"Effect\":\"Allow\",\"Action\":\"a:b\",\"Resource\":\"*\"}]}")
	f.Fuzz(func(t *testing.T, doc string) {
		ContextKeys([]string{doc})
		p, err := policy.Parse([]byte(doc), policy.KindIdentity)
		if err != nil {
			return
		}
		for i := range p.Statements() {
			start, end, ok := StatementSpan(p, doc, i)
			if ok && (end.Line < start.Line || end.Line == start.Line && end.Column <= start.Column) {
				t.Fatalf("statement %d ends (%v) before it starts (%v)", i, end, start)
			}
		}
	})
}
