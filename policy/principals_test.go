package policy

import (
	"reflect"
	"testing"
)

func TestAWSPrincipals(t *testing.T) {
	doc := `{"Statement":[{"Principal":{"AWS":["arn:aws:iam::1:user/a", "arn:aws:iam::1:user\/b"],"Service":"x"}},` +
		`{"NotPrincipal":{"AWS":"123456789012"},"Condition":{"StringEquals":{"AWS":"arn:aws:iam::1:user/c"}}},` +
		`{"Principal":"*"}]}`
	got := AWSPrincipals([]byte(doc))
	want := []string{"arn:aws:iam::1:user/a", "arn:aws:iam::1:user/b", "123456789012"}
	var vals []string
	for _, p := range got {
		vals = append(vals, p.Value)
		// The range is the JSON string as written, quotes included.
		if s := doc[p.Start:p.End]; s[0] != '"' || s[len(s)-1] != '"' || len(s) < len(p.Value)+2 {
			t.Errorf("range of %s is %q", p.Value, s)
		}
	}
	if !reflect.DeepEqual(vals, want) {
		t.Errorf("AWSPrincipals = %q, want %q", vals, want)
	}
	if got := doc[got[1].Start:got[1].End]; got != `"arn:aws:iam::1:user\/b"` {
		t.Errorf("escaped value's range = %s", got)
	}
	if AWSPrincipals([]byte(`{"Statement":`)) != nil {
		t.Error("a document that is not JSON has principals")
	}
}

// IAM shows a deleted principal by its unique id: such a policy parses, and the id matches no
// caller.
func TestUniqueIDPrincipal(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"AIDAJQABLZS4A3QDU576Q"},"Action":"sts:AssumeRole"}}`
	p, err := Parse([]byte(doc), KindTrust)
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/r",
		Principal: Principal{ARN: "arn:aws:iam::123456789012:user/carol", Account: "123456789012"}}
	if res := Evaluate(&Sets{Resource: p}, req); res.Decision == Allowed {
		t.Errorf("a unique id matched a caller: %+v", res)
	}
	for _, bad := range []string{"AIDAJQABLZS4A3QDU576", "AIDAjqablzs4a3qdu576q", "AGPAJQABLZS4A3QDU576Q"} {
		doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + bad + `"},"Action":"sts:AssumeRole"}}`
		if _, err := Parse([]byte(doc), KindTrust); err == nil {
			t.Errorf("principal %s accepted", bad)
		}
	}
}
